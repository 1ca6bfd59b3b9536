import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GoogleEvent } from '../../main/core/google/types';
import { googleCopyId, localDate, toZonedIso, zonedInstant } from '../../main/core/sync/mapping';
import type { LogEntry } from '../../main/core/sync/sync-log';
import { startWorld, type World, type WorldUser } from '../helpers/world';

/**
 * The engine through the real clients against both sandboxes over loopback HTTP: what a run
 * creates, echoes, edits, moves, deletions, private events, conflicts, the account-change stop,
 * the brakes, and a lost database. One world (two users) per test, started and closed here.
 */
let world: World;
let aino: WorldUser;
let ilmari: WorldUser;

const DAY = 86_400_000;
const HKI = 'Europe/Helsinki';
/** An hour `days` from today in a user's wall time, as Severa sends it. */
const at = (days: number, hour: number, zone = HKI) => {
  const date = localDate(Date.now() + days * DAY, zone);
  return toZonedIso(zonedInstant(date, `${String(hour).padStart(2, '0')}:00:00`, zone), zone);
};

const live = (user: WorldUser): GoogleEvent[] =>
  world.google.control.listAll(user.email).filter((e) => e.status !== 'cancelled');
const activities = () => world.severa.control.activities.listAll();
const activity = (name: string, owner: WorldUser, days = 1, o: Record<string, unknown> = {}) =>
  world.severa.control.activities.put({
    name,
    startDateTime: at(days, 10),
    endDateTime: at(days, 11),
    activityType: { guid: world.types.meeting },
    ownerUser: { guid: owner.severaGuid },
    ...o,
  });
const googleEvent = (user: WorldUser, summary: string, days = 2, o: GoogleEvent = {}) =>
  world.google.control.putEvent(user.email, {
    summary,
    start: { dateTime: at(days, 12), timeZone: HKI },
    end: { dateTime: at(days, 13), timeZone: HKI },
    ...o,
  });

const zero = { created: 0, updated: 0, deleted: 0 };

beforeAll(() => undefined);
beforeEach(async () => {
  await world?.close();
  world = await startWorld({ company: { users: 2 } });
  [aino, ilmari] = world.users as [WorldUser, WorldUser];
  world.updateSettings({ users: { mode: 'all' } });
});
afterAll(async () => world?.close());

