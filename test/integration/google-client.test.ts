import { describe, expect, test } from 'vitest';
import type { GoogleCalendarsOptions } from '../../main/core/google/calendar-client';
import { GoogleApiError, toGoogleApiError } from '../../main/core/google/google-errors';
import type { SandboxRequest } from '../../main/core/sandbox/google-sandbox';
import { ALICE, BOB, timedEvent, type TestGoogle, sandboxPerTest } from '../helpers/google';

const { start: sandbox } = sandboxPerTest();

/** Short backoff so retry tests take milliseconds; Retry-After still rules when sent. */
const FAST: Partial<GoogleCalendarsOptions> = { retry: { baseDelayMs: 10, maxDelayMs: 50 } };
const START = '2026-12-01T08:00:00Z';

const apiRequests = (google: TestGoogle, method?: string): SandboxRequest[] =>
  google.sandbox.control
    .requests()
    .filter((r) => r.path.startsWith('/calendar/') && (!method || r.method === method));

const rejection = async (promise: Promise<unknown>): Promise<GoogleApiError> => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GoogleApiError);
  return error as GoogleApiError;
};

describe('the Calendar client retries what Google asks it to retry', () => {
  test('a 429 burst is retried, waiting at least Retry-After each time', async () => {
    const google = await sandbox();
    const client = google.client({}, FAST);
    const alice = client.forUser(ALICE);
    await alice.timeZone(); // token and first request out of the way
    google.sandbox.control.injectFaults({ burst429: 2, retryAfterSeconds: 1, for: '/events' });
    const started = performance.now();
    const listing = await alice.listEvents({});
    const elapsed = performance.now() - started;
    expect(listing.events).toEqual([]);
    expect(
      apiRequests(google, 'GET')
        .filter((r) => r.path.endsWith('/events'))
        .map((r) => r.status),
    ).toEqual([429, 429, 200]);
    expect(elapsed).toBeGreaterThanOrEqual(2_000);
    expect(elapsed).toBeLessThan(8_000);
    expect(client.requestCount()).toBe(google.sandbox.control.requestCount());
  });

  test('403 rateLimitExceeded is retried for an insert (which googleapis never retries)', async () => {
    const google = await sandbox();
    const alice = google.client({}, FAST).forUser(ALICE);
    google.sandbox.control.injectFaults({ rateLimited403: 2 });
    const event = await alice.insertEvent({ id: 'a0b1c2d3e4', ...timedEvent('Palaveri', START) });
    expect(event.id).toBe('a0b1c2d3e4');
    expect(apiRequests(google, 'POST').map((r) => r.status)).toEqual([403, 403, 200]);
    expect(google.sandbox.control.listAll(ALICE)).toHaveLength(1);
  });

  test('5xx is retried for a patch, and a dropped connection for an insert', async () => {
    const google = await sandbox();
    const alice = google.client({}, FAST).forUser(ALICE);
    const created = await alice.insertEvent(timedEvent('Asiakas', START));
    google.sandbox.control.injectFaults({ status5xx: 3 });
    const patched = await alice.patchEvent(created.id as string, {
      summary: 'Asiakas (siirretty)',
    });
    expect(patched.summary).toBe('Asiakas (siirretty)');
    expect(apiRequests(google, 'PATCH').map((r) => r.status)).toEqual([503, 503, 503, 200]);

    google.sandbox.control.injectFaults({ drop: 1 });
    const second = await alice.insertEvent({ id: 'dropped0001', ...timedEvent('Toinen', START) });
    expect(second.id).toBe('dropped0001');
    // The dropped request was never answered, so the sandbox saw only the retry.
    expect(apiRequests(google, 'POST').map((r) => r.status)).toEqual([200, 200]);
    expect(google.sandbox.control.listAll(ALICE).map((e) => e.id)).toContain('dropped0001');
  });

  test('retries stop after maxAttempts and the last error comes out classified', async () => {
    const google = await sandbox();
    const alice = google
      .client({}, { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 } })
      .forUser(ALICE);
    google.sandbox.control.injectFaults({ status5xx: 10 });
    const error = await rejection(alice.listEvents({}));
    expect(error).toMatchObject({
      status: 503,
      reason: 'backendError',
      code: 'google.api.backendError',
    });
    expect(apiRequests(google)).toHaveLength(3);
  });

  test('409, 412 and 404 are not retried; a second delete (410) counts as deleted', async () => {
    const google = await sandbox();
    const alice = google.client({}, FAST).forUser(ALICE);
    const created = await alice.insertEvent({ id: 'fa11ed0001', ...timedEvent('Kerran', START) });
    expect(
      await rejection(alice.insertEvent({ id: 'fa11ed0001', ...timedEvent('Kahdesti', START) })),
    ).toMatchObject({ status: 409, reason: 'duplicate', step: null });
    await alice.patchEvent('fa11ed0001', { summary: 'Muutettu' });
    expect(
      await rejection(
        alice.patchEvent('fa11ed0001', { summary: 'Vanhalla etagilla' }, created.etag as string),
      ),
    ).toMatchObject({ status: 412, reason: 'conditionNotMet' });
    expect(await alice.getEvent('doesnotexist')).toBeNull();
    await alice.deleteEvent('fa11ed0001');
    await alice.deleteEvent('fa11ed0001');
    expect(apiRequests(google).map((r) => `${r.method} ${r.status}`)).toEqual([
      'POST 200',
      'POST 409',
      'PATCH 200',
      'PATCH 412',
      'GET 404',
      'DELETE 204',
      'DELETE 410',
    ]);
  });
});

