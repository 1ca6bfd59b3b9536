import { afterEach, describe, expect, it } from 'vitest';
import type { GoogleCalendarsClient } from '../../main/core/google/calendar-client';
import type { GoogleCalendars, GoogleEvent, UserCalendar } from '../../main/core/google/types';
import type { DeepPartial, Settings } from '../../main/core/store/settings';
import { googleCopyId, localDate, toZonedIso, zonedInstant } from '../../main/core/sync/mapping';
import type { LogEntry } from '../../main/core/sync/sync-log';
import { convergenceReport, startWorld, type World, type WorldUser } from '../helpers/world';

/**
 * The engine against calendars as people really use them (issue 10), through the real clients
 * and both sandboxes over loopback HTTP: a window that moves, other people's meetings, edits
 * made while a run writes, stalled connections, purged events, runs beside each other,
 * recurring series and times written without an offset. Each test names the defect it proves
 * fixed; docs in test/README.md say which failed on the code before.
 */
const DAY = 86_400_000;
const HKI = 'Europe/Helsinki';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

async function start(users: number, settings: DeepPartial<Settings> = {}, fastRetries = false) {
  world = await startWorld({ company: { users }, settings, fastRetries });
  return { w: world, users: world.users as [WorldUser, ...WorldUser[]] };
}

/** An hour `days` from today in Helsinki wall time. */
const at = (days: number, hour: number) => {
  const date = localDate(Date.now() + days * DAY, HKI);
  return toZonedIso(zonedInstant(date, `${String(hour).padStart(2, '0')}:00:00`, HKI), HKI);
};

const event = (summary: string, days: number, hour = 12, extra: GoogleEvent = {}): GoogleEvent => ({
  summary,
  start: { dateTime: at(days, hour), timeZone: HKI },
  end: { dateTime: at(days, hour + 1), timeZone: HKI },
  ...extra,
});

/** A meeting owned by `owner`, `days` from today at `hour` for an hour. */
const meeting = (w: World, owner: WorldUser, name: string, days = 2, hour = 10) =>
  w.severa.control.activities.put({
    name,
    startDateTime: at(days, hour),
    endDateTime: at(days, hour + 1),
    activityType: { guid: w.types.meeting },
    ownerUser: { guid: owner.severaGuid },
  });

/** One run whose Google side calls `hook` just before the first `method` call on `id`. */
async function runWithHook(
  w: World,
  method: 'patchEvent' | 'deleteEvent',
  id: string,
  hook: () => void,
  options: { sweep?: 'near' } = {},
) {
  const { google } = await w.clients();
  try {
    return await w.sync(options, { google: hooked(google, method, id, hook) });
  } finally {
    google.close();
  }
}

const activitiesNamed = (w: World, name: string) =>
  w.severa.control.activities.listAll().filter((a) => a.name === name);

/** A run's Google side with `hook` called once, just before the first `method` call on `id`. */
function hooked(
  google: GoogleCalendarsClient,
  method: 'patchEvent' | 'deleteEvent',
  id: string,
  hook: () => void,
): GoogleCalendars {
  let done = false;
  return {
    forUser(email) {
      const calendar = google.forUser(email);
      const before = (eventId: string) => {
        if (!done && eventId === id) {
          done = true;
          hook();
        }
      };
      return {
        ...calendar,
        patchEvent: (eventId, patch, etag) => {
          if (method === 'patchEvent') before(eventId);
          return calendar.patchEvent(eventId, patch, etag);
        },
        deleteEvent: (eventId, etag) => {
          if (method === 'deleteEvent') before(eventId);
          return calendar.deleteEvent(eventId, etag);
        },
      } satisfies UserCalendar;
    },
  };
}

