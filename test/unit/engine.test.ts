import { beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings, mergeSettings, type Settings } from '../../main/core/store/settings';
import {
  nextWatermark,
  runSync,
  WATERMARK_OVERLAP_MS,
  type SyncOptions,
} from '../../main/core/sync/engine';
import { googleCopyId } from '../../main/core/sync/mapping';
import { SyncState } from '../../main/core/sync/state';
import type { LogEntry } from '../../main/core/sync/sync-log';
import { expectEngineTexts } from '../helpers/engine-texts';
import { Clock, FakeCalendar, FakeGoogle, FakeSevera, severaUser } from '../helpers/fake-ports';

/** The engine against the in-memory ports: whole runs, as the app and the CLI make them. */
const AINO = 'aino@firma.example';
const ILMARI = 'ilmari@firma.example';
const NOGOOGLE = 'pekka@firma.example';

let clock: Clock;
let severa: FakeSevera;
let google: FakeGoogle;
let state: SyncState;
let settings: Settings;
let live: LogEntry[];

const sync = async (options: SyncOptions = {}) => {
  clock.tick();
  const result = await runSync(
    { settings, severa, google, state, now: clock.now, onLogEntry: (e) => live.push(e) },
    options,
  );
  expectEngineTexts(live, state.listUsers());
  return result;
};

const meeting = (name: string, start: string, end: string, owner = `user-aino`) =>
  severa.userCreate({
    name,
    startDateTime: start,
    endDateTime: end,
    isAllDay: false,
    activityType: { guid: 'type-meeting' },
    ownerUser: { guid: owner },
  });

/** The next run adopts what exists on both sides and creates nothing: no duplicate anywhere. */
async function expectAdoptedWithoutDuplicates(count: number) {
  const r = await sync();
  expect(r).toMatchObject({
    ok: true,
    adopted: count,
    toGoogle: { created: 0 },
    toSevera: { created: 0 },
  });
  expect(severa.activities.size).toBe(count);
  expect(google.cal(AINO).live()).toHaveLength(count);
}

beforeEach(() => {
  clock = new Clock();
  severa = new FakeSevera(clock, [severaUser(AINO), severaUser(ILMARI), severaUser(NOGOOGLE)]);
  google = new FakeGoogle(clock, [AINO, ILMARI]);
  state = SyncState.open(':memory:');
  settings = mergeSettings(defaultSettings(), {
    google: { domain: 'firma.example', clientId: '123' },
    severa: { defaultActivityTypeGuid: 'type-meeting', personalActivityTypeGuid: 'type-personal' },
  });
  live = [];
});

