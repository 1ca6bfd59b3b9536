import { describe, expect, test } from 'vitest';
import {
  ALICE,
  rawApi,
  sandboxPerTest,
  startTestGoogle,
  type RawBody,
  type TestGoogle,
} from '../helpers/google';

/**
 * The Google sandbox behaves like Google where the engine meets it (issue 10 item 10), seen
 * over raw HTTP: RFC 5545 recurrence with instance ids and etags, exceptions that go with
 * their series, "this and following" splits, imported attendee copies that refuse the
 * organiser's fields, times in the calendar's zone, purged deletions, immutable event types,
 * invalid events refused, a stall fault, and Google's discovery document as the contract.
 */
const { start: sandbox } = sandboxPerTest();
const HKI = 'Europe/Helsinki';

const ids = (body: RawBody | null) => (body?.items ?? []).map((e) => e.id);
const starts = (body: RawBody | null, seriesId?: string) =>
  (body?.items ?? [])
    .filter((e) => !seriesId || e.recurringEventId === seriesId)
    .map((e) => e.start?.dateTime ?? e.start?.date);

async function api(google: TestGoogle) {
  return rawApi(google, ALICE);
}

async function series(google: TestGoogle, recurrence: string[], start = '2027-01-04T09:00:00') {
  const call = await api(google);
  const made = await call('POST', 'calendars/primary/events', {
    body: {
      summary: 'Series',
      start: { dateTime: start, timeZone: HKI },
      end: { dateTime: start.replace('09:00', '10:00'), timeZone: HKI },
      recurrence,
    },
  });
  expect(made.status).toBe(200);
  const listed = await call('GET', 'calendars/primary/events', {
    query: {
      singleEvents: 'true',
      timeMin: '2026-12-01T00:00:00Z',
      timeMax: '2028-12-31T00:00:00Z',
    },
  });
  return { call, id: made.body!.id!, listed: listed.body };
}

describe('recurrence by RFC 5545 (the rrule library)', () => {
  test('BYDAY with an ordinal, COUNT: the 2nd Tuesday of three months, ids of series + UTC original start, an etag each', async () => {
    const google = await sandbox();
    const { id, listed } = await series(google, ['RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=3']);
    expect(starts(listed)).toEqual([
      '2027-01-12T09:00:00+02:00',
      '2027-02-09T09:00:00+02:00',
      '2027-03-09T09:00:00+02:00',
    ]);
    expect(ids(listed)).toEqual([
      `${id}_20270112T070000Z`,
      `${id}_20270209T070000Z`,
      `${id}_20270309T070000Z`,
    ]);
    const etags = new Set(listed!.items!.map((e) => e.etag));
    expect(etags.size).toBe(3);
    expect(listed!.items![0]).toMatchObject({
      recurringEventId: id,
      originalStartTime: { dateTime: '2027-01-12T09:00:00+02:00', timeZone: HKI },
    });
  });

  test('BYSETPOS (the last weekday of the month), YEARLY, UNTIL, EXDATE and RDATE', async () => {
    const google = await sandbox();
    const last = await series(google, [
      'RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3',
    ]);
    expect(starts(last.listed)).toEqual([
      '2027-01-29T09:00:00+02:00',
      '2027-02-26T09:00:00+02:00',
      '2027-03-31T09:00:00+03:00',
    ]);
    const yearly = await series(
      google,
      ['RRULE:FREQ=YEARLY;UNTIL=20280105T000000Z'],
      '2027-01-05T09:00:00',
    );
    expect(starts(yearly.listed, yearly.id)).toEqual(['2027-01-05T09:00:00+02:00']);
    const weekly = await series(
      google,
      [
        'RRULE:FREQ=WEEKLY;COUNT=3',
        'EXDATE;TZID=Europe/Helsinki:20270111T090000',
        'RDATE:20270113T100000Z',
      ],
      '2027-01-04T09:00:00',
    );
    expect(starts(weekly.listed, weekly.id)).toEqual([
      '2027-01-04T09:00:00+02:00',
      '2027-01-13T12:00:00+02:00',
      '2027-01-18T09:00:00+02:00',
    ]);
  });

  test('an instance moved is an exception; deleting the series cancels its modified and cancelled exceptions too', async () => {
    const google = await sandbox();
    const { call, id, listed } = await series(google, ['RRULE:FREQ=WEEKLY;COUNT=3']);
    const token = (
      await call('GET', 'calendars/primary/events', { query: { singleEvents: 'true' } })
    ).body!.nextSyncToken!;
    const [first, second] = ids(listed) as [string, string];
    expect(
      (await call('PATCH', `calendars/primary/events/${first}`, { body: { summary: 'Moved' } }))
        .status,
    ).toBe(200);
    expect((await call('DELETE', `calendars/primary/events/${second}`)).status).toBe(204);
    expect((await call('DELETE', `calendars/primary/events/${id}`)).status).toBe(204);
    const changes = await call('GET', 'calendars/primary/events', {
      query: { singleEvents: 'true', syncToken: token },
    });
    expect(changes.body!.items!.map((e) => [e.id, e.status])).toEqual(
      ids(listed).map((i) => [i, 'cancelled']),
    );
    expect((await call('GET', `calendars/primary/events/${first}`)).body?.status).toBe('cancelled');
  });

  test("'this and following': the series ends with UNTIL, <id>_R<start> goes on, the old instances are reported cancelled", async () => {
    const google = await sandbox();
    const { call, id, listed } = await series(google, ['RRULE:FREQ=WEEKLY;COUNT=4']);
    const token = (
      await call('GET', 'calendars/primary/events', { query: { singleEvents: 'true' } })
    ).body!.nextSyncToken!;
    const third = ids(listed)[2]!;
    const next = google.sandbox.control.splitSeries(ALICE, id, third, { summary: 'Later' });
    expect(next.id).toBe(`${id}_R20270118T070000`);
    const master = google.sandbox.control.listAll(ALICE).find((e) => e.id === id);
    expect(master?.recurrence).toEqual(['RRULE:FREQ=WEEKLY;UNTIL=20270118T065959Z']);
    const changes = await call('GET', 'calendars/primary/events', {
      query: { singleEvents: 'true', syncToken: token },
    });
    const items = changes.body!.items!;
    expect(items.filter((e) => e.status === 'cancelled').map((e) => e.id)).toEqual(
      ids(listed).slice(2),
    );
    // A change of the series re-reports the instances it keeps.
    expect(
      items.filter((e) => e.status !== 'cancelled').map((e) => [e.summary, e.recurringEventId]),
    ).toEqual([
      ['Series', id],
      ['Series', id],
      ['Later', next.id],
      ['Later', next.id],
    ]);
  });
});