describe('the window moves (defect: only the first listing was bounded to the window)', () => {
  it('an unchanged event and the later instances of an unchanged series arrive when the window reaches them', async () => {
    // No sweeps due: only the window's own movement can bring the far items in.
    const { w, users } = await start(1, { sync: { fullSweepHours: 100_000 } });
    const [u] = users;
    w.google.control.putEvent(u.email, event('Board meeting', 200));
    w.google.control.putEvent(u.email, {
      ...event('Weekly review', 150, 9),
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=12'],
    });
    meeting(w, u, 'Far workshop', 200);
    await w.sync();
    expect(activitiesNamed(w, 'Board meeting')).toHaveLength(0);
    const early = activitiesNamed(w, 'Weekly review').length;
    expect(early).toBeGreaterThan(0);
    expect(early).toBeLessThan(12);
    // The changedSince overlap would re-list the far activity: as after a day, it does not.
    const state = w.openState();
    state.setMeta('severa.watermark', new Date().toISOString());
    state.setMeta('severa.nearSweepAt', new Date(Date.now() + 60 * DAY).toISOString());
    state.close();

    // A month later the window reaches them: they arrive in the next run.
    const later = new Date(Date.now() + 30 * DAY);
    const r = await w.sync({}, { now: () => later });
    expect(r).toMatchObject({ ok: true, errors: [] });
    expect(activitiesNamed(w, 'Board meeting')).toHaveLength(1);
    const weekly = activitiesNamed(w, 'Weekly review').length;
    expect(weekly).toBeGreaterThan(early);
    expect(weekly).toBe(early + 4);
    const far = w.google.control.listAll(u.email).filter((e) => e.summary === 'Far workshop');
    expect(far).toHaveLength(1);
  });

  it('widening the window in settings reconciles the whole new range on both sides at once', async () => {
    const { w, users } = await start(1, { sync: { windowFutureDays: 60 } });
    const [u] = users;
    w.google.control.putEvent(u.email, event('Autumn offsite', 100));
    meeting(w, u, 'Autumn training', 110);
    await w.sync();
    expect(activitiesNamed(w, 'Autumn offsite')).toHaveLength(0);
    const state = w.openState();
    state.setMeta('severa.watermark', new Date().toISOString());
    state.close();

    w.updateSettings({ sync: { windowFutureDays: 150 } });
    const r = await w.sync();
    expect(r).toMatchObject({ ok: true, toSevera: { created: 1 }, toGoogle: { created: 1 } });
    expect(activitiesNamed(w, 'Autumn offsite')).toHaveLength(1);
    expect(w.google.control.listAll(u.email).map((e) => e.summary)).toContain('Autumn training');
  });
});

describe("other people's meetings (defect: a Severa edit patched the organiser's fields, 403 forever)", () => {
  it('a meeting from an outside organiser: Severa edits are not sent, the log says so once, the user syncs on, the organiser wins', async () => {
    const { w, users } = await start(1);
    const [u] = users;
    const invitation = w.google.control.invite(
      u.email,
      'boss@partner.example',
      event('Partner review', 3, 14),
    );
    expect(invitation.organizer).toMatchObject({ email: 'boss@partner.example', self: false });
    const first = await w.sync();
    expect(first).toMatchObject({ ok: true, toSevera: { created: 1 } });
    const [activity] = activitiesNamed(w, 'Partner review');
    w.severa.control.activities.edit(activity!.guid, {
      name: 'Partner review (our notes)',
      startDateTime: at(3, 15),
      endDateTime: at(3, 16),
    });

    const entries: LogEntry[] = [];
    const second = await w.sync({}, { onLogEntry: (e) => entries.push(e) });
    expect(second).toMatchObject({ ok: true, errors: [] });
    const copy = w.google.control.listAll(u.email).find((e) => e.id === invitation.id);
    expect(copy?.summary).toBe('Partner review');
    expect(Date.parse(copy?.start?.dateTime ?? '')).toBe(Date.parse(at(3, 14)));
    const owned = entries.filter((e) => e.action === 'organizer-owned');
    expect(owned).toHaveLength(1);
    expect(owned[0]?.message).toContain('boss@partner.example');
    const state = w.openState();
    expect(state.getUser(u.email)).toMatchObject({ state: 'ok' });
    state.close();

    // Said once: the next run has nothing to say, and nothing fails.
    const third: LogEntry[] = [];
    expect(await w.sync({}, { onLogEntry: (e) => third.push(e) })).toMatchObject({ ok: true });
    expect(third.filter((e) => e.action === 'organizer-owned' || e.result === 'error')).toEqual([]);

    // The organiser's own change reaches Severa (the user's token moved on).
    w.google.control.organizerEdit(u.email, invitation.id!, {
      summary: 'Partner review (moved)',
      start: { dateTime: at(4, 9), timeZone: HKI },
      end: { dateTime: at(4, 10), timeZone: HKI },
    });
    expect(await w.sync()).toMatchObject({ ok: true, toSevera: { updated: 1 } });
    expect(w.severa.control.activities.get(activity!.guid)).toMatchObject({
      name: 'Partner review (moved)',
    });
  });
});

