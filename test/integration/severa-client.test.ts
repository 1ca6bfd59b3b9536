import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../main/core/log';
import {
  startSeveraSandbox,
  type SandboxRequest,
  type SeveraSandbox,
} from '../../main/core/sandbox/severa-sandbox';
import { createSeveraClient, type SeveraClientOptions } from '../../main/core/severa/client';
import { isSeveraApiError, SeveraApiError } from '../../main/core/severa/severa-errors';

/**
 * The real Severa client against the Severa sandbox over loopback HTTP: paging, the shared rate
 * limiter measured at the server, 429 / 5xx / dropped connections ridden out, token renewal, the
 * error envelope, and no secret in any log line or error text.
 */
let sandbox: SeveraSandbox;
let tmp: string;
let logFile: string;
const issuedTokens: string[] = [];
const errorTexts: string[] = [];
const CLIENT_ID = 'test-client';
const SECRET = 'client-secret-value-Zq8w2Lr5';

/** Records every access token the sandbox issues, to prove none of them leaks. */
const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (String(input).endsWith('/v1/token') && response.ok) {
    const body = (await response.clone().json()) as { access_token: string };
    issuedTokens.push(body.access_token);
  }
  return response;
};

const client = (extra: Partial<SeveraClientOptions> = {}) =>
  createSeveraClient({
    apiRoot: sandbox.apiRoot,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    requestsPerSecond: 10,
    logger: createLogger(logFile, 'test'),
    fetch: recordingFetch,
    ...extra,
  });

async function failure(promise: Promise<unknown>): Promise<SeveraApiError> {
  try {
    await promise;
  } catch (e) {
    if (!(e instanceof SeveraApiError)) throw e;
    errorTexts.push(e.message, e.text.fi, e.text.en, e.serverMessage, JSON.stringify(e));
    return e;
  }
  throw new Error('expected a SeveraApiError');
}

const since = (mark: number) => sandbox.control.requestLog.slice(mark);
const statuses = (log: readonly SandboxRequest[]) => log.map((r) => r.status);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'severa-client-'));
  logFile = join(tmp, 'debug.log');
  sandbox = await startSeveraSandbox({ seedDemo: true });
  sandbox.control.addClient(CLIENT_ID, SECRET, [
    'activities:read',
    'activities:write',
    'activities:delete',
    'settings:read',
    'users:read',
  ]);
});