describe('sync engine against the sandboxes', () => {
  it('creates the expected items on both sides, then a second run changes nothing', async () => {
    const meeting = activity('Sprint review', aino);
    world.severa.control.participants.add(meeting.guid, ilmari.severaGuid, 'Accepted');
    activity('Holiday', ilmari, 3, {
      activityType: { guid: world.types.holiday },
      isAllDay: true,
      startDateTime: at(3, 0, ilmari.timeZone),
      endDateTime: at(4, 23, ilmari.timeZone),
    });
    googleEvent(aino, 'Customer call');
    googleEvent(ilmari, 'Dentist', 2, { visibility: 'private' });

    const first = await world.sync();
    expect(first).toMatchObject({ ok: true, users: 2, errors: [] });
    expect(first.toGoogle.created).toBe(3); // meeting ×2 participants + the holiday
    expect(first.toSevera.created).toBe(2);

    expect(
      live(aino)
        .map((e) => e.summary)
        .sort(),
    ).toEqual(['Customer call', 'Sprint review']);
    expect(
      live(ilmari)
        .map((e) => e.summary)
        .sort(),
    ).toEqual(['Dentist', 'Holiday', 'Sprint review']);
    const holiday = live(ilmari).find((e) => e.summary === 'Holiday');
    expect(holiday).toMatchObject({ visibility: 'private', start: { date: expect.any(String) } });
    expect(Date.parse(holiday?.end?.date ?? '') - Date.parse(holiday?.start?.date ?? '')).toBe(
      2 * DAY,
    );
    const copy = live(aino).find((e) => e.summary === 'Sprint review');
    expect(copy?.id).toBe(googleCopyId(meeting.guid, aino.email));
    expect(copy?.extendedProperties?.private).toMatchObject({
      severaGuid: meeting.guid,
      origin: 'severa',
    });
    const dentist = activities().find((a) => a.name === 'Dentist');
    expect(dentist).toMatchObject({
      activityType: { guid: world.types.personal },
      ownerUser: { guid: ilmari.severaGuid },
    });
    const call = live(aino).find((e) => e.summary === 'Customer call');
    expect(call?.extendedProperties?.private).toMatchObject({
      origin: 'google',
      severaGuid: expect.any(String),
    });

    const second = await world.sync();
    expect(second).toMatchObject({
      ok: true,
      toGoogle: zero,
      toSevera: zero,
      conflicts: 0,
      adopted: 0,
    });
  });

  it('carries an edit, a move, a deletion and a private change from either side in one run', async () => {
    const edited = activity('Planning', aino);
    const moved = activity('Retro', aino, 2);
    const deletedInSevera = activity('Cancelled workshop', aino, 3);
    const deletedInGoogle = activity('Old sync', aino, 4);
    const fromGoogle = googleEvent(aino, 'Lunch');
    const madePrivate = googleEvent(aino, 'Doctor', 5);
    await world.sync();

    world.severa.control.activities.edit(edited.guid, {
      name: 'Planning v2',
      location: 'Room 2',
      activityType: { guid: world.types.personal },
    });
    world.severa.control.activities.edit(moved.guid, {
      startDateTime: at(2, 14),
      endDateTime: at(2, 15),
    });
    world.severa.control.activities.delete(deletedInSevera.guid);
    world.google.control.deleteEvent(aino.email, googleCopyId(deletedInGoogle.guid, aino.email));
    world.google.control.editEvent(aino.email, fromGoogle.id as string, {
      summary: 'Long lunch',
      description: 'with the team',
    });
    world.google.control.editEvent(aino.email, madePrivate.id as string, { visibility: 'private' });
    // Severa has no deletion feed: the near-future sweep (due every nearSweepMinutes) finds it.
    const r = await world.sync({ sweep: 'near' });
    expect(r).toMatchObject({ ok: true, errors: [] });
    expect(r.toGoogle).toEqual({ created: 0, updated: 2, deleted: 1 });
    expect(r.toSevera).toEqual({ created: 0, updated: 2, deleted: 1 });

    const byName = new Map(activities().map((a) => [a.name, a]));
    expect(byName.get('Long lunch')?.notes).toBe('with the team');
    expect(byName.get('Doctor')?.activityType.guid).toBe(world.types.personal);
    expect(byName.has('Old sync')).toBe(false);
    const events = new Map(live(aino).map((e) => [e.summary, e]));
    expect(events.get('Planning v2')).toMatchObject({ location: 'Room 2', visibility: 'private' });
    expect(Date.parse(events.get('Retro')?.start?.dateTime ?? '')).toBe(Date.parse(at(2, 14)));
    expect(events.has('Cancelled workshop')).toBe(false);
    expect((await world.sync()).toSevera).toEqual(zero);
  });

  it('carries a Severa deletion for tomorrow and an edit on either side in the next run, with no near or full sweep due', async () => {
    const tomorrow = activity('Standup tomorrow', aino, 1);
    const nextWeek = activity('Workshop in five days', aino, 5);
    const editedInSevera = activity('Budget review', aino, 3);
    const editedInGoogle = googleEvent(aino, 'Call with supplier', 4);
    expect(await world.sync()).toMatchObject({ ok: true, errors: [] });

    world.severa.control.activities.delete(tomorrow.guid);
    // Five days out only the near sweep (due every nearSweepMinutes, not yet) would see it go.
    world.severa.control.activities.delete(nextWeek.guid);
    world.severa.control.activities.edit(editedInSevera.guid, { name: 'Budget review (moved)' });
    world.google.control.editEvent(aino.email, editedInGoogle.id as string, {
      summary: 'Call with new supplier',
    });
    world.severa.control.clearRequestLog();
    const next = await world.sync();
    expect(next).toMatchObject({ ok: true, errors: [] });
    expect(next.toGoogle).toEqual({ created: 0, updated: 1, deleted: 1 });
    expect(next.toSevera).toEqual({ created: 0, updated: 1, deleted: 0 });
    const titles = live(aino).map((e) => e.summary);
    expect(titles).not.toContain('Standup tomorrow');
    expect(titles).toContain('Budget review (moved)');
    expect(titles).toContain('Workshop in five days'); // the near sweep's, next time it is due
    expect(activities().map((a) => a.name)).toContain('Call with new supplier');

    // The run listed the changes and today and tomorrow only: no user's window, no near sweep.
    const listings = world.severa.control.requestLog
      .filter((r) => r.method === 'GET' && r.path === '/v1/activities')
      .map((r) => new URLSearchParams(r.query));
    expect(listings.some((q) => q.has('userGuids'))).toBe(false);
    const swept = listings.filter((q) => q.has('startDateTime'));
    expect(swept.length).toBeGreaterThan(0);
    for (const q of swept) {
      const hours =
        (Date.parse(q.get('endDateTime')!) - Date.parse(q.get('startDateTime')!)) / 3_600_000;
      expect(hours).toBeLessThanOrEqual(48 + 14); // two days from the earliest zone's midnight
    }

    const near = await world.sync({ sweep: 'near' });
    expect(near.toGoogle).toEqual({ created: 0, updated: 0, deleted: 1 });
    expect(live(aino).map((e) => e.summary)).not.toContain('Workshop in five days');
  });

  it('resolves a conflicting edit by the policy and logs both versions', async () => {
    const a = activity('Board meeting', aino);
    await world.sync();
    world.severa.control.activities.edit(a.guid, { name: 'Board meeting (Severa)' });
    await new Promise((r) => setTimeout(r, 20));
    world.google.control.editEvent(aino.email, googleCopyId(a.guid, aino.email), {
      summary: 'Board meeting (Google)',
    });
    const entries: LogEntry[] = [];
    const r = await world.sync({}, { onLogEntry: (e) => entries.push(e) });
    expect(r).toMatchObject({ ok: true, conflicts: 1, toSevera: { updated: 1 } });
    expect(world.severa.control.activities.get(a.guid)?.name).toBe('Board meeting (Google)');
    const conflict = entries.find((e) => e.action === 'conflict');
    expect(conflict?.details).toMatchObject({
      winner: 'google',
      severa: { title: 'Board meeting (Severa)' },
      google: { title: 'Board meeting (Google)' },
    });
    const state = world.openState();
    expect(state.queryLog({ levels: ['warn'] }).some((e) => e.action === 'conflict')).toBe(true);
    state.close();

    world.updateSettings({ sync: { conflictPolicy: 'severa-wins' } });
    world.severa.control.activities.edit(a.guid, { name: 'Board (Severa again)' });
    world.google.control.editEvent(aino.email, googleCopyId(a.guid, aino.email), {
      summary: 'Board (Google again)',
    });
    expect(await world.sync()).toMatchObject({ conflicts: 1, toGoogle: { updated: 1 } });
    expect(live(aino).map((e) => e.summary)).toEqual(['Board (Severa again)']);
  });

  it('stops on a change of Google account until reset', async () => {
    activity('Weekly', aino);
    await world.sync();
    world.updateSettings({ google: { domain: 'other.example' } });
    const r = await world.sync();
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([expect.objectContaining({ step: 'pre.account-change' })]);
    const state = world.openState();
    state.reset();
    state.close();
    world.updateSettings({ google: { domain: 'world.example' } });
    const again = await world.sync();
    expect(again).toMatchObject({ ok: true, adopted: 1, toGoogle: zero, toSevera: zero });
  });

  it('brakes when a side suddenly lists nothing, and holds a mass deletion until confirmed', async () => {
    const made = Array.from({ length: 8 }, (_, i) => activity(`Item ${i}`, aino, 1 + i));
    await world.sync();
    // Google lists nothing (token expired, then an empty full listing): the user is stopped.
    for (const e of live(aino)) world.google.control.deleteEvent(aino.email, e.id as string);
    world.google.control.invalidateSyncTokens(aino.email);
    const braked = await world.sync();
    expect(braked.ok).toBe(false);
    expect(braked.stopped).toEqual([aino.email]);
    expect(activities()).toHaveLength(8);

    // Six of eight deleted in Severa: over 25 %, held; status shows them; confirming applies them.
    const state0 = world.openState();
    state0.reset();
    state0.close();
    await world.sync(); // re-adopt / restore the copies
    for (const a of made.slice(0, 6)) world.severa.control.activities.delete(a.guid);
    const held = await world.sync({ sweep: 'full' });
    expect(held).toMatchObject({ held: 6, toGoogle: { deleted: 0 } });
    expect(live(aino)).toHaveLength(8);
    const confirmed = await world.sync({ heldDecision: 'confirm' });
    expect(confirmed).toMatchObject({ ok: true, held: 0, toGoogle: { deleted: 6 } });
    expect(live(aino)).toHaveLength(2);
  });

  it('re-adopts everything when the local database is lost, creating no duplicate', async () => {
    activity('One', aino);
    activity('Two', ilmari, 2);
    googleEvent(aino, 'Three');
    await world.sync();
    const before = {
      severa: activities().length,
      aino: live(aino).length,
      ilmari: live(ilmari).length,
    };
    const state = world.openState();
    state.reset();
    state.close();
    const r = await world.sync();
    expect(r).toMatchObject({ ok: true, adopted: 3, toGoogle: zero, toSevera: zero });
    expect({
      severa: activities().length,
      aino: live(aino).length,
      ilmari: live(ilmari).length,
    }).toEqual(before);
  });

  it('syncs a recurring Google series as its instances, and keeps instants across the DST change', async () => {
    googleEvent(aino, 'Weekly 1:1', 7, { recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'] });
    // Last Sunday of March 2027 in Helsinki: 03:00 becomes 04:00.
    world.google.control.putEvent(aino.email, {
      summary: 'Night deploy',
      start: { dateTime: '2027-03-28T02:30:00+02:00', timeZone: HKI },
      end: { dateTime: '2027-03-28T05:00:00+03:00', timeZone: HKI },
    });
    const r = await world.sync();
    expect(r).toMatchObject({ ok: true, toSevera: { created: 4 } });
    const weekly = activities().filter((a) => a.name === 'Weekly 1:1');
    expect(weekly).toHaveLength(3);
    expect(new Set(weekly.map((a) => Date.parse(a.startDateTime))).size).toBe(3);
    const deploy = activities().find((a) => a.name === 'Night deploy');
    expect(Date.parse(deploy?.startDateTime ?? '')).toBe(Date.parse('2027-03-28T00:30:00Z'));
    expect(Date.parse(deploy?.endDateTime ?? '')).toBe(Date.parse('2027-03-28T02:00:00Z'));
    expect((await world.sync()).toSevera).toEqual(zero);
  });
});
