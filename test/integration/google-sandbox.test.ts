import { describe, expect, test } from 'vitest';
import { GoogleApiError } from '../../main/core/google/google-errors';
import { startGoogleSandbox } from '../../main/core/sandbox/google-sandbox';
import { DEMO_GOOGLE_USERS, DEMO_TEST_USER } from '../../main/core/sandbox/demo-company';
import { GOOGLE_CALENDAR_SCOPE } from '../../main/core/setup/steps';
import {
  ALICE,
  BOB,
  CAROL,
  claimsFor,
  generateKeyPair,
  postToken,
  rawApi,
  signAssertion,
  TEST_CLIENT_ID,
  TEST_PROJECT_NUMBER,
  TEST_SERVICE_ACCOUNT,
  timedEvent,
  sandboxPerTest,
} from '../helpers/google';

const { start: sandbox, track } = sandboxPerTest();

const START = Date.parse('2026-12-01T08:00:00Z');
const at = (hoursFromStart: number) => new Date(START + hoursFromStart * 3_600_000).toISOString();

describe('token endpoint: Google status codes and bodies (reference §2.1)', () => {
  test('each misconfiguration gets its own answer', async () => {
    const google = await sandbox();
    const { control, tokenUrl } = google.sandbox;
    const key = google.key.privateKeyPem;
    const token = (claims: Record<string, unknown>, signingKey = key) =>
      postToken(tokenUrl, signAssertion(signingKey, claims));

    const good = await token(claimsFor(ALICE));
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
    expect(good.body.access_token).toMatch(/^ya29\./);

    expect(await token(claimsFor('nobody@example.test'))).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid email or User ID' },
    });
    expect(await token(claimsFor(ALICE), generateKeyPair().privateKeyPem)).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' },
    });
    const iat = Math.floor(Date.now() / 1000);
    const shortLived = await token(claimsFor(ALICE, { iat, exp: iat + 3601 }));
    expect(shortLived.status).toBe(400);
    expect(shortLived.body.error_description).toMatch(
      /^Invalid JWT: Token must be a short-lived token \(60 minutes\) and in a reasonable timeframe/,
    );
    expect((await token(claimsFor(ALICE, { iat: iat + 600, exp: iat + 4200 }))).body.error).toBe(
      'invalid_grant',
    );
    expect(
      await token(
        claimsFor(ALICE, {
          scope: `${GOOGLE_CALENDAR_SCOPE},https://www.googleapis.com/auth/calendar.events`,
        }),
      ),
    ).toEqual({
      status: 400,
      body: {
        error: 'invalid_scope',
        error_description: 'Invalid OAuth scope or ID token audience provided.',
      },
    });
    expect(
      await token(claimsFor(ALICE, { iss: 'other@test-project.iam.gserviceaccount.com' })),
    ).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid grant: account not found' },
    });
    expect(
      (await postToken(tokenUrl, signAssertion(key, claimsFor(ALICE)), 'client_credentials')).body
        .error,
    ).toBe('unsupported_grant_type');

    control.authorize(TEST_CLIENT_ID, ['https://www.googleapis.com/auth/calendar.readonly']);
    const unauthorized = await token(claimsFor(ALICE));
    expect(unauthorized).toEqual({
      status: 401,
      body: {
        error: 'unauthorized_client',
        error_description:
          'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
      },
    });
    control.revoke(TEST_CLIENT_ID);
    expect((await token(claimsFor(ALICE))).status).toBe(401);

    control.registerServiceAccount(TEST_SERVICE_ACCOUNT, TEST_CLIENT_ID, google.key.publicKeyPem, {
      deleted: true,
    });
    expect(await token(claimsFor(ALICE))).toEqual({
      status: 401,
      body: { error: 'deleted_client', error_description: 'The OAuth client was deleted.' },
    });
    expect(control.tokenRequestCount()).toBe(11);
  });
});

