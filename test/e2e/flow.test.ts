import { expect, test } from 'playwright/test';
import { axeViolations, tabTo, type FocusTarget } from '../helpers/axe';
import { screenshot, startAppUnderTest, type AppUnderTest } from '../helpers/renderer-harness';

/**
 * The whole set-up with the keyboard alone, from an empty profile to a green Test and a first
 * sync, against both sandboxes: every value typed where the flow asks for it, every save
 * verified, a few key presses per step, and axe-core clean on every step.
 */
test.describe('set-up flow with the keyboard only (Chromium)', () => {
  test.describe.configure({ mode: 'serial' });
  let app: AppUnderTest;
  /** Tab presses per step, for the report at the end. */
  const presses: Record<string, number> = {};

  test.beforeAll(async ({ browser }) => {
    app = await startAppUnderTest({ browser, systemLanguage: 'en' });
  });
  test.afterAll(async () => {
    await app?.close();
  });

  const heading = () =>
    app.page.evaluate<string | null>(
      `document.activeElement?.hasAttribute('data-step-heading') ? document.activeElement.textContent : null`,
    );
  /** The step whose heading has the focus: where "Next" and every verified save lead. */
  const onStep = async (id: string) => {
    await app.page.locator(`[data-testid="step-detail"][data-step="${id}"]`).waitFor();
    await expect.poll(heading).not.toBeNull();
    expect(await axeViolations(app.page)).toEqual([]);
  };
  const press = async (step: string, target: FocusTarget, key = 'Enter', max = 12) => {
    presses[step] = (presses[step] ?? 0) + (await tabTo(app.page, target, { max }));
    await app.page.keyboard.press(key);
  };
  const type = async (step: string, target: FocusTarget, text: string) => {
    presses[step] = (presses[step] ?? 0) + (await tabTo(app.page, target, { max: 12 }));
    await app.page.keyboard.press('Control+A');
    await app.page.keyboard.type(text);
  };
  /** A step done outside the app: ticked by hand (Space), then Next. */
  const tickAndNext = async (step: string, next: string) => {
    await onStep(step);
    await press(step, { name: 'I have done this' }, 'Space');
    await press(step, '[data-testid="next-step"]');
    await onStep(next);
  };

  test('points the app at the sandboxes from the settings, by keyboard', async () => {
    const { page, google, severa } = app;
    await press('welcome', { name: 'Start the set-up' });
    await page.getByTestId('before-you-start').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // The built-in sync of Severa is explained as what this app replaces.
    expect(await page.getByTestId('built-in-sync').textContent()).toContain('keep Severa');
    await press('settings', '[data-nav="settings"]', 'Enter', 20);
    await press('settings', { name: 'Advanced: endpoints' });
    await page.getByLabel('Google API root').waitFor();
    await type('settings', { name: 'Google API root' }, google.apiRoot);
    await type('settings', { name: 'Google token URL' }, google.tokenUrl);
    await type('settings', { name: 'Severa API root' }, severa.apiRoot);
    await press('settings', { name: 'Save' });
    await page.getByTestId('sandbox-banner').waitFor();
  });

  test('walks every step of the flow to a green Test', async () => {
    const { page, demo, severa } = app;
    await press('wizard', '[data-nav="wizard"]', 'Enter', 20);
    await page.getByTestId('before-you-start').waitFor();
    await press('before', '[data-testid="start-flow"]');

    await tickAndNext('gcp.project', 'gcp.enable-calendar-api');
    await tickAndNext('gcp.enable-calendar-api', 'gcp.service-account');

    await type(
      'gcp.service-account',
      '[data-field="serviceAccountEmail"]',
      demo.serviceAccountEmail,
    );
    await press('gcp.service-account', { name: 'Save and continue' });
    await onStep('gcp.p12-key');

    // Enter on the file field opens the system's file dialog: the key is chosen there.
    const chooser = page.waitForEvent('filechooser');
    await press('gcp.p12-key', '.mantine-FileInput-input');
    await (await chooser).setFiles(demo.p12Path);
    expect(await page.getByLabel('Key password').inputValue()).toBe('notasecret');
    await press('gcp.p12-key', { name: 'Import the key' });
    await tickAndNext('gcp.domain-wide-delegation', 'gcp.client-id');

    expect(await page.getByLabel('Client ID').inputValue()).toBe(demo.clientId);
    await type('gcp.client-id', '[data-field="domain"]', demo.domain);
    await type('gcp.client-id', '[data-field="testUser"]', demo.testUser);
    await press('gcp.client-id', { name: 'Save and continue' });

    await onStep('admin.dwd-authorize');
    expect(await page.getByTestId('step-detail').textContent()).toContain(demo.clientId);
    await tickAndNext('admin.dwd-authorize', 'severa.api-credentials');

    await type('severa.api-credentials', '[data-field="severaClientId"]', severa.demo!.clientId);
    await type(
      'severa.api-credentials',
      '[data-field="severaClientSecret"]',
      severa.demo!.clientSecret,
    );
    await press('severa.api-credentials', { name: 'Check with Severa and save' });

    // The suggested types are chosen on the first visit: saving them is verified by the Test's rules.
    await onStep('severa.activity-types');
    await page.getByRole('checkbox').first().waitFor();
    await press('severa.activity-types', { name: 'Save and continue' }, 'Enter', 25);

    await onStep('app.users');
    await page.getByTestId('users-table').waitFor();
    await press('app.users', '[data-testid="users-continue"]', 'Enter', 25);

    await onStep('app.schedule');
    await press('app.schedule', { name: 'Save and continue' });

    await onStep('severa.test-and-save');
    await press('severa.test-and-save', '[data-testid="run-test-step"]');
    const summary = page.getByTestId('test-step-summary');
    await summary.waitFor({ timeout: 30_000 });
    expect(await summary.getAttribute('data-ok')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);
    await press('severa.test-and-save', '[data-testid="to-finish"]');
    await page.getByTestId('finish').waitFor();
    expect(await page.getByTestId('steps-done').textContent()).toBe('12 of 12 steps done');
    const verified = await page
      .locator('[data-checklist-step][data-verified="true"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-checklist-step')));
    expect(verified).toHaveLength(12);
  });

  test('ends with the summary and the first sync, still by keyboard', async () => {
    const { page, google, demo } = app;
    expect(await page.getByTestId('finish-summary').textContent()).toContain(
      demo.serviceAccountEmail,
    );
    expect(await axeViolations(page)).toEqual([]);
    await press('done', '[data-testid="first-sync"]');
    const result = page.getByTestId('first-sync-result');
    await result.waitFor({ timeout: 45_000 });
    expect(await result.getAttribute('data-ok')).toBe('true');
    const copies = google.control
      .listAll(demo.testUser)
      .filter((e) => e.extendedProperties?.private?.severaGuid);
    expect(copies.length).toBeGreaterThan(0);
    // A few presses per step: the most any step took (the types step has one stop per type).
    const worst = Math.max(...Object.values(presses));
    console.log('Tab presses per step:', JSON.stringify(presses));
    expect(worst, JSON.stringify(presses)).toBeLessThanOrEqual(25);
    await screenshot(page, 'flow-finish-en');
  });

  test('shows the flow in Finnish, with its steps and the finish', async () => {
    const { page } = app;
    await page.getByText('Suomi', { exact: true }).click();
    await page.getByRole('heading', { name: 'Valmis' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'flow-finish-fi');
    await page.locator('[data-checklist-step="admin.dwd-authorize"]').click();
    await page
      .getByTestId('step-detail')
      .getByText('Sovellusliittymien hallinta', { exact: false })
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'flow-step-fi');
    await page.getByText('English', { exact: true }).click();
    await page
      .getByRole('heading', { name: 'Authorise the delegation in the Admin console' })
      .waitFor();
    await screenshot(page, 'flow-step-en');
  });
});
