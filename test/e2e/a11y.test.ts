import { expect, test } from 'playwright/test';
import { axeViolations } from '../helpers/axe';
import { startAppUnderTest, type AppUnderTest } from '../helpers/renderer-harness';

/**
 * axe-core (WCAG 2.1 A and AA) on every view, in Finnish and in English: the first start, the
 * set-up's panels, the Test with its results, the dashboard with the log, the users, the
 * settings. Any violation fails, with the rule and the element named.
 */
test.describe('accessibility of every view in fi and en (Chromium, axe-core)', () => {
  test.describe.configure({ mode: 'serial' });
  let app: AppUnderTest;

  test.beforeAll(async ({ browser }) => {
    app = await startAppUnderTest({ browser, systemLanguage: 'fi' });
  });
  test.afterAll(async () => {
    await app?.close();
  });

  const clean = async (view: string) => expect(await axeViolations(app.page), view).toEqual([]);
  const language = async (lang: 'fi' | 'en') => {
    await app.page
      .getByText(lang === 'fi' ? 'Suomi' : 'English', { exact: true })
      .first()
      .click();
    await expect.poll(() => app.page.evaluate<string>('document.documentElement.lang')).toBe(lang);
  };

  test('the first start, in both languages', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Aloita käyttöönotto' }).waitFor();
    await clean('welcome fi');
    await language('en');
    await page.getByRole('button', { name: 'Start the set-up' }).waitFor();
    await clean('welcome en');
  });

  test('every view of the demo company, in both languages', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Open the demo company' }).click();
    await page.getByTestId('sync-now').waitFor({ timeout: 30_000 });
    await page.getByTestId('sync-now').click();
    await page.locator('[data-testid="sync-now"]:not([data-loading])').waitFor({ timeout: 45_000 });
    for (const lang of ['en', 'fi'] as const) {
      await language(lang);
      await page.locator('[data-nav="dashboard"]').click();
      await page.locator('[data-log-entry]').first().waitFor();
      await clean(`dashboard ${lang}`);

      await page.locator('[data-nav="test"]').click();
      await page.getByTestId('run-test').click();
      await page.getByTestId('test-summary').waitFor({ timeout: 30_000 });
      await clean(`test ${lang}`);

      await page.locator('[data-nav="users"]').click();
      await page.getByTestId('user-states').waitFor();
      await clean(`users ${lang}`);

      await page.locator('[data-nav="settings"]').click();
      await page.locator('.mantine-Accordion-control').click();
      await clean(`settings ${lang}`);

      // Every stop of the flow: before you start, each step, the finish.
      await page.locator('[data-nav="wizard"]').click();
      const steps = await page
        .locator('[data-checklist-step]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-checklist-step')!));
      expect(steps.length).toBeGreaterThanOrEqual(14);
      for (const step of steps) {
        await page.locator(`[data-checklist-step="${step}"]`).click();
        await page
          .locator(`[data-testid="step-detail"][data-step="${step}"]`)
          .or(page.getByTestId(step === 'done' ? 'finish' : 'before-you-start'))
          .first()
          .waitFor();
        if (step === 'severa.activity-types') await page.getByRole('checkbox').first().waitFor();
        if (step === 'app.users') await page.getByTestId('users-table').waitFor();
        await clean(`wizard ${step} ${lang}`);
      }
    }
  });

  test('leaves the demo for the own company from the window', async () => {
    const { page, service } = app;
    await page.getByTestId('leave-demo').click();
    await page
      .getByRole('button', { name: 'Aloita käyttöönotto' })
      .or(page.getByRole('button', { name: 'Start the set-up' }))
      .waitFor();
    expect((await service.getState()).demo).toBe(false);
    await clean('welcome after the demo');
  });
});
