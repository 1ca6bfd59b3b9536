import { expect, test } from 'playwright/test';
import { startAppUnderTest, type AppUnderTest } from '../helpers/renderer-harness';

const AINO = 'aino.virtanen@kalevala.example';

/**
 * The deletion brake on the dashboard (design D8): a run that would delete more than the
 * threshold of a user's entries is held, shown, and waits for the admin's answer.
 */
test.describe('held deletions (Chromium)', () => {
  test.describe.configure({ mode: 'serial' });
  let app: AppUnderTest;

  test.beforeAll(async ({ browser }) => {
    app = await startAppUnderTest({ browser, systemLanguage: 'en', configured: true });
    const first = await app.service.syncNow();
    if (!first.ok) throw new Error(first.error.message.en);
  });
  test.afterAll(async () => {
    await app?.close();
  });

  test('holds a mass deletion for the admin; Delete asks first, Keep restores', async () => {
    const { page, google } = app;
    await page.locator('[data-nav="dashboard"]').click();
    const live = () =>
      google.control
        .listAll(AINO)
        .filter((e) => e.status !== 'cancelled' && e.extendedProperties?.private?.severaGuid);
    // Every single (non-recurring) linked event of Aino's goes: more than the 25 % threshold.
    const victims = live().filter((e) => !e.recurrence && !e.recurringEventId);
    for (const event of victims) google.control.deleteEvent(AINO, event.id!);

    await page.getByTestId('sync-now').click();
    await page.locator('[data-testid="sync-now"]:not([data-loading])').waitFor({ timeout: 45_000 });
    const row = page.getByRole('row').filter({ hasText: AINO });
    await row.waitFor();
    expect(await row.textContent()).toContain(`${victims.length} of `);

    await row.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the held entries?' });
    await dialog.waitFor();
    // Destructive: Cancel has the focus, so Enter keeps everything.
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    expect(await row.count()).toBe(1);

    await row.getByRole('button', { name: 'Keep and restore' }).click();
    await row.waitFor({ state: 'detached', timeout: 45_000 });
    const back = live().map((e) => e.id);
    expect(victims.every((v) => back.includes(v.id))).toBe(true);
  });

  test('resets the sync state behind a confirmation; the next run adopts, never duplicates', async () => {
    const { page, google, severa } = app;
    const googleCount = google.control.listAll(AINO).filter((e) => e.status !== 'cancelled').length;
    const severaCount = severa.control.activities.listAll().length;

    await page.locator('[data-nav="settings"]').click();
    await page.getByRole('button', { name: 'Reset sync state' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reset the sync state?' });
    await dialog.getByRole('button', { name: 'Reset', exact: true }).click();
    await page.getByText('Saved').first().waitFor();

    await page.locator('[data-nav="dashboard"]').click();
    await page.getByTestId('sync-now').click();
    await page.locator('[data-testid="sync-now"]:not([data-loading])').waitFor({ timeout: 45_000 });
    expect(google.control.listAll(AINO).filter((e) => e.status !== 'cancelled').length).toBe(
      googleCount,
    );
    expect(severa.control.activities.listAll().length).toBe(severaCount);
  });
});