describe('writes that cannot overwrite an edit (defect: no If-Match on patches and deletes)', () => {
  it('an edit the user makes in Google while the run writes is decided by the conflict policy, not overwritten', async () => {
    const { w, users } = await start(1);
    const [u] = users;
    const a = meeting(w, u, 'Planning');
    await w.sync();
    const copyId = googleCopyId(a.guid, u.email);
    w.severa.control.activities.edit(a.guid, { name: 'Planning (Severa)' });
    await new Promise((r) => setTimeout(r, 20));
    const r = await runWithHook(w, 'patchEvent', copyId, () =>
      w.google.control.editEvent(u.email, copyId, { summary: 'Planning (Google)' }),
    );
    expect(r).toMatchObject({ ok: true, conflicts: 1 });
    // Later wins: the user's edit during the run is the later one, on both sides.
    expect(w.google.control.listAll(u.email).find((e) => e.id === copyId)?.summary).toBe(
      'Planning (Google)',
    );
    expect(w.severa.control.activities.get(a.guid)?.name).toBe('Planning (Google)');
  });

  it('a deletion meets an edit made meanwhile: the edit wins and comes back as an activity', async () => {
    const { w, users } = await start(1);
    const [u] = users;
    const a = meeting(w, u, 'Retro');
    await w.sync();
    const copyId = googleCopyId(a.guid, u.email);
    w.severa.control.activities.delete(a.guid);
    const r = await runWithHook(
      w,
      'deleteEvent',
      copyId,
      () => w.google.control.editEvent(u.email, copyId, { summary: 'Retro (keep it!)' }),
      { sweep: 'near' },
    );
    expect(r).toMatchObject({ ok: true });
    expect(w.google.control.listAll(u.email).find((e) => e.id === copyId)).toMatchObject({
      status: 'confirmed',
      summary: 'Retro (keep it!)',
    });
    expect(activitiesNamed(w, 'Retro (keep it!)')).toHaveLength(1);
  });
});

describe('purged events (defect: a 404 on delete failed on every run)', () => {
  it('deleting an event Google has already purged is done', async () => {
    const { w, users } = await start(1);
    const [u] = users;
    const a = meeting(w, u, 'Old sync');
    await w.sync();
    const copyId = googleCopyId(a.guid, u.email);
    w.severa.control.activities.delete(a.guid);
    const purged = () => {
      w.google.control.deleteEvent(u.email, copyId);
      w.google.control.setPurgeAfterMs(0);
      w.google.control.listAll(u.email);
    };
    const r = await runWithHook(w, 'deleteEvent', copyId, purged, { sweep: 'near' });
    expect(r).toMatchObject({ ok: true, errors: [], toGoogle: { deleted: 1 } });
    const state = w.openState();
    expect(state.linksForUser(u.email)).toEqual([]);
    state.close();
  });
});

describe('stalled connections (defect: no deadline, one stalled request hung the run forever)', () => {
  it('a user whose Google connection stalls gets an error within the deadline and its retries; every other user syncs', async () => {
    const { w, users } = await start(3, { sync: { requestTimeoutSeconds: 1 } }, true);
    for (const u of users) {
      w.google.control.putEvent(u.email, event(`Call ${u.email}`, 2));
      meeting(w, u, `Review ${u.email}`, 3);
    }
    const stalled = users[1]!;
    w.google.control.injectFaults({ stall: 1000, user: stalled.email });
    const started = Date.now();
    const r = await w.sync();
    const seconds = (Date.now() - started) / 1000;
    // Six attempts of one second each, with the test clients' short backoff.
    expect(seconds).toBeLessThan(6 * 1 + 4);
    expect(r.errors).toEqual([
      expect.objectContaining({ user: stalled.email, code: 'google.timeout' }),
    ]);
    for (const u of users.filter((x) => x !== stalled)) {
      expect(activitiesNamed(w, `Call ${u.email}`)).toHaveLength(1);
      expect(w.google.control.listAll(u.email).map((e) => e.summary)).toContain(
        `Review ${u.email}`,
      );
    }
    w.google.control.clearFaults();
  }, 30_000);
});

