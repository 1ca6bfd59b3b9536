import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppUnderTest, type AppUnderTest } from '../helpers/renderer-harness';

/**
 * A fresh machine, no account: "try it with the demo company" starts the sandboxes inside the
 * app and every screen works against them, with the sandbox banner shown.
 */
describe('demo company from the first start (Chromium)', () => {
  let app: AppUnderTest;

  beforeAll(async () => {
    app = await startAppUnderTest({ systemLanguage: 'en' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('opens the demo company on the dashboard with the sandbox banner', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Open the demo company' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor({ timeout: 30_000 });
    const banner = await page.getByTestId('sandbox-banner').textContent();
    expect(banner).toContain('Demo company');
    expect(banner).toContain('127.0.0.1');
  });

  it('runs Sync now and the Test against the demo sandboxes', async () => {
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