afterAll(async () => {
  await sandbox.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('Severa client over HTTP', () => {
  it('reads 350 activities in pages of 100 through the NextPageToken cursor, as a stream', async () => {
    const owner = sandbox.control.users.put({
      firstName: 'Paging',
      lastName: 'Tester',
      email: 'paging@kalevala.example',
    });
    const type = sandbox.control.activityTypes
      .listAll()
      .find((t) => t.category === 'CalendarEntry' && t.isActive)!;
    const base = Date.parse('2030-01-01T00:00:00Z');
    for (let i = 0; i < 350; i++) {
      const start = new Date(base + i * 3_600_000).toISOString();
      sandbox.control.activities.put({
        name: `Item ${i}`,
        startDateTime: start,
        endDateTime: start,
        activityType: { guid: type.guid },
        ownerUser: { guid: owner.guid },
      });
    }
    const severa = client();
    await severa.grantedScopes();
    const mark = sandbox.control.requestLog.length;
    const seen = new Set<string>();
    for await (const activity of severa.listActivities({ userGuids: [owner.guid] }))
      seen.add(activity.guid);
    expect(seen.size).toBe(350);

    const pages = since(mark).filter((r) => r.path === '/v1/activities');
    expect(pages).toHaveLength(4);
    const queries = pages.map((r) => new URLSearchParams(r.query));
    expect(queries.every((q) => q.get('rowCount') === '100')).toBe(true);
    expect(queries[0]!.has('pageToken')).toBe(false);
    expect(queries.slice(1).every((q) => !!q.get('pageToken'))).toBe(true);

    // A consumer that stops early costs one page only.
    const early = sandbox.control.requestLog.length;
    for await (const activity of severa.listActivities({ userGuids: [owner.guid] }))
      if (activity) break;
    expect(since(early).filter((r) => r.path === '/v1/activities')).toHaveLength(1);
  });

  it('sends date-times with their offset, the + encoded, and refuses one without an offset', async () => {
    const severa = client();
    const mark = sandbox.control.requestLog.length;
    for await (const _ of severa.listActivities({
      startDateTime: '2026-03-29T00:00:00+03:00',
      endDateTime: '2026-03-29T23:59:59+03:00',
    }))
      break;
    const [list] = since(mark).filter((r) => r.path === '/v1/activities');
    expect(list!.status).toBe(200);
    expect(list!.query).toMatch(/startDateTime=2026-03-29T00%3A00%3A00%2B03%3A00/i);
    await expect(
      severa.listActivities({ changedSince: '2026-03-29T00:00:00' })[Symbol.asyncIterator]().next(),
    ).rejects.toMatchObject({
      code: 'severa-date-without-offset',
    });
  });

  it('never lets the sandbox see more than 10 requests in any second under 20 concurrent callers', async () => {
    // Two clients of the same API root: the limiter is the process's, not the client's.
    const [a, b] = [client(), client()];
    await Promise.all([a.grantedScopes(), b.grantedScopes()]);
    const guid = sandbox.control.activities.listAll()[0]!.guid;
    const mark = sandbox.control.requestLog.length;
    const callers = Array.from({ length: 20 }, (_, i) =>
      (async () => {
        for (let n = 0; n < 3; n++) await (i % 2 ? a : b).getActivity(guid);
      })(),
    );
    await Promise.all(callers);
    const log = since(mark);
    expect(log).toHaveLength(60);
    expect(log.every((r) => r.status === 200)).toBe(true);
    let busiest = 0;
    for (const first of log)
      busiest = Math.max(
        busiest,
        log.filter((r) => r.time >= first.time && r.time < first.time + 1000).length,
      );
    expect(busiest).toBeLessThanOrEqual(10);
    expect(busiest).toBeGreaterThanOrEqual(8); // and the limiter does not idle either
  });

  it('rides out a 429 burst (with and without Retry-After), 5xx answers and dropped connections', async () => {
    const severa = client();
    const guid = sandbox.control.activities.listAll()[0]!.guid;
    await severa.grantedScopes();

    let mark = sandbox.control.requestLog.length;
    sandbox.control.injectFaults({ burst429: 4, for: /^\/v1\/activities/ });
    expect(await severa.getActivity(guid)).toMatchObject({ guid });
    expect(statuses(since(mark))).toEqual([429, 429, 429, 429, 200]);

    mark = sandbox.control.requestLog.length;
    sandbox.control.injectFaults({ burst429: 1, retryAfterSeconds: 1, for: /^\/v1\/activities/ });
    await severa.getActivity(guid);
    const [refused, retried] = since(mark);
    expect(retried!.time - refused!.time).toBeGreaterThanOrEqual(990);

    mark = sandbox.control.requestLog.length;
    sandbox.control.injectFaults({ status5xx: 3, for: /^\/v1\/activities/ });
    const listed = [];
    for await (const a of severa.listActivities({ startDateTime: '2000-01-01T00:00:00Z' }))
      listed.push(a);
    expect(listed.length).toBeGreaterThan(0);
    expect(statuses(since(mark)).slice(0, 4)).toEqual([503, 503, 503, 200]);

    mark = sandbox.control.requestLog.length;
    sandbox.control.injectFaults({ drop: 2, for: /^\/v1\/activities/ });
    const patched = await severa.patchActivity(guid, [
      { op: 'Replace', path: '/notes', value: 'after two drops' },
    ]);
    expect(patched.notes).toBe('after two drops');
    expect(statuses(since(mark))).toEqual([0, 0, 200]);
  });

  it('does not send a create twice after a 5xx (it may have been applied), but does after a 429', async () => {
    const severa = client();
    const { users, activityTypes } = sandbox.control;
    const input = {
      name: 'Once only',
      startDateTime: '2030-06-01T09:00:00+03:00',
      endDateTime: '2030-06-01T10:00:00+03:00',
      isAllDay: false,
      activityType: { guid: activityTypes.listAll()[0]!.guid },
      ownerUser: { guid: users.listAll()[0]!.guid },
    };
    await severa.grantedScopes();
    let mark = sandbox.control.requestLog.length;
    sandbox.control.injectFaults({ status5xx: 1, for: /^\/v1\/activities$/ });
    const error = await failure(severa.createActivity(input));
    expect(error).toMatchObject({ type: 'InternalSystemError', httpStatus: 503 });
    expect(since(mark).filter((r) => r.method === 'POST')).toHaveLength(1);

    mark = sandbox.control.requestLog.length;
    sandbox.control.injectFaults({ burst429: 1, for: /^\/v1\/activities$/ });
    const created = await severa.createActivity(input);
    expect(created).toMatchObject({ name: 'Once only', startDateTime: input.startDateTime });
    expect(statuses(since(mark))).toEqual([429, 201]);
  });

  it('replaces an expired token: once after a 401, and before expiry when tokens are short-lived', async () => {
    const severa = client();
    const guid = sandbox.control.activities.listAll()[0]!.guid;
    await severa.getActivity(guid);
    sandbox.control.expireTokens();
    let mark = sandbox.control.requestLog.length;
    expect(await severa.getActivity(guid)).toMatchObject({ guid });
    expect(since(mark).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `GET /v1/activities/${guid} 401`,
      'POST /v1/token 200',
      `GET /v1/activities/${guid} 200`,
    ]);

    sandbox.control.setTokenLifetime(2);
    try {
      const shortLived = client();
      await shortLived.getActivity(guid);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      mark = sandbox.control.requestLog.length;
      await shortLived.getActivity(guid);
      expect(since(mark).map((r) => `${r.path} ${r.status}`)).toEqual([
        '/v1/token 200',
        `/v1/activities/${guid} 200`,
      ]);
    } finally {
      sandbox.control.setTokenLifetime(3600);
    }
  });

  it("turns Severa's error envelope into typed errors with the exact message and the step that fixes it", async () => {
    sandbox.control.addClient('users-only', 'users-only-secret-9f8e7d', ['users:read']);
    const limited = client({ clientId: 'users-only', clientSecret: 'users-only-secret-9f8e7d' });
    const scope = await failure(limited.listActivities({})[Symbol.asyncIterator]().next());
    expect(scope).toMatchObject({
      type: 'InsufficientApiScope',
      httpStatus: 403,
      step: 'severa.api-credentials',
      code: 'severa-insufficient-api-scope',
      serverMessage: "The access token does not have the required API scope 'activities:read'.",
    });

    const wrongSecret = client({ clientSecret: 'not-the-right-secret-123' });
    const auth = await failure(wrongSecret.getActivity('x'));
    expect(auth).toMatchObject({
      type: 'AuthenticationRequired',
      httpStatus: 401,
      step: 'severa.api-credentials',
      serverMessage: 'Invalid client credentials.',
    });

    const severa = client();

    const invalid = await failure(
      severa.createActivity({
        name: 'x',
        startDateTime: '2030-01-01T10:00:00Z',
        endDateTime: null,
        isAllDay: false,
        activityType: { guid: 'no-such-type' },
        ownerUser: { guid: 'no-such-user' },
      }),
    );
    expect(invalid).toMatchObject({
      type: 'InvalidParameter',
      httpStatus: 400,
      serverMessage: "Activity type 'no-such-type' was not found.",
    });
    expect(invalid.text.fi).toContain("Activity type 'no-such-type' was not found.");
    expect(isSeveraApiError(invalid, 'InvalidParameter')).toBe(true);

    const down = createSeveraClient({
      apiRoot: 'http://127.0.0.1:9',
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      retry: { maxRetries: 1, baseDelayMs: 10 },
    });
    // No answer at all is the network's step, named with the address and why, never the credentials'.
    const unreachable = await failure(down.getActivity('x'));
    expect(unreachable).toMatchObject({ type: 'Unreachable', step: 'pre.network' });
    expect(unreachable.text.en).toMatch(/^Could not reach Severa: 127\.0\.0\.1:9 /);
  });

  it('handles participants and 404s as answers', async () => {
    const severa = client();
    const [owner, guest] = sandbox.control.users.listAll();
    const type = sandbox.control.activityTypes.listAll()[0]!;
    const created = await severa.createActivity({
      name: 'With a guest',
      startDateTime: '2030-02-01T10:00:00+02:00',
      endDateTime: '2030-02-01T11:00:00+02:00',
      isAllDay: false,
      activityType: { guid: type.guid },
      ownerUser: { guid: owner!.guid },
    });
    const participant = await severa.addParticipant(created.guid, guest!.guid);
    expect(await severa.listParticipants(created.guid)).toEqual([
      expect.objectContaining({ guid: participant.guid, participantGuid: guest!.guid }),
    ]);
    let found = false;
    for await (const a of severa.listActivities({
      userGuids: [guest!.guid],
      includeAsMember: true,
    }))
      found ||= a.guid === created.guid;
    expect(found).toBe(true);
    await severa.removeParticipant(created.guid, participant.guid!);
    await severa.removeParticipant(created.guid, participant.guid!); // already gone: no error
    expect(await severa.listParticipants(created.guid)).toEqual([]);
    expect(await severa.deleteActivity(created.guid)).toBe(true);
    expect(await severa.deleteActivity(created.guid)).toBe(false);
    expect(await severa.getActivity(created.guid)).toBeNull();
  });

  it('leaves the client secret and every access token out of the log and every error text', () => {
    expect(issuedTokens.length).toBeGreaterThan(3);
    expect(errorTexts.length).toBeGreaterThan(5);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('severa request'); // the log was written
    for (const secret of [SECRET, 'users-only-secret-9f8e7d', ...issuedTokens]) {
      expect(log).not.toContain(secret);
      for (const text of errorTexts) expect(text).not.toContain(secret);
    }
  });
});