describe('runSync', () => {
  it('creates both ways on the first run and reports zero changes on the second', async () => {
    const a = meeting('Sprint review', '2026-11-26T10:00:00+02:00', '2026-11-26T11:00:00+02:00');
    google.cal(ILMARI).userCreate({
      summary: 'Dentist',
      visibility: 'private',
      start: { dateTime: '2026-11-27T08:00:00+02:00' },
      end: { dateTime: '2026-11-27T09:00:00+02:00' },
    });
    const first = await sync();
    expect(first).toMatchObject({
      ok: true,
      users: 2,
      toGoogle: { created: 1 },
      toSevera: { created: 1 },
    });
    expect(first.skipped.map((s) => s.step)).toEqual(['pre.same-email']);
    expect(state.queryLog({ levels: ['warn'] })).toContainEqual(
      expect.objectContaining({ action: 'user-skipped', user: NOGOOGLE, step: 'pre.same-email' }),
    );
    const copy = google.cal(AINO).events.get(googleCopyId(a.guid, AINO))?.event;
    expect(copy).toMatchObject({
      summary: 'Sprint review',
      extendedProperties: { private: { severaGuid: a.guid, origin: 'severa' } },
    });
    const dentist = [...severa.activities.values()].find((x) => x.name === 'Dentist');
    expect(dentist).toMatchObject({
      activityType: { guid: 'type-personal' },
      ownerUser: { guid: 'user-ilmari' },
    });
    const second = await sync();
    expect(second).toMatchObject({
      ok: true,
      toGoogle: { created: 0, updated: 0, deleted: 0 },
      toSevera: { created: 0, updated: 0, deleted: 0 },
    });
    expect(live.some((e) => e.action === 'create-google' && e.result === 'ok')).toBe(true);
  });

  it('carries an edit, a move and a deletion from each side in one run', async () => {
    const a = meeting('Planning', '2026-11-26T10:00:00+02:00', '2026-11-26T11:00:00+02:00');
    const b = meeting('Retro', '2026-11-28T10:00:00+02:00', '2026-11-28T11:00:00+02:00');
    const ev = google.cal(AINO).userCreate({
      summary: 'Lunch',
      start: { dateTime: '2026-11-26T12:00:00+02:00' },
      end: { dateTime: '2026-11-26T13:00:00+02:00' },
    });
    await sync();
    severa.userEdit(a.guid, {
      name: 'Planning (moved)',
      startDateTime: '2026-11-26T14:00:00+02:00',
      endDateTime: '2026-11-26T15:00:00+02:00',
    });
    google.cal(AINO).userEdit(ev.id as string, { summary: 'Long lunch' });
    google.cal(AINO).userDelete(googleCopyId(b.guid, AINO));
    const r = await sync();
    expect(r).toMatchObject({
      ok: true,
      toGoogle: { updated: 1 },
      toSevera: { updated: 1, deleted: 1 },
    });
    expect(google.cal(AINO).events.get(googleCopyId(a.guid, AINO))?.event.start?.dateTime).toBe(
      '2026-11-26T14:00:00+02:00',
    );
    expect([...severa.activities.values()].map((x) => x.name).sort()).toEqual([
      'Long lunch',
      'Planning (moved)',
    ]);
  });

  it('restores the Google copy of an activity with work hours instead of deleting it', async () => {
    const a = meeting(
      'Billable workshop',
      '2026-11-26T10:00:00+02:00',
      '2026-11-26T11:00:00+02:00',
    );
    await sync();
    severa.activities.set(a.guid, {
      ...(severa.activities.get(a.guid) as typeof a),
      hasHours: true,
    });
    google.cal(AINO).userDelete(googleCopyId(a.guid, AINO));
    const r = await sync();
    expect(r.toSevera.deleted).toBe(0);
    expect(severa.activities.has(a.guid)).toBe(true);
    expect(
      google
        .cal(AINO)
        .live()
        .map((e) => e.summary),
    ).toEqual(['Billable workshop']);
  });

  it('stops on another Google account until reset', async () => {
    await sync();
    settings = mergeSettings(settings, { google: { clientId: '999' } });
    const r = await sync();
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatchObject({ step: 'pre.account-change' });
    state.reset();
    expect((await sync()).ok).toBe(true);
  });

  it('a domain filled in after the first run is not an account change; a different one is', async () => {
    settings = mergeSettings(settings, { google: { domain: null } });
    await sync();
    settings = mergeSettings(settings, { google: { domain: 'firma.example' } });
    expect((await sync()).ok).toBe(true);
    settings = mergeSettings(settings, { google: { domain: 'uusi.example' } });
    expect((await sync()).errors).toEqual([
      expect.objectContaining({ step: 'pre.account-change' }),
    ]);
  });

  it('re-adopts everything with the database lost, creating no duplicate', async () => {
    meeting('One', '2026-11-26T10:00:00+02:00', '2026-11-26T11:00:00+02:00');
    google.cal(AINO).userCreate({
      summary: 'Two',
      start: { dateTime: '2026-11-26T12:00:00+02:00' },
      end: { dateTime: '2026-11-26T13:00:00+02:00' },
    });
    await sync();
    state = SyncState.open(':memory:');
    await expectAdoptedWithoutDuplicates(2);
  });

  it('a dry run plans and writes nothing, on either side or locally', async () => {
    meeting('Plan me', '2026-11-26T10:00:00+02:00', '2026-11-26T11:00:00+02:00');
    const writesBefore = google.cal(AINO).events.size;
    const r = await sync({ dryRun: true });
    expect(r).toMatchObject({ ok: true, dryRun: true, runId: null, toGoogle: { created: 1 } });
    expect(r.plan).toEqual([
      expect.objectContaining({ user: AINO, action: 'create-google', title: 'Plan me' }),
    ]);
    expect(google.cal(AINO).events.size).toBe(writesBefore);
    expect([
      state.countLinks(),
      state.lastRun({ includeDryRuns: true }),
      state.queryLog().length,
    ]).toEqual([0, null, 0]);
    expect(live.some((e) => e.action === 'run-start')).toBe(true);
  });

  it('honours the abort signal between items and finishes the rest on the next run', async () => {
    for (let i = 0; i < 5; i++)
      meeting(`M${i}`, `2026-11-2${i}T10:00:00+02:00`, `2026-11-2${i}T11:00:00+02:00`);
    const abort = new AbortController();
    clock.tick();
    const r = await runSync(
      {
        settings,
        severa,
        google,
        state,
        now: clock.now,
        signal: abort.signal,
        onLogEntry: (e) => e.action === 'create-google' && abort.abort(),
      },
      {},
    );
    expect(r).toMatchObject({ aborted: true, ok: false, toGoogle: { created: 1 } });
    expect(state.countLinks()).toBe(1);
    const rest = await sync();
    expect(rest).toMatchObject({ ok: true, toGoogle: { created: 4 } });
    expect(google.cal(AINO).live()).toHaveLength(5);
  });

  it('a crash between a remote write and its record repeats nothing: the next run adopts', async () => {
    meeting('Severa side', '2026-11-26T10:00:00+02:00', '2026-11-26T11:00:00+02:00');
    google.cal(AINO).userCreate({
      summary: 'Google side',
      start: { dateTime: '2026-11-27T10:00:00+02:00' },
      end: { dateTime: '2026-11-27T11:00:00+02:00' },
    });
    const record = state.record.bind(state);
    state.record = (change) => {
      if (change.upsert?.length) throw new Error('disk full');
      record(change);
    };
    const crashed = await sync();
    expect(crashed.ok).toBe(false);
    expect(crashed.errors.map((e) => e.message)).toEqual(['disk full', 'disk full']);
    state.record = record;
    await expectAdoptedWithoutDuplicates(2);
  });

  it('lists in full after the sync token expired (410) and keeps every link', async () => {
    meeting('Kept', '2026-11-26T10:00:00+02:00', '2026-11-26T11:00:00+02:00');
    await sync();
    google.cal(AINO).expireToken = true;
    const r = await sync();
    expect(r).toMatchObject({
      ok: true,
      toGoogle: { created: 0, deleted: 0 },
      toSevera: { created: 0, deleted: 0 },
    });
    expect(state.countLinks()).toBe(1);
  });

  it("a participant deleting their copy leaves the meeting; the owner's copy stays", async () => {
    const a = meeting('Team day', '2026-11-26T10:00:00+02:00', '2026-11-26T11:00:00+02:00');
    await severa.addParticipant(a.guid, 'user-ilmari');
    await sync();
    expect(
      google
        .cal(ILMARI)
        .live()
        .map((e) => e.summary),
    ).toEqual(['Team day']);
    google.cal(ILMARI).userDelete(googleCopyId(a.guid, ILMARI));
    const r = await sync();
    expect(r.toSevera.deleted).toBe(1);
    expect(severa.activities.has(a.guid)).toBe(true);
    expect(severa.participants.get(a.guid)).toEqual([]);
    expect(google.cal(AINO).live()).toHaveLength(1);
  });

  it('syncs only the users asked for', async () => {
    meeting('Aino only', '2026-11-26T10:00:00+02:00', '2026-11-26T11:00:00+02:00');
    google.cal(ILMARI).userCreate({
      summary: 'Ilmari only',
      start: { dateTime: '2026-11-27T10:00:00+02:00' },
      end: { dateTime: '2026-11-27T11:00:00+02:00' },
    });
    const r = await sync({ users: [ILMARI] });
    expect(r).toMatchObject({ users: 1, toGoogle: { created: 0 }, toSevera: { created: 1 } });
    expect(google.cal(AINO).live()).toHaveLength(0);
  });

  it('does not bring declined invitations, out-of-office blocks or meetings another synced user organises', async () => {
    const slot = {
      start: { dateTime: '2026-11-27T10:00:00+02:00' },
      end: { dateTime: '2026-11-27T11:00:00+02:00' },
    };
    google.cal(AINO).userCreate({
      ...slot,
      summary: 'Declined',
      attendees: [{ email: AINO, self: true, responseStatus: 'declined' }],
    });
    google.cal(AINO).userCreate({ ...slot, summary: 'Away', eventType: 'outOfOffice' });
    google.cal(AINO).userCreate({
      ...slot,
      summary: "Ilmari's meeting",
      organizer: { email: ILMARI, self: false },
    });
    google.cal(AINO).userCreate({
      ...slot,
      summary: 'External meeting',
      organizer: { email: 'boss@other.example', self: false },
    });
    const r = await sync();
    expect(r.toSevera.created).toBe(1);
    expect([...severa.activities.values()].map((a) => a.name)).toEqual(['External meeting']);
  });

  it('stops a user whose Severa side suddenly lists nothing, deleting nothing', async () => {
    for (let i = 0; i < 3; i++)
      meeting(`K${i}`, `2026-11-2${i + 6}T10:00:00+02:00`, `2026-11-2${i + 6}T11:00:00+02:00`);
    await sync();
    severa.listNothing = true;
    const r = await sync({ sweep: 'full' });
    expect(r).toMatchObject({ ok: false, stopped: [AINO], toGoogle: { deleted: 0 } });
    expect(google.cal(AINO).live()).toHaveLength(3);
    expect(state.getUser(AINO)).toMatchObject({ state: 'stopped' });
    expect(state.queryLog({ levels: ['error'] })).toContainEqual(
      expect.objectContaining({ action: 'brake', errorType: 'empty-listing', user: AINO }),
    );
  });

  it('does not sync Severa series masters, only their occurrences', async () => {
    const base = {
      isAllDay: false,
      activityType: { guid: 'type-meeting' },
      ownerUser: { guid: 'user-aino' },
    };
    const master = severa.userCreate({
      ...base,
      name: 'Standup',
      startDateTime: '2026-11-26T09:00:00+02:00',
      endDateTime: '2026-11-26T09:15:00+02:00',
      recurrenceType: 'Series',
    });
    for (const day of ['26', '27']) {
      severa.userCreate({
        ...base,
        name: 'Standup',
        startDateTime: `2026-11-${day}T09:00:00+02:00`,
        endDateTime: `2026-11-${day}T09:15:00+02:00`,
        recurrenceType: 'Occurrence',
        recurrenceParentActivityGuid: master.guid,
      });
    }
    const r = await sync();
    expect(r.toGoogle.created).toBe(2);
    expect(google.cal(AINO).events.has(googleCopyId(master.guid, AINO))).toBe(false);
  });

  it("one user's failure is logged with the server's message while the others go on", async () => {
    meeting('Still synced', '2026-11-26T10:00:00+02:00', '2026-11-26T11:00:00+02:00');
    const failure = Object.assign(new Error('wrapped'), {
      reason: 'backendError',
      googleMessage: 'Backend Error',
      status: 500,
    });
    google.cal(ILMARI).listEvents = async () => {
      throw failure;
    };
    const r = await sync();
    expect(r).toMatchObject({
      ok: false,
      toGoogle: { created: 1 },
      errors: [{ user: ILMARI, message: 'Backend Error', step: null }],
    });
    expect(state.queryLog({ user: ILMARI, levels: ['error'] })).toEqual([
      expect.objectContaining({
        action: 'read-google',
        errorType: 'backendError',
        message: 'Backend Error',
        result: 'error',
      }),
    ]);
    expect(state.getUser(ILMARI)).toMatchObject({ state: 'error' });
  });

  it("keeps the Severa watermark on Severa's clock, with the overlap, never moving back", () => {
    const now = new Date('2026-11-25T12:00:00Z');
    const severaNewest = Date.parse('2026-11-25T11:00:00Z');
    expect(nextWatermark(null, null, now)).toBe(
      new Date(now.getTime() - WATERMARK_OVERLAP_MS).toISOString(),
    );
    expect(nextWatermark(null, severaNewest, now)).toBe('2026-11-25T10:50:00.000Z');
    expect(nextWatermark('2026-11-25T10:55:00.000Z', severaNewest, now)).toBe(
      '2026-11-25T10:55:00.000Z',
    );
    expect(nextWatermark('2026-11-25T10:00:00.000Z', null, now)).toBe('2026-11-25T10:00:00.000Z');
  });

  it('restores a deleted Google-origin instance by reviving its own id (an insert would refuse it)', async () => {
    const instance = google.cal(AINO).userCreate({
      id: 'series1_20261126t080000z',
      recurringEventId: 'series1',
      summary: 'Weekly',
      start: { dateTime: '2026-11-26T10:00:00+02:00' },
      end: { dateTime: '2026-11-26T11:00:00+02:00' },
    });
    await sync();
    const activity = [...severa.activities.values()][0] as NonNullable<
      ReturnType<typeof severa.activities.get>
    >;
    severa.activities.set(activity.guid, { ...activity, hasHours: true });
    google.cal(AINO).userDelete(instance.id as string);
    const r = await sync();
    expect(r).toMatchObject({ ok: true, toGoogle: { created: 1 }, toSevera: { deleted: 0 } });
    expect(
      google
        .cal(AINO)
        .live()
        .map((e) => e.id),
    ).toEqual(['series1_20261126t080000z']);
  });
});

