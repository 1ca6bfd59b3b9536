import { expect, test } from 'playwright/test';
import { screenshot, startAppUnderTest, type AppUnderTest } from '../helpers/renderer-harness';

/**
 * The most common set-up failure: the Admin console has no delegation entry for the service
 * account. The Test must name the step that fixes it and offer the Admin console page already
 * filled in with this client id and the calendar scope.
 */
test.describe('missing domain-wide delegation (Chromium)', () => {
  test.describe.configure({ mode: 'serial' });
  let app: AppUnderTest;

  test.beforeAll(async ({ browser }) => {
    app = await startAppUnderTest({
      browser,
      systemLanguage: 'en',
      configured: true,
      backgroundPaused: true,
    });
    app.google.control.revoke(app.demo.clientId);
  });
  test.afterAll(async () => {
    await app?.close();
  });

  test('fails the token check with the admin.dwd-authorize step and its pre-filled link', async () => {
    const { page, demo, opened } = app;
    await page.locator('[data-nav="test"]').click();
    await page.getByTestId('run-test').click();
    const summary = page.getByTestId('test-summary');
    await summary.waitFor({ timeout: 30_000 });
    expect(await summary.getAttribute('data-ok')).toBe('false');

    const failed = page.locator('[data-check][data-status="fail"]');
    const tokenCheck = failed.filter({
      has: page.locator('[data-step-link="admin.dwd-authorize"]'),
    });
    expect(await tokenCheck.count()).toBe(1);
    expect(await tokenCheck.getByTestId('dwd-delay').textContent()).toContain('24 hours');

    await tokenCheck.getByRole('button', { name: 'Open the page' }).click();
    await expect.poll(() => opened.length).toBe(1);
    const link = new URL(opened[0]!);
    expect(link.host).toBe('admin.google.com');
    expect(link.searchParams.get('clientIdToAdd')).toBe(demo.clientId);
    expect(link.searchParams.get('clientScopeToAdd')).toBe(
      'https://www.googleapis.com/auth/calendar',
    );
    await screenshot(page, 'test-failure-en');
  });

  test('shows the same results in Finnish', async () => {
    const { page } = app;
    await page.getByText('Suomi', { exact: true }).click();
    await page.getByRole('heading', { name: 'Testi' }).waitFor();
    expect(await page.getByTestId('test-summary').textContent()).toMatch(/tarkistus.* epäonnistui/);
    await screenshot(page, 'test-failure-fi');
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('heading', { name: 'Test' }).waitFor();
  });

  test('leads from the failure to the wizard step, which has the client id and scope to copy', async () => {
    const { page, demo } = app;
    await page
      .locator('[data-check][data-status="fail"] [data-step-link="admin.dwd-authorize"]')
      .click();
    const detail = page.locator('[data-testid="step-detail"][data-step="admin.dwd-authorize"]');
    await detail.waitFor();
    expect(await detail.textContent()).toContain(demo.clientId);
    expect(await detail.getByRole('button', { name: /^Copy/ }).count()).toBe(2);
    await detail.getByRole('button', { name: 'Open the Admin console, pre-filled' }).click();
    await expect.poll(() => app.opened.length).toBe(2);
    expect(app.opened[1]).toBe(app.opened[0]);
  });

  test('turns green once the delegation is authorised again', async () => {
    const { page, google, demo } = app;
    google.control.authorize(demo.clientId, ['https://www.googleapis.com/auth/calendar']);
    await page.locator('[data-nav="test"]').click();
    await page.getByTestId('run-test').click();
    await page.locator('[data-testid="test-summary"][data-ok="true"]').waitFor({ timeout: 30_000 });
  });
});