describe('Calendar v3 events, through the real client where the port reaches', () => {
  test('list pages: maxResults up to 2500, nextPageToken until the last page, which alone has nextSyncToken', async () => {
    const google = await sandbox();
    for (let i = 0; i < 600; i++)
      google.sandbox.control.putEvent(ALICE, timedEvent(`Tapahtuma ${i}`, at(i)));
    const api = await rawApi(google, ALICE);
    const pages: number[] = [];
    let pageToken: string | undefined;
    do {
      const { body } = await api('GET', 'calendars/primary/events', {
        query: { maxResults: '250', ...(pageToken ? { pageToken } : {}) },
      });
      pages.push(body?.items?.length ?? -1);
      pageToken = body?.nextPageToken;
      expect(Boolean(body?.nextPageToken) !== Boolean(body?.nextSyncToken)).toBe(true);
    } while (pageToken);
    expect(pages).toEqual([250, 250, 100]);
    const capped = await api('GET', 'calendars/primary/events', { query: { maxResults: '5000' } });
    expect(capped.body?.items).toHaveLength(600);
    expect(capped.body?.nextSyncToken).toBeTruthy();

    const listing = await google
      .client()
      .forUser(ALICE)
      .listEvents({ timeMin: at(10), timeMax: at(20) });
    // Events overlapping [10 h, 20 h): those starting at 10..19 h (each lasts an hour).
    expect(listing.events.map((e) => e.summary)).toEqual(
      Array.from({ length: 10 }, (_, i) => `Tapahtuma ${i + 10}`),
    );
  });

  test('sync tokens: changes and deletions since the token, parameters Google refuses, 410 once invalidated', async () => {
    const google = await sandbox();
    const alice = google.client().forUser(ALICE);
    const kept = await alice.insertEvent(timedEvent('Pysyy', at(1)));
    const changed = await alice.insertEvent(timedEvent('Muuttuu', at(2)));
    const deleted = await alice.insertEvent(timedEvent('Poistuu', at(3)));
    const full = await alice.listEvents({});
    expect(full.events).toHaveLength(3);
    expect(full.nextSyncToken).toBeTruthy();

    await alice.patchEvent(changed.id as string, { summary: 'Muuttui' });
    await alice.deleteEvent(deleted.id as string);
    google.sandbox.control.putEvent(ALICE, timedEvent('Käyttäjän uusi', at(4)));
    const delta = await alice.listEvents({ syncToken: full.nextSyncToken as string });
    const byId = new Map(delta.events.map((e) => [e.id, e]));
    expect(byId.has(kept.id)).toBe(false);
    expect(byId.get(changed.id)?.summary).toBe('Muuttui');
    expect(byId.get(deleted.id)).toEqual({
      kind: 'calendar#event',
      etag: expect.any(String),
      id: deleted.id,
      status: 'cancelled',
    });
    expect([...byId.values()].some((e) => e.summary === 'Käyttäjän uusi')).toBe(true);
    expect(delta.events).toHaveLength(3);

    const empty = await alice.listEvents({ syncToken: delta.nextSyncToken as string });
    expect(empty.events).toEqual([]);

    const api = await rawApi(google, ALICE);
    const clash = await api('GET', 'calendars/primary/events', {
      query: { syncToken: delta.nextSyncToken as string, timeMin: at(0) },
    });
    expect(clash.status).toBe(400);

    google.sandbox.control.invalidateSyncTokens(ALICE);
    const gone = await alice
      .listEvents({ syncToken: delta.nextSyncToken as string })
      .catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(GoogleApiError);
    expect(gone).toMatchObject({
      status: 410,
      reason: 'fullSyncRequired',
      googleMessage: 'Sync token is no longer valid, a full sync is required.',
    });
  });

  test('showDeleted and privateExtendedProperty in a full listing', async () => {
    const google = await sandbox();
    const alice = google.client().forUser(ALICE);
    await alice.insertEvent({
      id: '0123456789abcdef0123456789abcdef',
      ...timedEvent('Severasta', at(1)),
      extendedProperties: { private: { severaGuid: 'g1', origin: 'severa' } },
    });
    await alice.insertEvent(timedEvent('Oma', at(2)));
    const gone = await alice.insertEvent({
      ...timedEvent('Poistettu', at(3)),
      extendedProperties: { private: { severaGuid: 'g2' } },
    });
    await alice.deleteEvent(gone.id as string);

    expect((await alice.listEvents({})).events.map((e) => e.summary)).toEqual(['Severasta', 'Oma']);
    expect((await alice.listEvents({ showDeleted: true })).events.map((e) => e.status)).toEqual([
      'confirmed',
      'confirmed',
      'cancelled',
    ]);
    const tagged = await alice.listEvents({ privateExtendedProperty: 'severaGuid=g1' });
    expect(tagged.events.map((e) => e.id)).toEqual(['0123456789abcdef0123456789abcdef']);
  });

  test('recurring events expand into instances with singleEvents, across a DST change; instances can be read, changed and deleted', async () => {
    const google = await sandbox();
    const alice = google.client().forUser(ALICE);
    const series = await alice.insertEvent({
      id: 'series0001',
      summary: 'Viikkopalaveri',
      start: { dateTime: '2026-10-19T09:00:00', timeZone: 'Europe/Helsinki' },
      end: { dateTime: '2026-10-19T09:30:00', timeZone: 'Europe/Helsinki' },
      recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3'],
    });
    const full = await alice.listEvents({});
    expect(full.events.map((e) => [e.id, e.start?.dateTime, e.recurringEventId])).toEqual([
      ['series0001_20261019T060000Z', '2026-10-19T09:00:00+03:00', 'series0001'],
      ['series0001_20261026T070000Z', '2026-10-26T09:00:00+02:00', 'series0001'],
      ['series0001_20261102T070000Z', '2026-11-02T09:00:00+02:00', 'series0001'],
    ]);
    expect(full.events[1]?.originalStartTime).toEqual(full.events[1]?.start);

    const instance = await alice.getEvent('series0001_20261026T070000Z');
    expect(instance).toMatchObject({ summary: 'Viikkopalaveri', recurringEventId: series.id });
    await alice.patchEvent('series0001_20261026T070000Z', {
      summary: 'Viikkopalaveri (siirretty)',
      start: { dateTime: '2026-10-26T10:00:00+02:00' },
      end: { dateTime: '2026-10-26T10:30:00+02:00' },
    });
    await alice.deleteEvent('series0001_20261102T070000Z');

    const delta = await alice.listEvents({ syncToken: full.nextSyncToken as string });
    expect(delta.events.map((e) => [e.id, e.status, e.summary])).toEqual([
      ['series0001_20261026T070000Z', 'confirmed', 'Viikkopalaveri (siirretty)'],
      ['series0001_20261102T070000Z', 'cancelled', undefined],
    ]);
    const after = await alice.listEvents({});
    expect(after.events.map((e) => e.start?.dateTime)).toEqual([
      '2026-10-19T09:00:00+03:00',
      '2026-10-26T10:00:00+02:00',
    ]);
    // Without singleEvents Google returns the series master and its exceptions.
    const api = await rawApi(google, ALICE);
    const masters = await api('GET', 'calendars/primary/events', {
      query: { showDeleted: 'true' },
    });
    expect(masters.body?.items?.map((e) => e.id).sort()).toEqual([
      'series0001',
      'series0001_20261026T070000Z',
      'series0001_20261102T070000Z',
    ]);
  });

  test('insert: base32hex ids of 5–1024 characters; 409 for an existing id, also a deleted one; 410 on a second delete', async () => {
    const google = await sandbox();
    const api = await rawApi(google, ALICE);
    const insert = (id: string) =>
      api('POST', 'calendars/primary/events', {
        query: { sendUpdates: 'none' },
        body: { id, ...timedEvent('Id', at(1)) },
      });
    for (const bad of [
      'abcd',
      'abcdefghijklmnopqrstuvwxyz',
      'ABCDE12345',
      'abc-def-01',
      'a'.repeat(1025),
    ]) {
      const answer = await insert(bad);
      expect(answer.status).toBe(400);
      expect(answer.body?.error?.errors[0]?.reason).toBe('invalid');
    }
    expect((await insert('a'.repeat(1024))).status).toBe(200);
    expect((await insert('v0v0v')).status).toBe(200);
    const duplicate = await insert('v0v0v');
    expect(duplicate.status).toBe(409);
    expect(duplicate.body?.error?.errors[0]).toEqual({
      domain: 'global',
      reason: 'duplicate',
      message: 'The requested identifier already exists.',
    });

    expect((await api('DELETE', 'calendars/primary/events/v0v0v')).status).toBe(204);
    expect((await insert('v0v0v')).status).toBe(409);
    const second = await api('DELETE', 'calendars/primary/events/v0v0v');
    expect(second.status).toBe(410);
    expect(second.body?.error?.errors[0]?.reason).toBe('deleted');
    const cancelled = await api('GET', 'calendars/primary/events/v0v0v');
    expect(cancelled.body).toMatchObject({ id: 'v0v0v', status: 'cancelled', summary: 'Id' });
    // A cancelled copy is revived by updating it (design D7).
    const revived = await google
      .client()
      .forUser(ALICE)
      .patchEvent('v0v0v', { status: 'confirmed' });
    expect(revived.status).toBe('confirmed');
  });

  test('patch merges private properties (null deletes one), update replaces, If-Match guards both', async () => {
    const google = await sandbox();
    const alice = google.client().forUser(ALICE);
    const created = await alice.insertEvent({
      ...timedEvent('Ominaisuudet', at(1)),
      location: 'Oulu',
      extendedProperties: { private: { severaGuid: 'g', syncVersion: '1' } },
    });
    const patched = await alice.patchEvent(
      created.id as string,
      { extendedProperties: { private: { syncVersion: '2', origin: 'severa' } } },
      created.etag as string,
    );
    expect(patched.extendedProperties?.private).toEqual({
      severaGuid: 'g',
      syncVersion: '2',
      origin: 'severa',
    });
    expect(patched.location).toBe('Oulu');
    expect(patched.etag).not.toBe(created.etag);
    const removed = await alice.patchEvent(created.id as string, {
      extendedProperties: { private: { origin: null as unknown as string } },
    });
    expect(removed.extendedProperties?.private).toEqual({ severaGuid: 'g', syncVersion: '2' });

    const stale = await alice
      .updateEvent(created.id as string, timedEvent('Vanha', at(1)), created.etag as string)
      .catch((e: unknown) => e);
    expect(stale).toMatchObject({ status: 412, reason: 'conditionNotMet' });
    const updated = await alice.updateEvent(
      created.id as string,
      timedEvent('Korvattu', at(2)),
      removed.etag as string,
    );
    expect(updated).toMatchObject({
      summary: 'Korvattu',
      id: created.id,
      iCalUID: created.iCalUID,
      sequence: 1,
    });
    expect(updated.location).toBeUndefined();
    expect(updated.extendedProperties).toBeUndefined();
  });

  test("each user's primary calendar has its time zone; other calendars are not found", async () => {
    const google = await sandbox();
    const client = google.client();
    expect(await client.forUser(ALICE).timeZone()).toBe('Europe/Helsinki');
    expect(await client.forUser(BOB).timeZone()).toBe('Europe/Stockholm');
    const api = await rawApi(google, BOB);
    expect((await api('GET', `calendars/${encodeURIComponent(BOB)}`)).body).toMatchObject({
      id: BOB,
      timeZone: 'Europe/Stockholm',
    });
    expect((await api('GET', `calendars/${encodeURIComponent(ALICE)}/events`)).status).toBe(404);
  });
});

