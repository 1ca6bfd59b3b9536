import { expect, test, type Page } from 'playwright/test';
import { axeViolations } from '../helpers/axe';
import { screenshot, startAppUnderTest, type AppUnderTest } from '../helpers/renderer-harness';

/** Colleagues added to the demo company, so that its first sync lasts long enough to watch. */
const COLLEAGUES = 100;
const TITLES = ['Asiakastapaaminen', 'Projektipalaveri', 'Katselmointi'];
/** Added to every answer of each sandbox: a first sync of a company over a real network. */
const LATENCY_MS = { severa: 300, google: 150 };
/**
 * …and while the screenshots are taken: every request then takes this long, so that the run is
 * still going when both languages have been shown, however loaded the machine is (under the
 * clients' 30 s request timeout).
 */
const HOLD_LATENCY_MS = 10_000;
const RUN_TIMEOUT_MS = 120_000;

interface Seen {
  phase: string | null;
  now: string | null;
  done: number;
  total: number;
  toGoogle: string;
  toSevera: string;
  eta: string;
  announcement: string;
}

/**
 * Records every state the progress card shows (a MutationObserver in the page, as page source:
 * the test's types have no DOM), so that the test sees each value the admin saw, not only those
 * it happened to poll.
 */
const RECORDER = `(() => {
  window.__seen = [];
  const read = () => {
    const card = document.querySelector('[data-testid="sync-progress"]');
    if (!card) return null;
    const bar = card.querySelector('[role="progressbar"]');
    const text = (selector) => card.querySelector(selector)?.textContent ?? '';
    return {
      phase: card.getAttribute('data-phase'),
      now: bar?.getAttribute('aria-valuenow') ?? null,
      done: Number(bar?.getAttribute('data-users-done')),
      total: Number(bar?.getAttribute('data-users-total')),
      toGoogle: text('[data-progress-written="to-google"]'),
      toSevera: text('[data-progress-written="to-severa"]'),
      eta: text('[data-progress-eta]'),
      announcement:
        document.querySelector('[data-testid="sync-progress-announcement"]')?.textContent ?? '',
    };
  };
  new MutationObserver(() => {
    const seen = read();
    if (seen && JSON.stringify(seen) !== JSON.stringify(window.__seen.at(-1)))
      window.__seen.push(seen);
  }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
})()`;

const seen = (page: Page) => page.evaluate<Seen[]>('window.__seen');

const count = (text: string) => Number((text.match(/\d[\d\s]*/)?.[0] ?? '').replace(/\s/g, ''));

/**
 * A first sync of a company watched on the dashboard: the progress bar shows the real core's
 * numbers against both sandboxes (slowed by their latency option) while the run goes on, is
 * screenshotted in English and Finnish, passes axe in both, moves, and ends at done.
 */