describe('several runs at once (defect: two runs both created activities for the same events)', () => {
  it('two runs on one profile at the same time, lock or no lock, leave no duplicate (10 rounds)', async () => {
    const { w, users } = await start(2, {}, true);
    for (let round = 0; round < 10; round++) {
      for (const u of users) {
        w.google.control.putEvent(u.email, event(`G${round} ${u.email}`, 1 + round));
        meeting(w, u, `S${round} ${u.email}`, 1 + round, 8);
      }
      await Promise.all([w.sync(), w.sync()]);
    }
    await w.sync({ sweep: 'full' });
    const { problems } = await convergenceReport(w);
    expect(problems).toEqual([]);
    expect(w.severa.control.activities.listAll()).toHaveLength(2 * 2 * 10);
  }, 60_000);
});

describe('series stay series (defect: the link marker turned every instance into an exception)', () => {
  it("a user's own series is linked without writing to it; 'all events' edits reach every activity; a lost database re-adopts; deleting the series removes its activities", async () => {
    const { w, users } = await start(1);
    const [u] = users;
    const master = w.google.control.putEvent(u.email, {
      ...event('Weekly 1:1', 7, 9),
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
    });
    expect(await w.sync()).toMatchObject({ ok: true, toSevera: { created: 4 } });
    const stored = w.google.control.listAll(u.email);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.extendedProperties).toBeUndefined();

    w.google.control.editEvent(u.email, master.id!, { summary: 'Weekly 1:1 (renamed)' });
    expect(await w.sync()).toMatchObject({ ok: true, toSevera: { updated: 4 } });
    expect(activitiesNamed(w, 'Weekly 1:1 (renamed)')).toHaveLength(4);

    const state = w.openState();
    state.reset();
    state.close();
    expect(await w.sync()).toMatchObject({
      ok: true,
      adopted: 4,
      toSevera: { created: 0 },
      toGoogle: { created: 0 },
    });
    expect(w.google.control.listAll(u.email)).toHaveLength(1);

    w.google.control.deleteEvent(u.email, master.id!);
    expect(await w.sync()).toMatchObject({ ok: true, toSevera: { deleted: 4 } });
    expect(activitiesNamed(w, 'Weekly 1:1 (renamed)')).toHaveLength(0);
  });

  it("'this and following' moves the activities to the new series, none made twice, none lost", async () => {
    const { w, users } = await start(1);
    const [u] = users;
    const master = w.google.control.putEvent(u.email, {
      ...event('Weekly sync', 7, 9),
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=6'],
    });
    await w.sync();
    const before = activitiesNamed(w, 'Weekly sync').sort((a, b) =>
      a.startDateTime.localeCompare(b.startDateTime),
    );
    expect(before).toHaveLength(6);
    const instances = w.google.control.listAll(u.email);
    expect(instances).toHaveLength(1);
    const state = w.openState();
    const third = state
      .linksForUser(u.email)
      .map((l) => l.googleId)
      .sort()[2]!;
    state.close();
    w.google.control.splitSeries(u.email, master.id!, third, { summary: 'Weekly sync (later)' });
    const r = await w.sync();
    expect(r).toMatchObject({ ok: true, toSevera: { created: 0, deleted: 0, updated: 4 } });
    const after = w.severa.control.activities.listAll();
    expect(after).toHaveLength(6);
    expect(new Set(after.map((a) => a.guid))).toEqual(new Set(before.map((a) => a.guid)));
    expect(activitiesNamed(w, 'Weekly sync (later)')).toHaveLength(4);
  });
});

