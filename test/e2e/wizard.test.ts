import { expect, test } from 'playwright/test';
import { screenshot, startAppUnderTest, type AppUnderTest } from '../helpers/renderer-harness';

/**
 * The whole set-up through the UI, from an empty profile to a green Test, against both
 * sandboxes: the endpoints, the P12 key, the service account, the Severa credentials, the
 * activity types and the users, each entered where the checklist asks for it.
 */
test.describe('set-up wizard (Chromium)', () => {
  test.describe.configure({ mode: 'serial' });
  let app: AppUnderTest;

  test.beforeAll(async ({ browser }) => {
    app = await startAppUnderTest({ browser, systemLanguage: 'en' });
  });
  test.afterAll(async () => {
    await app?.close();
  });

  const step = (id: string) => app.page.locator(`[data-checklist-step="${id}"]`);
  const openStep = async (id: string) => {
    await step(id).click();
    await app.page.locator(`[data-testid="step-detail"][data-step="${id}"]`).waitFor();
  };
  const saveButton = () =>
    app.page.getByTestId('step-detail').getByRole('button', { name: 'Save' });

  test('starts with the two ways in and a checklist of every documented step', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Start the set-up' }).click();
    const ids = await page
      .locator('[data-checklist-step]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-checklist-step')));
    expect(ids).toHaveLength(22);
    expect(ids.slice(0, 2)).toEqual(['pre.workspace-licence', 'pre.severa-addon']);
    expect(ids.at(-1)).toBe('app.schedule');
    expect(await page.locator('[data-checklist-step][data-done="true"]').count()).toBe(0);
  });

  test('points the app at the sandboxes in the advanced settings and shows the banner', async () => {
    const { page, google, severa } = app;
    await page.locator('[data-nav="settings"]').click();
    await page.getByRole('button', { name: 'Advanced: endpoints' }).click();
    await page.getByLabel('Google API root').fill(google.apiRoot);
    await page.getByLabel('Google token URL').fill(google.tokenUrl);
    await page.getByLabel('Severa API root').fill(severa.apiRoot);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('sandbox-banner').waitFor();
    expect(await page.getByTestId('sandbox-banner').textContent()).toContain('127.0.0.1');
  });

  test('imports the P12 key with the pre-filled password', async () => {
    const { page, demo } = app;
    await page.locator('[data-nav="wizard"]').click();
    await openStep('gcp.p12-key');
    expect(await page.getByLabel('Key password').inputValue()).toBe('notasecret');
    await page.locator('input[type=file]').setInputFiles(demo.p12Path);
    await page.getByLabel('Service account e-mail').fill(demo.serviceAccountEmail);
    await page.getByRole('button', { name: 'Import the key' }).click();
    await page.getByTestId('key-stored').waitFor();
    expect(await page.getByTestId('key-stored').textContent()).toContain('P12');
  });

  test('takes the domain and the test user; the client id came from the key', async () => {
    const { page, demo } = app;
    await openStep('gcp.client-id');
    expect(await page.getByLabel('Client ID').inputValue()).toBe(demo.clientId);
    await page.getByLabel('Workspace domain').fill(demo.domain);
    await page.getByLabel('Test user').fill(demo.testUser);
    await saveButton().click();
    await openStep('admin.dwd-authorize');
    const detail = page.getByTestId('step-detail');
    expect(await detail.textContent()).toContain(demo.clientId);
    expect(await detail.textContent()).toContain('https://www.googleapis.com/auth/calendar');
  });

  test('stores the Severa credentials and offers the activity types Severa has', async () => {
    const { page, severa, service } = app;
    await openStep('severa.api-credentials');
    await page.getByLabel('Client id').fill(severa.demo!.clientId);
    await page.getByLabel('Client secret').fill(severa.demo!.clientSecret);
    await saveButton().click();
    await page.getByTestId('secret-stored').waitFor();
    expect(await page.getByLabel('Client secret').inputValue()).toBe('');

    await openStep('severa.activity-types');
    const listed = await service.listActivityTypes();
    if (!listed.ok) throw new Error(listed.error.message.en);
    const types = listed.value.filter((t) => t.isActive);
    const meeting = types.find((t) => t.category === 'CalendarEntry')!;
    const personal = types.find((t) => t.category === 'Personal')!;
    for (const type of types.filter((t) => t.category !== 'Task'))
      await page.getByRole('checkbox', { name: type.name }).check();
    await page.getByRole('combobox', { name: 'Type for entries from Google' }).click();
    await page.getByRole('option', { name: meeting.name, exact: true }).click();
    await page.getByRole('combobox', { name: 'Type for private Google entries' }).click();
    await page.getByRole('option', { name: personal.name, exact: true }).click();
    await saveButton().click();
    await page.getByText('Saved').first().waitFor();
    const state = await service.getState();
    expect(state.severa.defaultActivityTypeGuid).toBe(meeting.guid);
    expect(state.severa.personalActivityTypeGuid).toBe(personal.guid);
  });

  test('lists the users with their e-mail match, all enabled by default', async () => {
    const { page } = app;
    await openStep('app.users');
    await page.getByTestId('users-table').waitFor();
    const table = await page.getByTestId('users-table').textContent();
    expect(table).toContain('aino.virtanen@kalevala.example');
    expect(table).toContain('No Google account');
    expect(
      await page.getByRole('switch', { name: 'Sync every user (recommended)' }).isChecked(),
    ).toBe(true);
  });

  test('runs the Test from the checklist to green and ticks the steps it proved', async () => {
    const { page } = app;
    await openStep('severa.test-and-save');
    await page.getByTestId('step-detail').getByRole('button', { name: 'Run the Test' }).click();
    const summary = page.getByTestId('test-summary');
    await summary.waitFor({ timeout: 30_000 });
    const failed = await page.locator('[data-check][data-status="fail"]').allTextContents();
    expect(failed).toEqual([]);
    expect(await summary.getAttribute('data-ok')).toBe('true');
    expect(await page.locator('[data-check]').count()).toBeGreaterThanOrEqual(5);
    // The help page's warning about a second sync (pre.other-sync) stands beside the result.
    expect(await page.getByTestId('other-sync-note').textContent()).toContain('manual');

    await page.locator('[data-nav="wizard"]').click();
    await step('admin.dwd-authorize').and(page.locator('[data-done="true"]')).waitFor();
    await openStep('app.users');
    await page.getByTestId('users-table').waitFor();
    await screenshot(page, 'wizard-en');
    await page.getByText('Suomi', { exact: true }).click();
    await page.getByText('Synkronoitavat käyttäjät').first().waitFor();
    await page.getByTestId('users-table').waitFor();
    await screenshot(page, 'wizard-fi');
  });
});