describe("other people's meetings", () => {
  test("events.import keeps an outside organiser: organizer.self false, and the organiser's fields answer 403 forbiddenForNonOrganizer", async () => {
    const google = await sandbox();
    const call = await api(google);
    const imported = await call('POST', 'calendars/primary/events/import', {
      body: {
        iCalUID: 'abc123@partner.example',
        summary: 'Partner review',
        organizer: { email: 'boss@partner.example' },
        attendees: [{ email: 'boss@partner.example' }, { email: ALICE }],
        start: { dateTime: '2027-01-04T10:00:00+02:00' },
        end: { dateTime: '2027-01-04T11:00:00+02:00' },
      },
    });
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({
      organizer: { email: 'boss@partner.example', self: false },
      attendees: [{ email: 'boss@partner.example' }, { email: ALICE, self: true }],
    });
    const id = imported.body!.id!;
    const refused = await call('PATCH', `calendars/primary/events/${id}`, {
      body: { summary: 'Ours now' },
    });
    expect(refused).toMatchObject({
      status: 403,
      body: {
        error: {
          code: 403,
          message: 'Shared properties can only be changed by the organizer of the event.',
          errors: [{ domain: 'calendar', reason: 'forbiddenForNonOrganizer' }],
        },
      },
    });
    const own = await call('PATCH', `calendars/primary/events/${id}`, {
      body: { visibility: 'private', extendedProperties: { private: { severaGuid: 'x' } } },
    });
    expect(own.status).toBe(200);
    // The organiser's own change reaches the copy.
    google.sandbox.control.organizerEdit(ALICE, id, { summary: 'Partner review (moved)' });
    expect((await call('GET', `calendars/primary/events/${id}`)).body?.summary).toBe(
      'Partner review (moved)',
    );
  });
});

