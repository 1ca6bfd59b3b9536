import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE, DEMO_SEVERA_CLIENT_ID } from '../../main/core/sandbox/demo-company';
import { startSeveraSandbox, type SeveraSandbox } from '../../main/core/sandbox/severa-sandbox';
import { takeDocumentViolations } from '../../main/core/sandbox/severa/document';
import { ACTIVITY_CATEGORIES, type Activity } from '../../main/core/severa/models';

/**
 * The Severa sandbox over raw HTTP: Severa's semantics where the product meets it (tokens and
 * scopes, the date filters' overlap rule, changedSince ≥, cursor paging, 201/200-array/204/404,
 * lastUpdatedDateTime), the rate limit, the error envelope, the demo company and the control
 * surface under /_sandbox/.
 */
let sandbox: SeveraSandbox;
const NOW = new Date('2026-11-25T10:00:00Z'); // a Wednesday
let token: string;

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  options: { body?: unknown; bearer?: string | null; clientId?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { Client_Id: options.clientId ?? DEMO_SEVERA_CLIENT_ID };
  const bearer = options.bearer === undefined ? token : options.bearer;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${sandbox.apiRoot}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : undefined,
    headers: response.headers,
  };
}

async function issue(clientId: string, secret: string, scope?: string) {
  return call('POST', '/v1/token', {
    bearer: null,
    body: { client_id: clientId, client_secret: secret, scope },
  });
}

const envelope = (type: string) => ({
  error: expect.objectContaining({
    type,
    details: [expect.objectContaining({ message: expect.any(String) })],
  }),
});
const names = (answer: Answer) => (answer.body as Activity[]).map((a) => a.name).sort();

beforeAll(async () => {
  // Semantics first; the rate limit has its own test below.
  sandbox = await startSeveraSandbox({ seedDemo: true, now: NOW, requestsPerSecond: 1000 });
  const answer = await issue(DEMO_SEVERA_CLIENT_ID, sandbox.demo!.clientSecret);
  token = (answer.body as { access_token: string }).access_token;
});

afterAll(() => sandbox.close());