test.describe('a first sync in progress (Chromium)', () => {
  test.describe.configure({ mode: 'serial' });
  let app: AppUnderTest;
  const latency = (ms: { severa: number; google: number }) => {
    app.severa.control.setLatency(ms.severa);
    app.google.control.setLatency(ms.google);
  };

  test.beforeAll(async ({ browser }) => {
    // Paused: the first sync is the one this test starts, not the scheduler's.
    app = await startAppUnderTest({
      browser,
      systemLanguage: 'en',
      configured: true,
      backgroundPaused: true,
    });
    const { google, severa } = app;
    const meeting = severa.control.activityTypes
      .listAll()
      .find((t) => t.category === 'CalendarEntry' && t.isActive)!.guid;
    const hour = 3_600_000;
    const base = Math.ceil(Date.now() / hour) * hour + 24 * hour;
    for (let i = 1; i <= COLLEAGUES; i++) {
      const email = `henkilo${i}@kalevala.example`;
      google.control.addUser(email, { timeZone: 'Europe/Helsinki' });
      const user = severa.control.users.put({
        firstName: 'Henkilö',
        lastName: String(i),
        email,
        isActive: true,
        timezone: { ianaName: 'Europe/Helsinki', name: 'Europe/Helsinki' },
      });
      TITLES.forEach((name, k) =>
        severa.control.activities.put({
          name,
          startDateTime: new Date(base + (k * 24 + (i % 8)) * hour).toISOString(),
          endDateTime: new Date(base + (k * 24 + (i % 8) + 1) * hour).toISOString(),
          activityType: { guid: meeting },
          ownerUser: { guid: user.guid },
        }),
      );
    }
    latency(LATENCY_MS);
  });
  test.afterAll(async () => {
    await app?.close();
  });

  test('shows users done of all, items per side, the rate and the time left, and ends at done', async () => {
    test.setTimeout(RUN_TIMEOUT_MS + 60_000);
    const { page } = app;
    await page.locator('[data-nav="dashboard"]').click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.evaluate(RECORDER);
    const started = Date.now();
    await page.getByTestId('sync-now').click();

    // Mid-run: some users done, not all, and a time left measured from them.
    const bar = page.getByRole('progressbar', { name: 'Sync in progress' });
    await expect
      .poll(async () => Number(await bar.getAttribute('data-users-done')), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(5);
    await page
      .locator('[data-progress-eta]')
      .filter({ hasText: /^About \d+ (s|min)/ })
      .waitFor();
    latency({ severa: HOLD_LATENCY_MS, google: HOLD_LATENCY_MS });
    const text = (await bar.getAttribute('aria-valuetext')) ?? '';
    expect(text).toMatch(/^\d+ of \d+ users done$/);
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(100);
    expect(await page.getByTestId('sync-progress').getAttribute('data-phase')).toBe('users');
    await screenshot(page, 'sync-progress-en');

    await page.getByText('Suomi', { exact: true }).click();
    await page.getByRole('heading', { name: 'Yleiskatsaus' }).waitFor();
    const palkki = page.getByRole('progressbar', { name: 'Synkronointi käynnissä' });
    expect(await palkki.getAttribute('aria-valuetext')).toMatch(/^Käyttäjiä valmiina \d+\/\d+$/);
    expect(await page.getByTestId('sync-progress').getAttribute('data-phase')).toBe('users');
    expect(await page.locator('[data-progress-written="to-severa"]').textContent()).toMatch(
      /^Severaan kirjoitettu \d+ aktiviteetti/,
    );
    await screenshot(page, 'sync-progress-fi');
    latency(LATENCY_MS); // the requests already waiting end within HOLD_LATENCY_MS
    // axe after both screenshots (it takes seconds): in Finnish while the run goes on (or has
    // just ended, on a fast machine), in English at its end.
    expect(await axeViolations(page)).toEqual([]);
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    // The end: done, every user, and the run's result beside it.
    await page
      .locator('[data-testid="sync-now"]:not([data-loading])')
      .waitFor({ timeout: RUN_TIMEOUT_MS - (Date.now() - started) });
    const done = page.getByRole('progressbar', { name: 'Sync finished' });
    expect(await done.getAttribute('aria-valuenow')).toBe('100');
    const users = Number(await done.getAttribute('data-users-total'));
    expect(await done.getAttribute('aria-valuetext')).toBe(`Done: ${users} users`);
    expect(await page.getByTestId('last-run').locator('xpath=..').textContent()).toContain(
      `OK, ${users} users`,
    );

    const states = await seen(page);
    const during = states.filter((s) => s.phase === 'users');
    // Moves: users done and items written only grow, through several values, to all of them.
    const dones = during.map((s) => s.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(new Set(dones).size).toBeGreaterThanOrEqual(3);
    const google = during.map((s) => count(s.toGoogle));
    expect(google).toEqual([...google].sort((a, b) => a - b));
    expect(google.at(-1)).toBeGreaterThan(google[0]!);
    expect(states.at(-1)).toMatchObject({ phase: 'done', now: '100', done: users, total: users });
    expect(count(states.at(-1)!.toGoogle)).toBeGreaterThanOrEqual(COLLEAGUES * TITLES.length);
    // The live region spoke at milestones only (a phase, a tenth of the users), and last of done.
    const said = [...new Set(states.map((s) => s.announcement).filter(Boolean))];
    expect(said.length).toBeLessThanOrEqual(13);
    // …in the language the page had when the run ended (a slow machine may end it in Finnish).
    expect([`Done: ${users} users`, `Valmis: ${users} käyttäjää`]).toContain(said.at(-1));
    expect(await axeViolations(page)).toEqual([]);
  });
});
