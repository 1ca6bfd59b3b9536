import { expect, test, type Locator, type Page } from 'playwright/test';
import type { LogEntryDto } from '../../preload/api';
import { SEVERA_SCOPES } from '../../main/core/severa/types';
import { googleCopyId } from '../../main/core/sync/mapping';
import { axeViolations } from '../helpers/axe';
import { looksEnglish } from '../helpers/finnish';
import {
  pressSyncNow,
  screenshot,
  startSyncedApp,
  type AppUnderTest,
} from '../helpers/renderer-harness';

const AINO = 'aino.virtanen@kalevala.example';
const TITLE = 'Budget review';
const SCOPE_ERROR = "The access token does not have the required API scope 'activities:write'.";

/** A time as the admin's clock shows it in the UI (the harness runs in Europe/Helsinki). */
const local = (iso: string, language: 'en' | 'fi') =>
  new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'fi-FI', {
    dateStyle: 'short',
    timeStyle: 'medium',
    timeZone: 'Europe/Helsinki',
  }).format(new Date(iso));

/**
 * An item that keeps failing for a reason retrying will not cure: Severa refuses to create the
 * activity for a new Google event because the REST API credential lacks `activities:write` (as
 * one made without that scope). After three runs it is quarantined and shown in the dashboard,
 * the users view and the log with its title and time, Severa's own words and the step that fixes
 * it; once the scope is given back, Retry and Sync now bring it in. Then, in Finnish, no word the
 * engine wrote of its own is shown in English.
 */
