import { readFile } from 'node:fs/promises';
import { expect, test } from 'playwright/test';
import { screenshot, startAppUnderTest, type AppUnderTest } from '../helpers/renderer-harness';

const AINO = 'aino.virtanen@kalevala.example';

/**
 * Sync now from the dashboard against both sandboxes: the calendars change on both sides, and
 * the entries arrive in the live log while the run is going (the log starts empty).
 */
test.describe('Sync now and the live log (Chromium)', () => {
  test.describe.configure({ mode: 'serial' });
  let app: AppUnderTest;

  test.beforeAll(async ({ browser }) => {
    app = await startAppUnderTest({ browser, systemLanguage: 'en', configured: true });
  });
  test.afterAll(async () => {
    await app?.close();
  });

  const logCount = async () => {
    const text = (await app.page.getByTestId('log-count').textContent()) ?? '';
    const [shown, total] = (text.match(/\d+/g) ?? []).map(Number);
    return { shown: shown ?? 0, total: total ?? 0 };
  };

  test('changes the sandbox calendars and streams the entries into the live log', async () => {
    const { page, google, severa } = app;
    const googleBefore = google.control.listAll(AINO).length;
    const severaBefore = severa.control.activities.listAll().length;

    await page.locator('[data-nav="dashboard"]').click();
    await page.getByText('No entries yet. Press Sync now.').waitFor();
    await page.getByTestId('sync-now').click();
    await page.locator('[data-testid="sync-now"]:not([data-loading])').waitFor({ timeout: 45_000 });
    await page.locator('[data-log-entry]').first().waitFor();

    expect(google.control.listAll(AINO).length).toBeGreaterThan(googleBefore);
    expect(severa.control.activities.listAll().length).toBeGreaterThan(severaBefore);
    expect(await page.getByTestId('last-run').textContent()).not.toBe('–');
    const created = await page.locator('[data-count="created"]').allTextContents();
    expect(created.map(Number).every((n) => n > 0)).toBe(true);
    const { shown, total } = await logCount();
    expect(total).toBeGreaterThan(0);
    expect(shown).toBe(total);
    await screenshot(page, 'dashboard-en');
    await page.getByText('Suomi', { exact: true }).click();
    await page.getByRole('heading', { name: 'Yleiskatsaus' }).waitFor();
    await screenshot(page, 'dashboard-fi');
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });

  test('filters the log by direction and user, and searches it', async () => {
    const { page } = app;
    const all = (await logCount()).total;
    await page.getByRole('combobox', { name: 'Direction' }).click();
    await page.getByRole('option', { name: '→ Severa' }).click();
    const toSevera = (await logCount()).shown;
    expect(toSevera).toBeGreaterThan(0);
    expect(toSevera).toBeLessThan(all);
    const directions = await page.locator('[data-log-entry]').allTextContents();
    expect(directions.every((row) => row.includes('→ Severa'))).toBe(true);

    await page.getByRole('combobox', { name: 'Direction' }).click();
    await page.getByRole('option', { name: '→ Severa' }).click(); // a second click clears it
    await expect.poll(async () => (await logCount()).shown).toBe(all);

    await page.getByRole('combobox', { name: 'User' }).click();
    await page.getByRole('option', { name: 'ilmari.korhonen@kalevala.example' }).click();
    await expect.poll(async () => (await logCount()).shown).toBeLessThan(all);
    const ilmari = await page.locator('[data-log-entry]').allTextContents();
    expect(ilmari.every((row) => row.includes('ilmari.korhonen@'))).toBe(true);
    await page.getByRole('combobox', { name: 'User' }).click();
    await page.getByRole('option', { name: 'ilmari.korhonen@kalevala.example' }).click();
    await expect.poll(async () => (await logCount()).shown).toBe(all);

    await page.getByRole('textbox', { name: 'Search' }).fill('kerttu');
    await expect.poll(async () => (await logCount()).shown).toBeLessThan(all);
    const rows = await page.locator('[data-log-entry]').allTextContents();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.toLowerCase().includes('kerttu'))).toBe(true);
    await page.getByRole('textbox', { name: 'Search' }).fill('');
    await expect.poll(async () => (await logCount()).shown).toBe(all);
  });

  test('exports the log with e-mail addresses masked', async () => {
    const { page } = app;
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^severa-calendar-sync-log-.*\.jsonl$/);
    const content = (await readFile((await download.path())!)).toString('utf8');
    const lines = content.trim().split('\n');
    expect(lines.length).toBe((await logCount()).total);
    expect(content).toContain('kalevala.example');
    expect(content).not.toContain(AINO);
  });

  test('shows an edit made in Google arriving in Severa on the next Sync now', async () => {
    const { page, google, severa } = app;
    // A plain meeting that came from Google and now has its Severa twin (linked on the event).
    const meeting = google.control
      .listAll(AINO)
      .find(
        (e) =>
          e.status !== 'cancelled' &&
          e.extendedProperties?.private?.origin === 'google' &&
          !e.recurrence &&
          !e.recurringEventId &&
          e.visibility !== 'private',
      );
    const twin = meeting?.extendedProperties?.private?.severaGuid;
    expect(twin).toBeDefined();
    google.control.editEvent(AINO, meeting!.id!, { summary: 'Moved to the big room' });
    const before = (await logCount()).total;
    await page.getByTestId('sync-now').click();
    await page.locator('[data-testid="sync-now"]:not([data-loading])').waitFor({ timeout: 45_000 });
    await expect.poll(async () => (await logCount()).total).toBeGreaterThan(before);
    expect(severa.control.activities.get(twin!)?.name).toBe('Moved to the big room');
  });
});
