import { expect, test } from 'playwright/test';
import { DEMO_PEOPLE } from '../../main/core/sandbox/demo-company';
import { googleCopyId } from '../../main/core/sync/mapping';
import { axeViolations } from '../helpers/axe';
import {
  pressSyncNow,
  screenshot,
  startSyncedApp,
  type AppUnderTest,
} from '../helpers/renderer-harness';

const AINO = 'aino.virtanen@kalevala.example';

/**
 * The admin's view of what happened to whom: a mass deletion held with its entries named, a
 * conflict with both versions, and every demo user's state, with titles and times throughout.
 */
test.describe("the admin's view: held deletions, conflicts, users (Chromium)", () => {
  test.describe.configure({ mode: 'serial' });
  let app: AppUnderTest;

  test.beforeAll(async ({ browser }) => {
    app = await startSyncedApp(browser);
  });
  test.afterAll(async () => {
    await app?.close();
  });

  const syncNow = () => pressSyncNow(app.page);
  const live = () =>
    app.google.control
      .listAll(AINO)
      .filter((e) => e.status !== 'cancelled' && e.extendedProperties?.private?.severaGuid);

  test('holds a mass deletion and names every entry, its start, side and why', async () => {
    const { page, google } = app;
    await page.locator('[data-nav="dashboard"]').click();
    // Every single (non-recurring) linked event of Aino's goes: more than the 25 % threshold.
    const victims = live().filter((e) => !e.recurrence && !e.recurringEventId);
    for (const event of victims) google.control.deleteEvent(AINO, event.id!);

    await syncNow();
    const held = page.locator(`[data-held-user="${AINO}"]`);
    await held.waitFor();
    const text = (await held.textContent()) ?? '';
    expect(text).toContain(`would delete ${victims.length} of `);
    for (const event of victims) expect(text).toContain(event.summary!);
    expect(await held.locator('[data-held-item]').count()).toBe(victims.length);
    expect(text).toContain('deleted in Google since');
    // Times are shown as the admin's clock reads them (the harness runs in Europe/Helsinki).
    const first = victims.map((e) => e.start?.dateTime).find(Boolean)!;
    const local = new Intl.DateTimeFormat('en-GB', {
      dateStyle: 'short',
      timeStyle: 'medium',
      timeZone: 'Europe/Helsinki',
    }).format(new Date(first));
    expect(text).toContain(local);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByText('Suomi', { exact: true }).click();
    await held.getByText('poistettu Googlesta').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByText('English', { exact: true }).click();
    await held.getByText('deleted in Google since').first().waitFor();

    // The log calls them what they are: deletions that would happen, held.
    await page
      .getByRole('textbox', { name: 'Search (title, user, message)' })
      .fill(victims[0]!.summary!);
    await page.getByText('Would delete from Severa (held)').first().waitFor();

    await held.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the held entries?' });
    await dialog.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // Destructive: Cancel has the focus, so Enter keeps everything.
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    expect(await held.count()).toBe(1);

    await held.getByRole('button', { name: 'Keep and restore' }).click();
    const outcome = page.getByTestId('held-outcome');
    await outcome.waitFor({ timeout: 45_000 });
    expect(await outcome.textContent()).toMatch(
      new RegExp(`^${victims.length} entries of ${AINO} kept and restored\\.`),
    );
    await held.waitFor({ state: 'detached' });
    const back = live().map((e) => e.id);
    expect(victims.every((v) => back.includes(v.id))).toBe(true);
  });

  test('shows a conflict in the log with both versions side by side', async () => {
    const { page, google, severa } = app;
    const event = live().find(
      (e) =>
        !e.recurringEventId &&
        e.id === googleCopyId(e.extendedProperties!.private!.severaGuid!, AINO),
    )!;
    const activity = { guid: event.extendedProperties!.private!.severaGuid! };
    severa.control.activities.edit(activity.guid, { name: 'Sprint review (Severa)' });
    await new Promise((r) => setTimeout(r, 20));
    google.control.editEvent(AINO, event.id!, { summary: 'Sprint review (Google)' });
    await syncNow();

    await page
      .getByRole('textbox', { name: 'Search (title, user, message)' })
      .fill('Sprint review');
    const row = page.locator('[data-log-entry]').filter({ hasText: 'Conflict' }).first();
    await row.waitFor();
    expect(await row.textContent()).toContain('Sprint review (Google)');
    // At 1024 px the columns wrap: the message keeps its width inside the row, never cut away.
    await page.setViewportSize({ width: 1024, height: 860 });
    const rowBox = (await row.boundingBox())!;
    const messageBox = (await row.locator('.log-message').boundingBox())!;
    expect(messageBox.width).toBeGreaterThan(200);
    expect(messageBox.x + messageBox.width).toBeLessThanOrEqual(rowBox.x + rowBox.width + 1);
    await page.setViewportSize({ width: 1280, height: 860 });
    // The row opens its details with the keyboard too.
    await row.focus();
    await page.keyboard.press('Enter');
    const drawer = page.getByTestId('log-detail');
    await drawer.waitFor();
    const versions = page.getByTestId('conflict-versions');
    expect(await versions.locator('[data-field="title"]').textContent()).toBe(
      'TitleSprint review (Severa)Sprint review (Google)',
    );
    expect(await versions.locator('[data-field="start"]').textContent()).toMatch(/^Start\S/);
    expect(await drawer.textContent()).toContain(activity.guid);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'log-drawer-en');
    // The drawer is modal: the language changes from main, as a change in the settings does.
    await app.service.updateSettings({ app: { language: 'fi' } });
    await page.getByText('Molemmat versiot').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'log-drawer-fi');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await page.getByText('English', { exact: true }).click();
    await page.getByText('Sync log').waitFor();
  });

  test('lists every demo user with the right state', async () => {
    const { page } = app;
    await page.locator('[data-nav="users"]').click();
    const table = page.getByTestId('user-states');
    await table.waitFor();
    for (const person of DEMO_PEOPLE) {
      const row = table.locator(`[data-user="${person.severaEmail}"]`);
      const expected = person.inGoogle ? 'ok' : 'skipped';
      expect(await row.getAttribute('data-state'), person.severaEmail ?? '').toBe(expected);
      expect(await row.textContent()).toContain(person.inGoogle ? 'Synced' : 'Skipped');
    }
    expect(await table.locator('[data-user]').count()).toBe(DEMO_PEOPLE.length);
    const aino = table.locator(`[data-user="${AINO}"]`);
    expect(Number((await aino.locator('[data-items]').textContent()) ?? '0')).toBeGreaterThan(0);
    // The skipped ones say why and lead to the step that fixes it.
    const pekka = table.locator('[data-user="pekka.heikkinen@kalevala.example"]');
    expect(await pekka.getByRole('button').getAttribute('data-step-link')).toBe('pre.same-email');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'users-en');
    await page.getByText('Suomi', { exact: true }).click();
    await page.getByRole('heading', { name: 'Käyttäjät' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'users-fi');
    await page.getByText('English', { exact: true }).click();
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
    await syncNow();
    expect(google.control.listAll(AINO).filter((e) => e.status !== 'cancelled').length).toBe(
      googleCount,
    );
    expect(severa.control.activities.listAll().length).toBe(severaCount);
  });
});