describe('limits', () => {
  test('quotaExceeded pauses that user for hours without further requests; others go on', async () => {
    const google = await sandbox();
    let nowMs = Date.now();
    const client = google.client({}, { ...FAST, now: () => nowMs, quotaPauseMs: 3 * 3_600_000 });
    google.sandbox.control.injectFaults({ quotaExceeded: 1, for: '/events' });
    const error = await rejection(client.forUser(ALICE).listEvents({}));
    expect(error).toMatchObject({ status: 403, reason: 'quotaExceeded' });
    expect(error.text.en).toMatch(/paused for hours/);
    expect(apiRequests(google)).toHaveLength(1);
    expect(client.pausedUsers()).toEqual([{ user: ALICE, until: new Date(nowMs + 3 * 3_600_000) }]);

    const paused = await rejection(client.forUser(ALICE).getEvent('abcdefghij'));
    expect(paused).toMatchObject({ reason: 'userPaused', code: 'google.user-paused' });
    expect(apiRequests(google)).toHaveLength(1);
    expect((await client.forUser(BOB).listEvents({})).events).toEqual([]);

    nowMs += 3 * 3_600_000 + 1;
    expect(client.pausedUsers()).toEqual([]);
    expect((await client.forUser(ALICE).listEvents({})).events).toEqual([]);
  });

  test('the per-user and per-project budgets are never exceeded under concurrency', async () => {
    const google = await sandbox();
    const { control } = google.sandbox;
    // Google's minute shortened to a second on both sides; the client's window carries a margin
    // for the time a request takes to arrive, as its real one does.
    const perUser = 4;
    const perProject = 6;
    const windowMs = 1_000;
    control.setRateLimits({ perUserPerMinute: perUser, perProjectPerMinute: perProject, windowMs });
    const client = google.client(
      { userRequestsPerMinute: perUser, projectRequestsPerMinute: perProject },
      { quotaWindowMs: 1_300 },
    );
    const users = [ALICE, BOB];
    await Promise.all(users.map((u) => client.forUser(u).timeZone())); // tokens first, so arrival times are tight
    const calls = users.flatMap((user) =>
      Array.from({ length: 9 }, (_, i) => client.forUser(user).getEvent(`missing${i}`)),
    );
    expect(await Promise.all(calls)).toEqual(Array(18).fill(null));

    const answered = apiRequests(google).filter((r) => r.path.includes('/events/'));
    expect(answered).toHaveLength(18);
    // The sandbox enforces the same budgets: a single 403 rateLimitExceeded would show here.
    expect(answered.map((r) => r.status)).toEqual(Array(18).fill(404));
    const times = answered.map((r) => ({ user: r.user, at: Date.parse(r.at) }));
    for (const { at } of times) {
      const inWindow = times.filter((t) => t.at >= at && t.at < at + windowMs);
      expect(inWindow.length).toBeLessThanOrEqual(perProject);
      for (const user of users)
        expect(inWindow.filter((t) => t.user === user).length).toBeLessThanOrEqual(perUser);
    }
    // 20 requests (2 calendars.get + 18) at 6 a window need four windows.
    const span = Math.max(...times.map((t) => t.at)) - Math.min(...times.map((t) => t.at));
    expect(span).toBeGreaterThanOrEqual(2 * 1_300 - 50);
    expect(client.requestCount()).toBe(20);
    expect(control.requestCount()).toBe(20);
  });
});

