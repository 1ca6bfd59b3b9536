import Database from 'libsql';
import { expect, test } from 'playwright/test';
import { profilePaths } from '../../main/core/store/profile';
import { SyncState } from '../../main/core/sync/state';
import { startAppUnderTest, type AppUnderTest } from '../helpers/renderer-harness';

const ENTRIES = 100_000;
/** Every 997th entry is an error. */
const ERRORS = Math.ceil(ENTRIES / 997);

/**
 * Ten weeks of a big company's log (inside the retention) in the profile's real state database: created by the state
 * module (schema and migrations), filled with one set-based INSERT (row-by-row takes ~20 s).
 */
function writeBigLog(profileDir: string): void {
  const file = profilePaths(profileDir).state;
  SyncState.open(file).close();
  const db = new Database(file);
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${ENTRIES - 1})
    INSERT INTO log (time, run_id, user, level, direction, action, severa_guid, google_id, result, message)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (${ENTRIES} - i) || ' minutes'),
           i / 100 + 1,
           CASE i % 4 WHEN 0 THEN 'aino.virtanen@kalevala.example' WHEN 1 THEN 'ilmari.korhonen@kalevala.example'
                      WHEN 2 THEN 'kerttu.makinen@kalevala.example' ELSE 'vaino.nieminen@kalevala.example' END,
           CASE WHEN i % 997 = 0 THEN 'error' ELSE 'info' END,
           CASE WHEN i % 3 = 0 THEN 'to-severa' ELSE 'to-google' END,
           CASE WHEN i % 3 = 0 THEN 'create-severa' ELSE 'update-google' END,
           'guid-' || i, 'event' || i,
           CASE WHEN i % 997 = 0 THEN 'error' ELSE 'ok' END,
           'entry number ' || i
    FROM n;`);
  db.close();
}

/**
 * The live log stays a virtualised list: 100 000 entries load, filter and scroll to the end
 * while the page holds only the rows on screen.
 */
test.describe('live log with 100 000 entries (Chromium)', () => {
  test.describe.configure({ mode: 'serial' });
  let app: AppUnderTest;

  test.beforeAll(async ({ browser }) => {
    app = await startAppUnderTest({
      browser,
      systemLanguage: 'en',
      configured: true,
      beforeStart: writeBigLog,
    });
  });
  test.afterAll(async () => {
    await app?.close();
  });

  const countText = () => app.page.getByTestId('log-count').textContent();

  test('loads every entry and renders only the visible rows', async () => {
    const { page } = app;
    await page.locator('[data-nav="dashboard"]').click();
    await expect.poll(countText, { timeout: 50_000 }).toBe(`${ENTRIES} of ${ENTRIES} entries`);
    expect(await page.locator('[data-log-entry]').count()).toBeLessThan(60);
  });

  test('scrolls to the last entry and back without rendering the rest', async () => {
    const { page } = app;
    const scroller = page.getByTestId('live-log');
    await scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await page
      .locator('[data-log-entry]')
      .filter({ hasText: `entry number ${ENTRIES - 1}` })
      .waitFor();
    await scroller.evaluate((el) => el.scrollTo({ top: 0 }));
    await page
      .locator('[data-log-entry]')
      .filter({ hasText: /entry number 0$/ })
      .waitFor();
    expect(await page.locator('[data-log-entry]').count()).toBeLessThan(60);
  });

  test('filters 100 000 entries by level and by search', async () => {
    const { page } = app;
    await page.getByRole('combobox', { name: 'Level' }).click();
    await page.getByRole('option', { name: 'Error', exact: true }).click();
    await expect.poll(countText).toBe(`${ERRORS} of ${ENTRIES} entries`);
    const levels = await page.locator('[data-log-entry]').allTextContents();
    expect(levels.every((row) => row.includes('Error'))).toBe(true);
    await page
      .getByRole('textbox', { name: 'Search (title, user, message)' })
      .fill('entry number 99700');
    await expect.poll(countText).toBe(`1 of ${ENTRIES} entries`);
  });
});