test.describe('quarantined items (Chromium)', () => {
  test.describe.configure({ mode: 'serial' });
  let app: AppUnderTest;
  let start: string;

  test.beforeAll(async ({ browser }) => {
    app = await startSyncedApp(browser);
  });
  test.afterAll(async () => {
    await app?.close();
  });

  const syncNow = () => pressSyncNow(app.page);
  const severaScopes = (scopes: readonly string[]) => {
    const { clientId, clientSecret } = app.severa.demo!;
    app.severa.control.addClient(clientId, clientSecret, scopes);
    // The next run's token carries the credential's scopes as they are now.
    app.severa.control.expireTokens();
  };
  const item = () => app.page.locator(`[data-quarantined-item][data-user="${AINO}"]`);
  const search = (page: Page, text: string) =>
    page.getByRole('textbox', { name: /^(Search|Hae)/ }).fill(text);

  test('quarantines an item that keeps failing, shown with its title, time, Severa’s words and the step', async () => {
    const { page, google, severa } = app;
    await page.locator('[data-nav="dashboard"]').click();
    const startMs = Date.now() + 2 * 86_400_000;
    start = new Date(startMs - (startMs % 3_600_000)).toISOString();
    google.control.putEvent(AINO, {
      summary: TITLE,
      start: { dateTime: start },
      end: { dateTime: new Date(Date.parse(start) + 3_600_000).toISOString() },
    });
    severaScopes(SEVERA_SCOPES.filter((s) => s !== 'activities:write'));

    for (let run = 1; run <= 3; run++) {
      await syncNow();
      // Two failures are errors the next run retries; the third quarantines the item.
      if (run < 3) expect(await item().count(), `after run ${run}`).toBe(0);
    }
    await item().waitFor();
    expect(await page.locator('[data-quarantined-item]').count()).toBe(1);
    const text = (await item().textContent()) ?? '';
    expect(text).toContain(`${TITLE} · ${local(start, 'en')}`);
    expect(text).toContain(`${AINO} · Creating in Severa · failed in 3 runs in a row`);
    expect(await item().locator('[data-quarantined-words]').textContent()).toContain(
      'The Severa REST API credential lacks a scope this product needs.',
    );
    const server = item().locator('[data-server-words="severa"]');
    expect(await server.textContent()).toBe(`Severa's answer, as it was sent${SCOPE_ERROR}`);
    expect(await item().locator('[data-step-link]').getAttribute('data-step-link')).toBe(
      'severa.api-credentials',
    );
    expect(await page.getByTestId('last-run').locator('xpath=..').textContent()).toContain(
      '1 item quarantined',
    );
    expect(severa.control.activities.listAll().some((a) => a.name === TITLE)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);

    // The log: the quarantined entry names its item, and its drawer has Severa's words, the step and Retry.
    await search(page, TITLE);
    const row = page.locator('[data-log-entry]').filter({ hasText: 'Quarantined' });
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain(`${TITLE} · ${local(start, 'en')}`);
    expect(await row.locator('[data-log-words]').textContent()).toContain(
      'failed in 3 runs in a row and is quarantined',
    );
    await row.focus();
    await page.keyboard.press('Enter');
    const drawer = page.getByTestId('log-detail');
    await drawer.waitFor();
    expect(await drawer.locator('[data-server-words="severa"]').textContent()).toContain(
      SCOPE_ERROR,
    );
    expect(await drawer.locator('[data-step-link]').getAttribute('data-step-link')).toBe(
      'severa.api-credentials',
    );
    await drawer.getByTestId('retry-item').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await search(page, '');

    // The users view: Aino syncs on, with one item quarantined.
    await page.locator('[data-nav="users"]').click();
    const aino = page.getByTestId('user-states').locator(`[data-user="${AINO}"]`);
    await aino.waitFor();
    expect(await aino.getAttribute('data-state')).toBe('quarantined');
    expect(await aino.textContent()).toContain('Items quarantined');
    expect(await aino.locator('[data-reason]').textContent()).toBe(
      '1 item is quarantined: it is left alone until it is retried.',
    );
    expect(await axeViolations(page)).toEqual([]);

    // The same in Finnish: our words in Finnish, Severa's as it sent them.
    await page.getByText('Suomi', { exact: true }).click();
    await page.getByRole('heading', { name: 'Käyttäjät' }).waitFor();
    expect(await aino.textContent()).toContain('Merkintöjä karanteenissa');
    expect(await aino.locator('[data-reason]').textContent()).toBe(
      '1 merkintä on karanteenissa: sitä ei käsitellä, ennen kuin sitä yritetään uudelleen.',
    );
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('[data-nav="dashboard"]').click();
    await item().waitFor();
    const fi = (await item().textContent()) ?? '';
    expect(fi).toContain(`${TITLE} · ${local(start, 'fi')}`);
    expect(fi).toContain('epäonnistui 3 ajossa peräkkäin');
    expect(await item().locator('[data-quarantined-words]').textContent()).toContain(
      'Severan REST API -tunnukselta puuttuu tarvittava käyttöoikeus (scope).',
    );
    expect(await server.textContent()).toBe(`Severan vastaus sellaisenaan${SCOPE_ERROR}`);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'quarantine-fi');
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await screenshot(page, 'quarantine-en');
  });

  test('retries it once the cause is removed, says what it did and what comes next, and it syncs', async () => {
    const { page, severa, service } = app;
    // The admin gives the credential its write scope in Severa, then retries the item.
    severaScopes(SEVERA_SCOPES);
    await item().getByTestId('retry-item').click();
    const outcome = item().getByTestId('retry-outcome');
    await outcome.waitFor();
    const { nextRunAt } = await service.getStatus();
    expect(await outcome.textContent()).toBe(
      `Marked for retry. The next run (${local(nextRunAt!, 'en')}) reads “${TITLE}” again on both sides and decides anew; Sync now does it at once. If the cause is still there, it is quarantined again.`,
    );
    expect(await service.listQuarantined()).toEqual([
      expect.objectContaining({ user: AINO, retryRequested: true, title: TITLE }),
    ]);
    expect(await axeViolations(page)).toEqual([]);

    await syncNow();
    await item().waitFor({ state: 'detached' });
    expect(await page.getByTestId('quarantined').textContent()).toContain(
      'None: no item keeps failing.',
    );
    expect(severa.control.activities.listAll().filter((a) => a.name === TITLE)).toHaveLength(1);
    await search(page, TITLE);
    await page
      .locator('[data-log-entry]')
      .filter({ hasText: 'Created in Severa' })
      .first()
      .waitFor();
    await search(page, '');
    await page.locator('[data-nav="users"]').click();
    const aino = page.getByTestId('user-states').locator(`[data-user="${AINO}"]`);
    await expect.poll(() => aino.getAttribute('data-state')).toBe('ok');
  });

  test('in Finnish, no word the engine wrote of its own is shown in English', async () => {
    const { page, google, severa, service } = app;
    // A conflict too, so the log has every kind of entry a day brings.
    const event = google.control
      .listAll(AINO)
      .find(
        (e) =>
          e.status !== 'cancelled' &&
          !e.recurringEventId &&
          e.extendedProperties?.private?.severaGuid &&
          e.id === googleCopyId(e.extendedProperties.private.severaGuid, AINO),
      )!;
    severa.control.activities.edit(event.extendedProperties!.private!.severaGuid!, {
      name: 'Sprint planning (Severa)',
    });
    await new Promise((r) => setTimeout(r, 20));
    google.control.editEvent(AINO, event.id!, { summary: 'Sprint planning (Google)' });
    await page.locator('[data-nav="dashboard"]').click();
    await page.getByText('Suomi', { exact: true }).click();
    await page.getByRole('heading', { name: 'Yleiskatsaus' }).waitFor();
    await syncNow();
    // The log as it opens (stored entries, each with its id), not as it streamed in.
    await page.locator('[data-nav="users"]').click();
    await page.locator('[data-nav="dashboard"]').click();
    await page.locator('[data-log-entry]').first().waitFor();

    const entries = new Map((await service.queryLog({ limit: 100_000 })).map((e) => [e.id, e]));
    const kinds = new Set([...entries.values()].filter((e) => e.text).map((e) => e.action));
    for (const kind of ['user-skipped', 'create-severa', 'quarantined', 'conflict'])
      expect([...kinds], kind).toContain(kind);
    const shown = await everyRow(page.getByTestId('live-log'));
    expect(shown.size).toBe(entries.size);
    const problems = [...shown].flatMap(([id, words]) => {
      const entry = entries.get(id) as LogEntryDto;
      if (!entry.text) return entry.message && !entry.messageFrom ? [`${id}: ${words}`] : [];
      return words === entry.text.fi && !looksEnglish(words) ? [] : [`${entry.action}: ${words}`];
    });
    expect(problems).toEqual([]);
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });
});

/** Every row of the virtualised log, scrolled through from the top: id → the words it shows. */
async function everyRow(log: Locator): Promise<Map<number, string>> {
  const rows = new Map<number, string>();
  const collect = async () => {
    const seen = await log
      .locator('[data-log-entry]')
      .evaluateAll((els) =>
        els.map((el) => [
          Number(el.getAttribute('data-log-entry')),
          el.querySelector('[data-log-words]')?.textContent ?? '',
        ]),
      );
    for (const [id, words] of seen) rows.set(id as number, words as string);
  };
  await log.evaluate((el) => el.scrollTo(0, 0));
  for (let step = 0; step < 500; step++) {
    await collect();
    const atEnd = await log.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 1);
    if (atEnd) break;
    await log.evaluate((el) => el.scrollBy(0, 300));
    // Virtuoso renders the rows that came into view on the next frame.
    await log.page().waitForTimeout(50);
  }
  return rows;
}