describe('times are instants (defect: a time without an offset was read as UTC)', () => {
  it('offset, Z, and no offset with a timeZone (start and end apart) map to the right instants; all-day stays dates', async () => {
    const { w, users } = await start(1);
    const [u] = users;
    // Google answers with offsets; the engine must also read a time as a client wrote it.
    w.google.control.setTimeOutput('as-sent');
    const day = localDate(Date.now() + 5 * DAY, HKI);
    w.google.control.putEvent(u.email, {
      summary: 'Flight',
      start: { dateTime: `${day}T10:00:00`, timeZone: HKI },
      end: { dateTime: `${day}T10:30:00`, timeZone: 'Europe/Stockholm' },
    });
    w.google.control.putEvent(u.email, {
      summary: 'Zulu',
      start: { dateTime: `${day}T07:00:00Z` },
      end: { dateTime: `${day}T08:00:00Z` },
    });
    w.google.control.putEvent(u.email, {
      summary: 'Holiday',
      start: { date: day },
      end: { date: localDate(Date.now() + 7 * DAY, HKI) },
    });
    expect(await w.sync()).toMatchObject({ ok: true, toSevera: { created: 3 } });
    const [flight] = activitiesNamed(w, 'Flight');
    expect(Date.parse(flight!.startDateTime)).toBe(zonedInstant(day, '10:00:00', HKI));
    expect(Date.parse(flight!.endDateTime!)).toBe(
      zonedInstant(day, '10:30:00', 'Europe/Stockholm'),
    );
    const [zulu] = activitiesNamed(w, 'Zulu');
    expect(Date.parse(zulu!.startDateTime)).toBe(Date.parse(`${day}T07:00:00Z`));
    const [holiday] = activitiesNamed(w, 'Holiday');
    expect(holiday).toMatchObject({ isAllDay: true });
  });
});

describe('one item never stops a user (defect: one failing item held the sync token forever)', () => {
  it('an item that fails for good three runs in a row is quarantined, the user syncs on, and a retry brings it back once fixed', async () => {
    // Private Google entries become activities of the Personal type: here one that does not exist.
    const { w, users } = await start(1, { severa: { personalActivityTypeGuid: 'no-such-type' } });
    const [u] = users;
    const dentist = w.google.control.putEvent(
      u.email,
      event('Dentist', 2, 8, { visibility: 'private' }),
    );
    w.google.control.putEvent(u.email, event('Lunch', 2, 12));
    const token = () => {
      const state = w.openState();
      const row = state.getUser(u.email);
      state.close();
      return row?.syncToken;
    };
    const runs = [await w.sync(), await w.sync()];
    for (const r of runs) expect(r.errors).toEqual([expect.objectContaining({ user: u.email })]);
    const held = token();
    const third = await w.sync();
    expect(third.errors).toEqual([]);
    expect(third.quarantined).toEqual([
      expect.objectContaining({
        user: u.email,
        item: `google:${dentist.id}`,
        action: 'create-severa',
        failures: 3,
        message: expect.stringContaining('no-such-type'),
      }),
    ]);
    expect(token()).not.toBe(held);

    // The user's other changes go on; the quarantined item is left alone.
    w.google.control.putEvent(u.email, event('Call', 3, 12));
    const fourth = await w.sync();
    expect(fourth).toMatchObject({ ok: true, errors: [], quarantined: [] });
    expect(activitiesNamed(w, 'Call')).toHaveLength(1);
    expect(activitiesNamed(w, 'Dentist')).toHaveLength(0);

    // Fixed, and retried: the next run reads it again and makes it.
    w.updateSettings({ severa: { personalActivityTypeGuid: w.types.personal } });
    const state = w.openState();
    expect(state.requestRetry(u.email, `google:${dentist.id}`)).toBe(1);
    state.close();
    expect(await w.sync()).toMatchObject({ ok: true, toSevera: { created: 1 } });
    expect(activitiesNamed(w, 'Dentist')).toHaveLength(1);
    const after = w.openState();
    expect(after.failures(u.email)).toEqual([]);
    after.close();
  });
});