describe('runSync, Severa deletions between sweeps and participants', () => {
  // Severa has no deletion feed: a deletion is seen at the next sweep. An edit in Google before
  // then wins, as a change wins over a deletion everywhere else, instead of a 404 every run.
  it('an edit in Google to an activity deleted in Severa since the last sweep re-creates it', async () => {
    const a = meeting('Planning', '2026-11-26T10:00:00+02:00', '2026-11-26T11:00:00+02:00');
    expect(await sync()).toMatchObject({ ok: true, toGoogle: { created: 1 } });

    severa.activities.delete(a.guid);
    google.cal(AINO).userEdit(googleCopyId(a.guid, AINO), { summary: 'Planning, moved' });
    const carried = await sync();
    expect(carried).toMatchObject({ ok: true, errors: [], toSevera: { created: 1, deleted: 0 } });
    expect([...severa.activities.values()].map((x) => x.name)).toEqual(['Planning, moved']);
    expect(google.cal(AINO).live()).toHaveLength(1);
    expect(await sync()).toMatchObject({
      ok: true,
      toGoogle: { created: 0, updated: 0, deleted: 0 },
      toSevera: { created: 0, updated: 0, deleted: 0 },
    });
  });

  // Participants are read only for new or changed activities; an unchanged activity's linked
  // users stand in for them. A participant who leaves needs their record, which their link
  // recorded when it was read (nothing is read again), and only they leave.
  it("does not re-read an unchanged activity's participants; a leaving participant leaves alone", async () => {
    const a = meeting('Team day', '2026-11-26T10:00:00+02:00', '2026-11-26T11:00:00+02:00');
    await severa.addParticipant(a.guid, 'user-ilmari');
    expect((await sync()).ok).toBe(true);
    let reads = 0;
    const listParticipants = severa.listParticipants.bind(severa);
    severa.listParticipants = (guid: string) => {
      reads++;
      return listParticipants(guid);
    };
    expect(await sync({ sweep: 'full' })).toMatchObject({
      ok: true,
      toGoogle: { created: 0, deleted: 0 },
      toSevera: { deleted: 0 },
    });
    expect(reads).toBe(0);

    google.cal(ILMARI).userDelete(googleCopyId(a.guid, ILMARI));
    const left = await sync({ sweep: 'full' });
    expect(reads).toBe(0);
    expect(left.toSevera.deleted).toBe(1);
    expect(severa.activities.has(a.guid)).toBe(true);
    expect(severa.participants.get(a.guid)).toEqual([]);
    expect(google.cal(AINO).live()).toHaveLength(1);
    expect(await sync({ sweep: 'full' })).toMatchObject({
      ok: true,
      toGoogle: { created: 0, deleted: 0 },
      toSevera: { created: 0, deleted: 0 },
    });
  });

  // A user without a Google account is not waited for; once they get one, their first run keeps
  // no sync token, so the next run reads every participant and finds their meetings.
  it('a participant who gets a Google account later gets the meetings they take part in', async () => {
    const a = meeting('Kick-off', '2026-11-26T10:00:00+02:00', '2026-11-26T11:00:00+02:00');
    await severa.addParticipant(a.guid, 'user-pekka');
    expect(await sync()).toMatchObject({ ok: true, toGoogle: { created: 1 } });
    google.calendars.set(NOGOOGLE, new FakeCalendar(NOGOOGLE, clock));
    await sync();
    await sync();
    expect(
      google
        .cal(NOGOOGLE)
        .live()
        .map((e) => e.id),
    ).toEqual([googleCopyId(a.guid, NOGOOGLE)]);
    expect(await sync()).toMatchObject({ ok: true, toGoogle: { created: 0, deleted: 0 } });
  });
});
