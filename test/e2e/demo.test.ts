import { expect, test } from 'playwright/test';
import { startAppUnderTest, type AppUnderTest } from '../helpers/renderer-harness';

/**
 * A fresh machine, no account: "try it with the demo company" starts the sandboxes inside the
 * app and every screen works against them, with the sandbox banner shown.
 */
test.describe('demo company from the first start (Chromium)', () => {
  test.describe.configure({ mode: 'serial' });
  let app: AppUnderTest;

  test.beforeAll(async ({ browser }) => {
    app = await startAppUnderTest({ browser, systemLanguage: 'en' });
  });
  test.afterAll(async () => {
    await app?.close();
  });

  test('opens the demo company on the dashboard with the sandbox banner', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Open the demo company' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor({ timeout: 30_000 });
    const banner = await page.getByTestId('sandbox-banner').textContent();
    expect(banner).toContain('Demo company');
    expect(banner).toContain('127.0.0.1');
  });

  test('runs Sync now and the Test against the demo sandboxes', async () => {
    const { page } = app;
    await page.getByTestId('sync-now').click();
    await page.locator('[data-testid="sync-now"]:not([data-loading])').waitFor({ timeout: 45_000 });
    await page.locator('[data-log-entry]').first().waitFor();
    const created = await page.locator('[data-count="created"]').allTextContents();
    expect(created.map(Number).some((n) => n > 0)).toBe(true);

    await page.locator('[data-nav="test"]').click();
    await page.getByTestId('run-test').click();
    await page.locator('[data-testid="test-summary"][data-ok="true"]').waitFor({ timeout: 30_000 });
  });
});