describe('what Google answers and refuses', () => {
  test("times come back in the calendar's zone with an offset, or in the zone asked for", async () => {
    const google = await sandbox();
    const call = await api(google);
    const made = await call('POST', 'calendars/primary/events', {
      body: {
        start: { dateTime: '2027-07-01T07:00:00Z' },
        end: { dateTime: '2027-07-01T08:00:00Z' },
      },
    });
    expect(made.body?.start).toEqual({ dateTime: '2027-07-01T10:00:00+03:00' });
    const inStockholm = await call('GET', `calendars/primary/events/${made.body!.id}`, {
      query: { timeZone: 'Europe/Stockholm' },
    });
    expect(inStockholm.body?.start).toEqual({ dateTime: '2027-07-01T09:00:00+02:00' });
  });

  test('a deleted event is purged after the configured time: then 404, and older sync tokens answer 410', async () => {
    const google = await sandbox();
    const call = await api(google);
    const made = await call('POST', 'calendars/primary/events', {
      body: { start: { date: '2027-01-04' }, end: { date: '2027-01-05' } },
    });
    const token = (await call('GET', 'calendars/primary/events')).body!.nextSyncToken!;
    const path = `calendars/primary/events/${made.body!.id}`;
    expect((await call('DELETE', path)).status).toBe(204);
    expect((await call('DELETE', path)).status).toBe(410);
    google.sandbox.control.setPurgeAfterMs(0);
    expect((await call('GET', path)).status).toBe(404);
    expect((await call('DELETE', path)).status).toBe(404);
    const stale = await call('GET', 'calendars/primary/events', { query: { syncToken: token } });
    expect(stale.status).toBe(410);
  });

  test('eventType cannot change; invalid events are refused as Google refuses them', async () => {
    const google = await sandbox();
    const call = await api(google);
    const ooo = google.sandbox.control.putEvent(ALICE, {
      eventType: 'outOfOffice',
      start: { dateTime: '2027-01-04T10:00:00+02:00' },
      end: { dateTime: '2027-01-04T18:00:00+02:00' },
    });
    const changed = await call('PATCH', `calendars/primary/events/${ooo.id}`, {
      body: { eventType: 'default' },
    });
    expect(changed.status).toBe(400);
    expect(changed.body?.error?.message).toBe('Event type cannot be changed.');
    const insert = (start: object, end: object) =>
      call('POST', 'calendars/primary/events', { body: { start, end } });
    const refusals = await Promise.all([
      insert({ dateTime: '2027-01-04T10:00:00Z' }, { dateTime: '2027-01-04T09:00:00Z' }),
      insert({ date: '2027-01-04' }, { date: '2027-01-04' }),
      insert({ date: '2027-01-04' }, { dateTime: '2027-01-04T09:00:00Z' }),
      insert({ date: '2027-01-04', dateTime: '2027-01-04T09:00:00Z' }, { date: '2027-01-05' }),
      insert({ dateTime: '2027-01-04T10:00:00' }, { dateTime: '2027-01-04T11:00:00' }),
    ]);
    expect(refusals.map((r) => [r.status, r.body?.error?.message])).toEqual([
      [400, 'The specified time range is empty.'],
      [400, 'The specified time range is empty.'],
      [400, 'Start and end times must either both be date or both be dateTime.'],
      [400, 'Invalid start time.'],
      [400, 'Missing time zone definition for start time.'],
    ]);
  });

  test('a stall fault holds a request without ever answering; the next one is answered', async () => {
    const google = await sandbox();
    google.sandbox.control.injectFaults({ stall: 1, user: ALICE });
    const client = google.client({}, { requestTimeoutMs: 300, retry: { maxAttempts: 1 } });
    try {
      await expect(client.forUser(ALICE).listEvents({})).rejects.toMatchObject({
        reason: 'timeout',
      });
      await expect(client.forUser(ALICE).listEvents({})).resolves.toMatchObject({ events: [] });
    } finally {
      client.close();
    }
  });
});

describe("Google's discovery document is the contract", () => {
  test('requests outside it are refused with 400 and recorded: an unknown enum value, an unknown parameter, a time without offset, an unknown field', async () => {
    const google = await sandbox();
    const call = await api(google);
    const body = { start: { date: '2027-01-04' }, end: { date: '2027-01-05' } };
    const answers = [
      await call('POST', 'calendars/primary/events', { query: { sendUpdates: 'nobody' }, body }),
      await call('GET', 'calendars/primary/events', { query: { pageSize: '10' } }),
      await call('GET', 'calendars/primary/events', { query: { timeMin: '2027-01-04T00:00:00' } }),
      await call('POST', 'calendars/primary/events', { body: { ...body, colour: 'red' } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400]);
    expect(google.sandbox.control.contractDepartures().map((d) => d.problems)).toEqual([
      ['query sendUpdates: "nobody" not one of all, externalOnly, none'],
      ['query pageSize: not a parameter of calendar.events.list'],
      ['query timeMin: "2027-01-04T00:00:00" has no time zone offset'],
      ['body.colour: not in the document'],
    ]);
  });

  test('an answer outside it makes the sandbox fail when closed (here: a field Google does not have)', async () => {
    // Every test that starts a sandbox is checked the same way when it closes it.
    const google = await startTestGoogle();
    google.sandbox.control.putEvent(ALICE, {
      start: { date: '2027-01-04' },
      end: { date: '2027-01-05' },
      ...({ colour: 'red' } as object),
    });
    const call = await api(google);
    expect((await call('GET', 'calendars/primary/events')).status).toBe(200);
    expect(google.sandbox.control.contractDepartures()).toEqual([
      {
        kind: 'response',
        method: 'calendar.events.list',
        problems: ['response.items[0].colour: not in the document'],
      },
    ]);
    await expect(google.sandbox.close()).rejects.toThrow(
      /outside the Calendar v3 discovery document/,
    );
  });
});