describe('clock, tokens and quiet writes', () => {
  test("a clock 10 minutes off is corrected from Google's Date header", async () => {
    const google = await sandbox();
    google.sandbox.control.setClockOffsetMs(10 * 60_000);
    const client = google.client({}, FAST);
    expect(await client.forUser(ALICE).timeZone()).toBe('Europe/Helsinki');
    expect(Math.abs(client.clockOffsetMs() - 600_000)).toBeLessThan(2_000);
    const tokens = google.sandbox.control.requests().filter((r) => r.path === '/token');
    expect(tokens.map((r) => r.status)).toEqual([400, 200]);
    expect(client.tokenRequestCount()).toBe(2);
  });

  test("Google's short-lived-token answer is diagnosed as the clock", () => {
    const error = toGoogleApiError(
      {
        response: {
          status: 400,
          data: {
            error: 'invalid_grant',
            error_description:
              "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your 'iat' and 'exp' values in the JWT claim.",
          },
        },
      },
      ALICE,
    );
    expect(error).toMatchObject({ code: 'google.token.invalid_grant', step: null, status: 400 });
    expect(error.text.en).toMatch(/clock is wrong/);
    expect(error.text.fi).toMatch(/kello/);
  });

  test('an access token that stops working is replaced once, transparently', async () => {
    const google = await sandbox();
    const alice = google.client().forUser(ALICE);
    await alice.listEvents({});
    google.sandbox.control.expireAccessTokens();
    expect((await alice.listEvents({})).events).toEqual([]);
    expect(apiRequests(google).map((r) => r.status)).toEqual([200, 401, 200]);
  });

  test('one token per user is reused across calls', async () => {
    const google = await sandbox();
    const client = google.client();
    for (let i = 0; i < 3; i++) {
      await client.forUser(ALICE).listEvents({});
      await client.forUser(BOB).listEvents({});
    }
    expect(client.tokenRequestCount()).toBe(2);
    expect(new Set(google.sandbox.control.requests().map((r) => r.user))).toEqual(
      new Set([ALICE, BOB]),
    );
  });

  test('every write is sent with sendUpdates=none', async () => {
    const google = await sandbox();
    const alice = google.client().forUser(ALICE);
    const created = await alice.insertEvent(timedEvent('Hiljainen', START));
    const id = created.id as string;
    await alice.patchEvent(id, { summary: 'Hiljainen 2' });
    await alice.updateEvent(id, timedEvent('Hiljainen 3', START));
    await alice.deleteEvent(id);
    const writes = apiRequests(google).filter((r) => r.method !== 'GET');
    expect(writes.map((r) => r.method)).toEqual(['POST', 'PATCH', 'PUT', 'DELETE']);
    for (const w of writes) expect(w.query.sendUpdates).toEqual(['none']);
  });

  test('errors carry no key material or tokens', async () => {
    const google = await sandbox();
    google.sandbox.control.setApiEnabled(false);
    const error = await rejection(google.client().forUser(ALICE).listEvents({}));
    expect(error).toMatchObject({
      status: 403,
      reason: 'accessNotConfigured',
      step: 'gcp.enable-calendar-api',
    });
    const text = JSON.stringify({
      message: error.message,
      text: error.text,
      googleMessage: error.googleMessage,
    });
    expect(text).not.toMatch(/PRIVATE KEY|ya29\.|Bearer/);
  });
});