describe('Severa sandbox', () => {
  it('seeds the demo company: its people, a type of every category, and a week of activities', async () => {
    const users = sandbox.control.users.listAll();
    expect(users.filter((u) => u.isActive).map((u) => u.email)).toEqual(
      DEMO_PEOPLE.map((p) => p.severaEmail),
    );
    expect(users.some((u) => !u.isActive)).toBe(true);
    const types = sandbox.control.activityTypes.listAll();
    for (const category of ACTIVITY_CATEGORIES)
      expect(types.some((t) => t.category === category && t.isActive)).toBe(true);

    const activities = sandbox.control.activities.listAll();
    const monday = Date.parse('2026-11-23T00:00:00Z');
    expect(
      activities.every(
        (a) =>
          Date.parse(a.startDateTime) >= monday - 3_600_000 &&
          Date.parse(a.startDateTime) < monday + 14 * 86_400_000,
      ),
    ).toBe(true);
    expect(activities.some((a) => a.isAllDay)).toBe(true);
    expect(activities.some((a) => a.hasHours)).toBe(true);
    expect(activities.some((a) => a.activityType.category === 'Personal')).toBe(true);
    const master = activities.find((a) => a.recurrenceType === 'Series')!;
    expect(
      activities.filter(
        (a) => a.recurrenceParentActivityGuid === master.guid && a.recurrenceType === 'Occurrence',
      ),
    ).toHaveLength(5);
    expect(activities.some((a) => sandbox.control.participants.list(a.guid).length >= 2)).toBe(
      true,
    );

    // Series masters are left out unless asked for.
    const all = await call('GET', '/v1/activities?rowCount=100');
    expect((all.body as Activity[]).some((a) => a.recurrenceType === 'Series')).toBe(false);
    const series = await call('GET', '/v1/activities?rowCount=100&recurrenceType=Series');
    expect((series.body as Activity[]).map((a) => a.guid)).toEqual([master.guid]);
  });

  it("answers the document's full models, nulls included, with date-times in the organisation's zone", async () => {
    const all = (await call('GET', '/v1/activities?rowCount=100')).body as Record<
      string,
      unknown
    >[];
    const visit = all.find((a) => a.hasHours)!;
    expect(visit).toMatchObject({
      customer: { name: 'Pohjola Oy', number: 1001 },
      phase: { projectName: 'Pohjolan toiminnanohjaus', projectOwnerGuid: null },
      projectTaskStatus: null,
      recurrence: null,
      createdBy: { firstName: expect.any(String), code: expect.any(String) },
    });
    const task = all.find((a) => (a.projectTaskStatus as { name?: string } | null)?.name)!;
    expect(task.customer).toBeNull();
    // Europe/Helsinki in late November: +02:00, milliseconds where the stamp has them.
    for (const a of all)
      for (const field of ['startDateTime', 'createdDateTime', 'lastUpdatedDateTime'])
        expect(a[field], field).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?\+02:00$/);
    const [series] = (await call('GET', '/v1/activities?recurrenceType=Series')).body as Record<
      string,
      unknown
    >[];
    expect(series).toMatchObject({
      recurrenceRule: expect.stringContaining('FREQ=DAILY'),
      recurrence: { frequency: 'Daily', range: { maxOccurrences: 5 }, exceptions: [] },
    });
    const users = (await call('GET', '/v1/users?rowCount=100')).body as Record<string, unknown>[];
    expect(users[0]).toMatchObject({
      timezone: { systemName: 'FLE Standard Time', ianaName: 'Europe/Helsinki' },
      socialSecurityNumber: null,
      workContract: null,
    });
  });

  it('issues tokens carrying only the scopes the client was given, and enforces them', async () => {
    sandbox.control.addClient('reader', 'reader-secret-1234', ['users:read', 'settings:read']);
    const answer = await issue('reader', 'reader-secret-1234', 'users:read activities:read');
    expect(answer.status).toBe(200);
    const body = answer.body as Record<string, unknown>;
    expect(body).toMatchObject({ scope: 'users:read', access_token_expires_in: 3600 });
    expect(Date.parse(body.access_token_expires_utc as string)).toBeGreaterThan(Date.now());
    const readerToken = body.access_token as string;

    expect(
      (await call('GET', '/v1/users', { bearer: readerToken, clientId: 'reader' })).status,
    ).toBe(200);
    const refused = await call('GET', '/v1/activitytypes', {
      bearer: readerToken,
      clientId: 'reader',
    });
    expect(refused).toMatchObject({ status: 403, body: envelope('InsufficientApiScope') });
    expect(JSON.stringify(refused.body)).toContain("'settings:read'");

    expect(await issue('reader', 'wrong-secret')).toMatchObject({
      status: 401,
      body: envelope('AuthenticationRequired'),
    });
    expect(
      await call('GET', '/v1/users', { bearer: readerToken, clientId: 'someone-else' }),
    ).toMatchObject({ status: 401, body: envelope('AuthenticationRequired') });
    expect(await call('GET', '/v1/users', { bearer: null })).toMatchObject({ status: 401 });
    expect(takeDocumentViolations().map((v) => v.problems)).toEqual([
      ['header Authorization: Bearer is missing (OAuth2)'],
    ]);

    sandbox.control.expireTokens();
    expect(
      await call('GET', '/v1/users', { bearer: readerToken, clientId: 'reader' }),
    ).toMatchObject({ status: 401, body: envelope('AuthenticationRequired') });
    token = (
      (await issue(DEMO_SEVERA_CLIENT_ID, sandbox.demo!.clientSecret)).body as {
        access_token: string;
      }
    ).access_token;
  });

  it('applies the overlap rule of the date filters, inclusive at both ends, and the strict variant', async () => {
    const type = sandbox.control.activityTypes.listAll()[0]!;
    const owner = sandbox.control.users.put({
      firstName: 'Window',
      lastName: 'Owner',
      email: 'window@kalevala.example',
    });
    sandbox.control.activities.put({
      name: 'ten-to-twelve',
      startDateTime: '2031-05-05T10:00:00+03:00',
      endDateTime: '2031-05-05T12:00:00+03:00',
      activityType: type,
      ownerUser: owner,
    });
    const list = (start: string, end: string, strict = false) =>
      call(
        'GET',
        `/v1/activities?userGuids=${owner.guid}&startDateTime=${encodeURIComponent(start)}&endDateTime=${encodeURIComponent(end)}${strict ? '&useStrictStartAndEndDateTime=true' : ''}`,
      ).then(names);
    expect(await list('2031-05-05T12:00:00+03:00', '2031-05-05T13:00:00+03:00')).toEqual([
      'ten-to-twelve',
    ]); // ends exactly at the start
    expect(await list('2031-05-05T12:00:01+03:00', '2031-05-05T13:00:00+03:00')).toEqual([]);
    expect(await list('2031-05-05T08:00:00+03:00', '2031-05-05T10:00:00+03:00')).toEqual([
      'ten-to-twelve',
    ]); // starts exactly at the end
    expect(await list('2031-05-05T06:59:59Z', '2031-05-05T06:59:59Z')).toEqual([]); // 09:59:59+03:00
    expect(await list('2031-05-05T07:30:00Z', '2031-05-05T08:00:00Z')).toEqual(['ten-to-twelve']); // inside
    expect(await list('2031-05-05T07:30:00Z', '2031-05-05T10:00:00Z', true)).toEqual([]); // not fully inside
    expect(await list('2031-05-05T07:00:00Z', '2031-05-05T09:00:00Z', true)).toEqual([
      'ten-to-twelve',
    ]);

    // A raw `+` is a space to a form decoder: Severa's examples send it as %2b.
    const raw = await call('GET', `/v1/activities?startDateTime=2031-05-05T12:00:00+03:00`);
    expect(raw).toMatchObject({ status: 400, body: envelope('InvalidParameter') });
    expect(takeDocumentViolations().map((v) => v.problems)).toEqual([
      ['query/startDateTime must match format "date-time"'],
    ]);
  });

  it('filters by changedSince (≥), owner or member, type and category', async () => {
    const [owner, member] = sandbox.control.users.listAll();
    const [typeA, typeB] = sandbox.control.activityTypes.listAll();
    const put = (name: string, type = typeA!) =>
      sandbox.control.activities.put({
        name,
        startDateTime: '2032-01-01T10:00:00Z',
        endDateTime: '2032-01-01T11:00:00Z',
        activityType: type,
        ownerUser: owner!,
      });
    const first = put('filter-first');
    const second = put('filter-second', typeB!);
    sandbox.control.participants.add(second.guid, member!.guid);
    const changed = (since: string) =>
      call('GET', `/v1/activities?rowCount=100&changedSince=${encodeURIComponent(since)}`).then(
        names,
      );
    const afterParticipant = sandbox.control.activities.get(second.guid)!.lastUpdatedDateTime!;
    expect(Date.parse(afterParticipant)).toBeGreaterThan(Date.parse(second.lastUpdatedDateTime!)); // a new participant is a change
    expect(await changed(first.lastUpdatedDateTime!)).toEqual(['filter-first', 'filter-second']);
    expect(await changed(afterParticipant)).toEqual(['filter-second']);
    expect(await changed(new Date(Date.parse(afterParticipant) + 1).toISOString())).toEqual([]);

    const window =
      'startDateTime=2032-01-01T00%3A00%3A00Z&endDateTime=2032-01-02T00%3A00%3A00Z&rowCount=100';
    expect(
      await call('GET', `/v1/activities?${window}&userGuids=${member!.guid}`).then(names),
    ).toEqual([]);
    expect(
      await call(
        'GET',
        `/v1/activities?${window}&userGuids=${member!.guid}&includeAsMember=true`,
      ).then(names),
    ).toEqual(['filter-second']);
    expect(
      await call('GET', `/v1/activities?${window}&activityTypeGuids=${typeB!.guid}`).then(names),
    ).toEqual(['filter-second']);
    expect(
      await call(
        'GET',
        `/v1/activities?${window}&activityCategories=${typeA!.category}&activityCategories=Absences`,
      ).then(names),
    ).toEqual(['filter-first']);
  });

  it('pages with a cursor in the NextPageToken header (20 by default, at most 100)', async () => {
    const [owner] = sandbox.control.users.listAll();
    const [type] = sandbox.control.activityTypes.listAll();
    for (let i = 0; i < 40; i++)
      sandbox.control.activities.put({
        name: `page-${i}`,
        startDateTime: `2035-01-01T${String(i % 24).padStart(2, '0')}:00:00Z`,
        activityType: type!,
        ownerUser: owner!,
      });
    const first = await call('GET', '/v1/activities');
    expect((first.body as unknown[]).length).toBe(20);
    const next = first.headers.get('NextPageToken');
    expect(next).toBeTruthy();
    const seen = new Set((first.body as Activity[]).map((a) => a.guid));
    let cursor: string | null = next;
    while (cursor) {
      const page = await call('GET', `/v1/activities?pageToken=${cursor}`);
      for (const a of page.body as Activity[]) seen.add(a.guid);
      cursor = page.headers.get('NextPageToken');
    }
    const all = await call('GET', '/v1/activities?rowCount=100');
    expect(all.headers.get('NextPageToken')).toBeNull();
    expect(seen.size).toBe((all.body as unknown[]).length);
    expect(await call('GET', '/v1/activities?rowCount=101')).toMatchObject({
      status: 400,
      body: envelope('InvalidParameter'),
    });
    expect(takeDocumentViolations().map((v) => v.problems)).toEqual([
      ['query/rowCount must be <= 100'],
    ]);
    expect(await call('GET', '/v1/activities?pageToken=nonsense')).toMatchObject({
      status: 400,
      body: envelope('InvalidParameter'),
    });
  });

  it('creates with 201, patches with an array result and a new lastUpdatedDateTime, deletes with 204 then 404', async () => {
    const [owner] = sandbox.control.users.listAll();
    const personal = sandbox.control.activityTypes
      .listAll()
      .find((t) => t.category === 'Personal')!;
    const created = await call('POST', '/v1/activities', {
      body: {
        name: 'Created',
        startDateTime: '2033-01-01T10:00:00+02:00',
        endDateTime: '2033-01-01T11:00:00+02:00',
        activityType: { guid: personal.guid },
        ownerUser: { guid: owner!.guid },
      },
    });
    expect(created.status).toBe(201);
    const activity = created.body as Activity;
    expect(activity).toMatchObject({
      name: 'Created',
      activityType: { guid: personal.guid, name: personal.name, category: 'Personal' },
      ownerUser: { guid: owner!.guid },
    });

    const patched = await call('PATCH', `/v1/activities/${activity.guid}`, {
      body: [
        { op: 'Replace', path: '/name', value: 'Renamed' },
        { op: 'Replace', path: '/isAllDay', value: 'true' },
      ],
    });
    expect(patched.status).toBe(200);
    const [updated] = patched.body as Activity[];
    expect(updated).toMatchObject({ guid: activity.guid, name: 'Renamed', isAllDay: true });
    expect(Date.parse(updated!.lastUpdatedDateTime!)).toBeGreaterThan(
      Date.parse(activity.lastUpdatedDateTime!),
    );
    // Read-only, or a value that does not read as the field's type: Severa's InvalidParameter.
    for (const op of [
      { op: 'Replace', path: '/hasHours', value: 'true' },
      { op: 'Replace', path: '/isAllDay', value: 'yes' },
      { op: 'Replace', path: '/startDateTime', value: '2033-01-01T10:00:00' },
      { op: 'Replace', path: '/name', value: null },
      { op: 'Replace', path: '/noSuchField', value: 'x' },
    ])
      expect(
        await call('PATCH', `/v1/activities/${activity.guid}`, { body: [op] }),
        JSON.stringify(op),
      ).toMatchObject({ status: 400, body: envelope('InvalidParameter') });
    // Departures from the document's PatchOperation: refused and recorded.
    for (const op of [
      { op: 'replace', path: '/name', value: 'x' },
      { op: 'Replace', path: '/isAllDay', value: true },
      { op: 'Test', path: '/name', value: 'x' },
    ])
      expect(
        await call('PATCH', `/v1/activities/${activity.guid}`, { body: [op] }),
        JSON.stringify(op),
      ).toMatchObject({ status: 400, body: envelope('InvalidParameter') });
    expect(takeDocumentViolations().map((v) => v.problems)).toEqual([
      ['body/0/op must be one of ["Add","Copy","Move","Remove","Replace"]'],
      ['body/0/value must be string'],
      ['body/0/op must be one of ["Add","Copy","Move","Remove","Replace"]'],
    ]);
    expect(
      await call('POST', '/v1/activities', {
        body: {
          name: 'No type',
          startDateTime: '2033-01-01T10:00:00Z',
          activityType: { guid: 'x' },
          ownerUser: { guid: owner!.guid },
        },
      }),
    ).toMatchObject({
      status: 400,
      body: envelope('InvalidParameter'),
    });

    expect((await call('DELETE', `/v1/activities/${activity.guid}`)).status).toBe(204);
    expect((await call('DELETE', `/v1/activities/${activity.guid}`)).status).toBe(404);
    expect((await call('GET', `/v1/activities/${activity.guid}`)).status).toBe(404);
    expect((await call('PATCH', `/v1/activities/${activity.guid}`, { body: [] })).status).toBe(404);
  });

  it('answers 429 beyond its rate limit, with Severa’s quota message', async () => {
    sandbox.control.setRequestsPerSecond(10);
    try {
      const answers = await Promise.all(Array.from({ length: 15 }, () => call('GET', '/v1/users')));
      const refused = answers.filter((a) => a.status === 429);
      expect(refused.length).toBeGreaterThanOrEqual(5);
      expect(JSON.stringify(refused[0]!.body)).toContain(
        'API calls quota exceeded! maximum admitted 10 per 1s.',
      );
    } finally {
      sandbox.control.setRequestsPerSecond(1000);
    }
  });

  it('is driven over HTTP under /_sandbox/ as well', async () => {
    const control = (method: string, path: string, body?: unknown) =>
      call(method, `/_sandbox/${path}`, { body, bearer: null });
    expect(
      (
        await control('POST', 'clients', {
          id: 'http-client',
          secret: 'http-secret-5678',
          scopes: ['users:read'],
        })
      ).status,
    ).toBe(204);
    expect((await issue('http-client', 'http-secret-5678')).body).toMatchObject({
      scope: 'users:read',
    });

    const before = ((await control('GET', 'requests')).body as { count: number }).count;
    expect((await control('POST', 'faults', { status5xx: 1, for: '^/v1/users$' })).status).toBe(
      204,
    );
    expect((await call('GET', '/v1/users')).status).toBe(503);
    expect((await call('GET', '/v1/users')).status).toBe(200);
    const log = (await control('GET', 'requests')).body as {
      count: number;
      requests: { path: string; status: number }[];
    };
    expect(log.count).toBe(before + 2); // the 503 and the 200; control calls are not counted
    expect(log.requests.slice(-2).map((r) => r.status)).toEqual([503, 200]);

    const users = (await control('GET', 'users')).body as { guid: string }[];
    const type = ((await control('GET', 'activitytypes')).body as { guid: string }[])[0]!;
    const put = await control('POST', 'activities', {
      name: 'Over HTTP',
      startDateTime: '2034-01-01T10:00:00Z',
      activityType: { guid: type.guid },
      ownerUser: { guid: users[0]!.guid },
    });
    expect(put.status).toBe(201);
    const guid = (put.body as Activity).guid;
    expect((await control('PATCH', `activities/${guid}`, { notes: 'edited' })).body).toMatchObject({
      notes: 'edited',
    });
    expect(
      (await control('POST', `activities/${guid}/participants`, { userGuid: users[1]!.guid }))
        .status,
    ).toBe(201);
    expect(
      ((await call('GET', `/v1/activities/${guid}/activityparticipants`)).body as unknown[]).length,
    ).toBe(1);
    expect((await control('DELETE', `activities/${guid}`)).status).toBe(204);

    await control('POST', 'expire-tokens');
    expect((await call('GET', '/v1/users')).status).toBe(401);
  });
});