describe('project-level errors, limits and faults', () => {
  test("accessNotConfigured carries Google's message with the project number; notACalendarUser for a user without Calendar", async () => {
    const google = await sandbox();
    const api = await rawApi(google, ALICE);
    google.sandbox.control.setApiEnabled(false);
    const disabled = await api('GET', 'calendars/primary/events');
    expect(disabled.status).toBe(403);
    expect(disabled.body?.error?.status).toBe('PERMISSION_DENIED');
    expect(disabled.body?.error?.errors[0]).toMatchObject({
      domain: 'usageLimits',
      reason: 'accessNotConfigured',
    });
    expect(disabled.body?.error?.message).toContain(
      `Google Calendar API has not been used in project ${TEST_PROJECT_NUMBER} before or it is disabled.`,
    );
    expect(disabled.body?.error?.details?.[1]).toMatchObject({
      reason: 'SERVICE_DISABLED',
      metadata: {
        service: 'calendar-json.googleapis.com',
        consumer: `projects/${TEST_PROJECT_NUMBER}`,
      },
    });
    google.sandbox.control.setApiEnabled(true);

    const carol = await rawApi(google, CAROL);
    const noCalendar = await carol('GET', 'calendars/primary/events');
    expect(noCalendar.status).toBe(403);
    expect(noCalendar.body?.error?.errors[0]).toMatchObject({
      reason: 'notACalendarUser',
      message: 'The user must be signed up for Google Calendar.',
    });
  });

  test('per-user and per-project rate limits answer 403 rateLimitExceeded', async () => {
    const google = await sandbox();
    google.sandbox.control.setRateLimits({ perUserPerMinute: 2, perProjectPerMinute: 3 });
    const alice = await rawApi(google, ALICE);
    const bob = await rawApi(google, BOB);
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await alice('GET', 'calendars/primary/events')).status);
    expect(statuses).toEqual([200, 200, 403]);
    const third = await alice('GET', 'calendars/primary/events');
    expect(third.body?.error?.message).toContain("'Queries per minute per user'");
    expect((await bob('GET', 'calendars/primary/events')).status).toBe(200);
    const projectLimited = await bob('GET', 'calendars/primary/events');
    expect(projectLimited.status).toBe(403);
    expect(projectLimited.body?.error?.errors[0]?.reason).toBe('rateLimitExceeded');
    expect(projectLimited.body?.error?.message).toContain("'Queries per minute'");
  });

  test('injected faults hit only matching requests, in number; latency is added', async () => {
    const google = await sandbox();
    const api = await rawApi(google, ALICE);
    const { control } = google.sandbox;
    control.injectFaults({ status5xx: 1, burst429: 2, retryAfterSeconds: 7, for: '/events$' });
    expect((await api('GET', 'calendars/primary')).status).toBe(200);
    expect((await api('GET', 'calendars/primary/events')).status).toBe(503);
    const limited = await api('GET', 'calendars/primary/events');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await api('GET', 'calendars/primary/events')).status).toBe(429);
    expect((await api('GET', 'calendars/primary/events')).status).toBe(200);

    control.injectFaults({ drop: 1 });
    await expect(api('GET', 'calendars/primary/events')).rejects.toThrow();
    expect((await api('GET', 'calendars/primary/events')).status).toBe(200);

    control.setLatency(150);
    const started = performance.now();
    await api('GET', 'calendars/primary');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('the control surface over HTTP', () => {
  test('POST /_sandbox/<method> with JSON arguments drives the sandbox from another process', async () => {
    const google = await sandbox();
    const control = async (method: string, args: unknown) => {
      const response = await fetch(new URL(`_sandbox/${method}`, google.sandbox.apiRoot), {
        method: 'POST',
        body: JSON.stringify(args),
      });
      return {
        status: response.status,
        body: (await response.json()) as { result?: unknown; error?: string },
      };
    };
    expect(
      (await control('addUser', ['dave@example.test', { timeZone: 'Europe/Tallinn' }])).status,
    ).toBe(200);
    const put = await control('putEvent', [
      'dave@example.test',
      timedEvent('HTTP:n kautta', at(1)),
    ]);
    expect(put.body.result).toMatchObject({ summary: 'HTTP:n kautta', status: 'confirmed' });
    expect((await control('listAll', ['dave@example.test'])).body.result).toHaveLength(1);
    expect(await google.client().forUser('dave@example.test').timeZone()).toBe('Europe/Tallinn');
    expect((await control('injectFaults', [{ status5xx: 'many' }])).status).toBe(400);
    expect((await control('addUser', ['not an address'])).status).toBe(400);
    expect((await control('noSuchMethod', [])).status).toBe(404);
    const methods = (await (await fetch(new URL('_sandbox', google.sandbox.apiRoot))).json()) as {
      methods: string[];
    };
    expect(methods.methods).toEqual(
      expect.arrayContaining(['addUser', 'authorize', 'setApiEnabled', 'injectFaults', 'requests']),
    );
    expect(google.sandbox.control.requests().some((r) => r.path.startsWith('/_sandbox'))).toBe(
      false,
    );
  });
});

describe('the demo company', () => {
  test('seeds every demo user with a plausible week: meetings, a private appointment, an all-day event, a weekly series', async () => {
    const sandbox = await startGoogleSandbox({ seedDemo: true });
    track(sandbox);
    expect(sandbox.demo?.testUser).toBe(DEMO_TEST_USER);
    for (const user of DEMO_GOOGLE_USERS) {
      const events = sandbox.control.listAll(user);
      expect(events.length).toBeGreaterThanOrEqual(5);
      expect(events.some((e) => e.visibility === 'private')).toBe(true);
      expect(events.some((e) => e.recurrence?.[0]?.startsWith('RRULE:FREQ=WEEKLY'))).toBe(true);
    }
    const aino = sandbox.control.listAll(DEMO_TEST_USER);
    expect(aino.some((e) => e.start?.date && e.end?.date)).toBe(true);
    const starts = aino
      .filter((e) => e.start?.dateTime)
      .map((e) => Date.parse(e.start?.dateTime as string));
    const now = Date.now();
    for (const start of starts) expect(Math.abs(start - now)).toBeLessThan(8 * 86_400_000);
  });
});
