import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Link } from '../../main/core/sync/plan';
import { STATE_SCHEMA_VERSION, SyncState } from '../../main/core/sync/state';
import { errorFields, levelsFrom, makeEntry } from '../../main/core/sync/sync-log';
import { AppError } from '../../main/core/errors';
import { localized } from '../../main/core/localized';
import { registerSecret } from '../../main/core/log';

/** The SQLite state: schema and migrations, atomic records, the sync log and its retention. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const link = (guid: string, o: Partial<Link> = {}): Link => ({
  user: 'aino@firma.example',
  severaGuid: guid,
  googleId: `${guid}c0py`,
  origin: 'severa',
  severaHash: 'h1',
  googleHash: 'h2',
  severaUpdated: '2026-11-25T10:00:00.000Z',
  googleUpdated: null,
  start: '2026-11-26T08:00:00.000Z',
  held: null,
  ...o,
});

describe('SyncState', () => {
  it('creates the schema in the profile file and keeps data across reopening', () => {
    const file = join(dir, 'sub', 'state.db');
    const s = SyncState.open(file);
    expect(s.schemaVersion()).toBe(STATE_SCHEMA_VERSION);
    s.record({ upsert: [link('a')] });
    s.setMeta('severa.watermark', '2026-11-25T09:50:00.000Z');
    s.close();
    const again = SyncState.open(file);
    expect(again.linksForUser('aino@firma.example')).toEqual([link('a')]);
    expect(again.getMeta('severa.watermark')).toBe('2026-11-25T09:50:00.000Z');
    again.close();
  });

  it('records a link change and its log entries together, or not at all', () => {
    const s = SyncState.open(':memory:');
    const bad = { ...link('b'), origin: null as unknown as 'severa' };
    expect(() =>
      s.record({
        upsert: [link('a'), bad],
        log: [makeEntry({ action: 'create-google', result: 'ok' })],
      }),
    ).toThrow();
    expect(s.countLinks()).toBe(0);
    expect(s.queryLog()).toHaveLength(0);
    s.record({ upsert: [link('a')], log: [makeEntry({ action: 'create-google', result: 'ok' })] });
    s.record({
      remove: [{ user: 'aino@firma.example', severaGuid: 'a' }],
      upsert: [link('c', { googleId: 'ac0py' })],
    });
    expect(s.allLinks().map((l) => l.severaGuid)).toEqual(['c']);
  });

  it('keeps one link per Google id and per GUID for a user', () => {
    const s = SyncState.open(':memory:');
    s.record({ upsert: [link('a'), link('b', { googleId: 'ac0py' })] });
    expect(s.allLinks().map((l) => l.severaGuid)).toEqual(['b']);
    s.record({ upsert: [link('b', { held: 'delete-google' })] });
    expect(s.heldLinks().map((l) => l.held)).toEqual(['delete-google']);
  });

  it('updates users field by field and resets everything but the runs and the log', () => {
    const s = SyncState.open(':memory:');
    s.setUser('aino@firma.example', { syncToken: 't1', state: 'ok' });
    s.setUser('aino@firma.example', { state: 'error', reason: 'x' });
    expect(s.getUser('aino@firma.example')).toMatchObject({
      syncToken: 't1',
      state: 'error',
      reason: 'x',
    });
    s.record({ upsert: [link('a')], log: [makeEntry({ action: 'x', result: 'ok' })] });
    s.setMeta('google.domain', 'firma.example');
    s.reset();
    expect([
      s.countLinks(),
      s.listUsers().length,
      s.getMeta('google.domain'),
      s.queryLog().length,
    ]).toEqual([0, 0, null, 1]);
  });

  it('runs: start, finish, last', () => {
    const s = SyncState.open(':memory:');
    const id = s.startRun('2026-11-25T10:00:00.000Z', false);
    s.finishRun(id, '2026-11-25T10:01:00.000Z', true, { users: 2 });
    expect(s.lastRun()).toMatchObject({ id, ok: true, dryRun: false, summary: { users: 2 } });
  });
});

describe('the sync log', () => {
  it('is queryable by time, user, level and run, and pruned by retention', () => {
    const s = SyncState.open(':memory:');
    s.record({
      log: [
        makeEntry({ time: '2026-08-01T00:00:00.000Z', action: 'old', result: 'ok' }),
        makeEntry({
          time: '2026-11-25T10:00:00.000Z',
          runId: 7,
          user: 'aino@firma.example',
          action: 'create-google',
          result: 'ok',
        }),
        makeEntry({
          time: '2026-11-25T10:00:01.000Z',
          runId: 7,
          user: 'ilmari@firma.example',
          action: 'create-severa',
          result: 'error',
          errorType: 'InvalidParameter',
          text: localized('Nimi puuttuu', 'Name is required'),
        }),
        makeEntry({
          time: '2026-11-25T10:00:02.000Z',
          runId: 7,
          user: 'aino@firma.example',
          level: 'warn',
          action: 'conflict',
          result: 'ok',
          details: { winner: 'google' },
        }),
      ],
    });
    expect(s.queryLog({ since: '2026-11-01T00:00:00Z' }).map((e) => e.action)).toEqual([
      'create-google',
      'create-severa',
      'conflict',
    ]);
    expect(s.queryLog({ user: 'aino@firma.example' }).map((e) => e.action)).toEqual([
      'create-google',
      'conflict',
    ]);
    expect(s.queryLog({ levels: levelsFrom('warn') }).map((e) => e.action)).toEqual([
      'create-severa',
      'conflict',
    ]);
    expect(s.queryLog({ runId: 7, levels: ['error'] })[0]).toMatchObject({
      errorType: 'InvalidParameter',
      message: 'Name is required',
      level: 'error',
    });
    expect(s.queryLog({ levels: ['warn'] })[0]?.details).toEqual({ winner: 'google' });
    expect(s.pruneLog('2026-09-01T00:00:00.000Z')).toBe(1);
    expect(s.queryLog()).toHaveLength(3);
  });

  it("remembers an item's title and start, when its deletion was first held, and since when a user is in a state", () => {
    const s = SyncState.open(':memory:');
    const user = 'aino@firma.example';
    const at = (time: string, parts: Parameters<typeof makeEntry>[0]) =>
      makeEntry({ user, severaGuid: 'a', googleId: 'ac0py', time, ...parts });
    s.record({
      log: [
        at('2026-11-25T08:00:00.000Z', {
          action: 'create-google',
          result: 'ok',
          title: 'Sprint review',
          start: '2026-11-26T08:00:00.000Z',
        }),
        at('2026-11-25T09:00:00.000Z', { action: 'delete-severa', result: 'held' }),
        at('2026-11-25T09:15:00.000Z', { action: 'delete-severa', result: 'held' }),
      ],
    });
    expect(s.itemFacts(user, 'a', null)).toEqual({
      title: 'Sprint review',
      start: '2026-11-26T08:00:00.000Z',
    });
    expect(s.itemFacts(user, null, 'ac0py')?.title).toBe('Sprint review');
    // An entry from before the activity existed (a Google event's) names its item too.
    s.record({
      log: [makeEntry({ user, googleId: 'ev1', action: 'read', result: 'ok', title: 'Dentist' })],
    });
    expect(s.itemFacts(user, 'new-activity', 'ev1')?.title).toBe('Dentist');
    expect(s.heldSince(user, 'a')).toBe('2026-11-25T09:00:00.000Z');
    expect(s.queryLog()[0]).toMatchObject({ title: 'Sprint review' });

    s.setUser(user, { state: 'ok', lastRunAt: '2026-11-25T08:00:00.000Z' });
    s.setUser(user, { state: 'ok', lastRunAt: '2026-11-25T09:00:00.000Z' });
    expect(s.getUser(user)?.stateSince).toBe('2026-11-25T08:00:00.000Z');
    s.setUser(user, { state: 'stopped', lastRunAt: '2026-11-25T10:00:00.000Z' });
    expect(s.getUser(user)?.stateSince).toBe('2026-11-25T10:00:00.000Z');
  });

  it('never stores a secret: messages and details are scrubbed', () => {
    const secret = 'sev3ra-client-s3cret-value';
    registerSecret(secret);
    const e = makeEntry({
      action: 'read',
      result: 'error',
      ...errorFields(new Error(`token request failed for ${secret}: Bearer ya29.abcdefghijkl`)),
      details: { body: `-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----` },
    });
    const text = JSON.stringify(e);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('ya29.abcdefghijkl');
    expect(text).not.toContain('MIIE');
  });

  it('takes the error type and the exact server message from either client error', () => {
    const google = Object.assign(new Error('wrapped'), {
      reason: 'rateLimitExceeded',
      googleMessage: 'Rate Limit Exceeded',
    });
    const severa = Object.assign(new Error('wrapped'), {
      type: 'InvalidParameter',
      serverMessage: 'Name is required.',
    });
    expect(errorFields(google)).toMatchObject({
      errorType: 'rateLimitExceeded',
      message: 'Rate Limit Exceeded',
      messageFrom: 'google',
      step: null,
    });
    expect(errorFields(severa)).toMatchObject({
      errorType: 'InvalidParameter',
      message: 'Name is required.',
      messageFrom: 'severa',
    });
    // A failure we have no diagnosis for is said to be unexpected, in both languages.
    expect(errorFields(new TypeError('boom'))).toMatchObject({
      errorType: 'TypeError',
      message: 'boom',
      messageFrom: null,
      text: { fi: 'Odottamaton virhe: "boom"', en: 'Unexpected error: "boom"' },
    });
    const ours = new AppError(
      'sync.x',
      'severa.activity-types',
      localized('Suomeksi', 'In English'),
    );
    expect(errorFields(ours)).toMatchObject({
      message: 'In English',
      messageFrom: null,
      text: { fi: 'Suomeksi', en: 'In English' },
      step: 'severa.activity-types',
    });
  });

  it('keeps our words in both languages and whose words a message is (migration 4)', () => {
    const s = SyncState.open(':memory:');
    const user = 'aino@firma.example';
    const severa = Object.assign(
      new AppError('severa-x', null, localized('Severa kieltäytyi.', 'Severa refused.')),
      {
        type: 'InsufficientApiScope',
        serverMessage: "The access token does not have the required API scope 'activities:write'.",
      },
    );
    s.record({
      log: [
        makeEntry({ user, action: 'held', result: 'held', text: localized('Pidätetty.', 'Held.') }),
        makeEntry({ user, action: 'create-severa', result: 'error', ...errorFields(severa) }),
        makeEntry({ action: 'run-start', result: 'ok' }),
      ],
    });
    const [held, failed, start] = s.queryLog();
    expect(held).toMatchObject({ message: 'Held.', messageFrom: null, text: { fi: 'Pidätetty.' } });
    expect(failed).toMatchObject({
      message: "The access token does not have the required API scope 'activities:write'.",
      messageFrom: 'severa',
      text: { fi: 'Severa kieltäytyi.', en: 'Severa refused.' },
    });
    expect(start).toMatchObject({ message: null, messageFrom: null, text: null });

    s.setUser(user, {
      state: 'error',
      reason: '1 item failed',
      reasonText: localized('1 epäonnistui', '1 item failed'),
    });
    expect(s.getUser(user)?.reasonText).toEqual({ fi: '1 epäonnistui', en: '1 item failed' });
    s.setUser(user, { syncToken: 't' });
    expect(s.getUser(user)?.reasonText?.fi).toBe('1 epäonnistui');
    // A new reason without its own words does not keep the old reason's.
    s.setUser(user, { state: 'no-google', reason: 'invalid_grant' });
    expect(s.getUser(user)?.reasonText).toBeNull();

    const failure = s.recordFailure(
      {
        user,
        item: 'google:e1',
        action: 'create-severa',
        severaGuid: null,
        googleId: 'e1',
        ...errorFields(severa),
      },
      '2026-11-25T10:00:00.000Z',
    );
    expect(failure).toMatchObject({ messageFrom: 'severa', text: { fi: 'Severa kieltäytyi.' } });
  });
});

describe('claims and item failures (issue 10)', () => {
  const user = 'aino@firma.example';
  const at = '2026-11-25T10:00:00.000Z';
  const stale = '2026-11-25T09:50:00.000Z';

  it('one run claims an event; a live holder keeps it, a dead or stale one is taken over, a linked event is never claimed', () => {
    const s = SyncState.open(':memory:');
    const claim = (pid: number, alive: boolean, when = at) =>
      s.claimEvent({ user, googleId: 'ev1', at: when, pid }, stale, () => alive);
    expect(claim(1, true)).toBe(true);
    expect(claim(2, true)).toBe(false);
    expect(claim(2, false)).toBe(true);
    s.releaseEvent(user, 'ev1');
    s.record({ upsert: [link('a', { user, googleId: 'ev1' })] });
    expect(claim(3, true)).toBe(false);
    // The activity replacing that link may claim it.
    expect(s.claimEvent({ user, googleId: 'ev1', at, pid: 3 }, stale, () => true, 'a')).toBe(true);
    s.close();
  });

  it('counts failing runs per item, quarantines, and marks retries', () => {
    const s = SyncState.open(':memory:');
    const fail = () =>
      s.recordFailure(
        {
          user,
          item: 'google:ev1',
          action: 'create-severa',
          severaGuid: null,
          googleId: 'ev1',
          errorType: 'InvalidParameter',
          message: 'nope',
          step: null,
        },
        at,
      );
    expect(fail().failures).toBe(1);
    expect(fail().failures).toBe(2);
    expect(s.requestRetry(user)).toBe(0);
    s.quarantine(user, 'google:ev1', at);
    expect(s.requestRetry(user, 'google:ev1')).toBe(1);
    expect(s.failures(user)).toEqual([
      expect.objectContaining({ failures: 2, quarantinedAt: at, retryRequested: true }),
    ]);
    expect(fail()).toMatchObject({ failures: 3, retryRequested: false });
    s.clearFailure(user, 'google:ev1');
    expect(s.failures()).toEqual([]);
    s.close();
  });
});
