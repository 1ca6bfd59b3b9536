import { createHash } from 'node:crypto';
import type { GoogleEvent } from '../../main/core/google/types';
import type { Activity } from '../../main/core/severa/models';
import type { ActivitySeed } from '../../main/core/sandbox/severa/store';
import { linkedActivity, linkedEvent, pairLink } from '../../main/core/sync/apply';
import { META, reconciled, syncWindow } from '../../main/core/sync/engine';
import {
  activityInputFromFields,
  eventFromFields,
  fieldsFromEvent,
  googleCopyId,
  linkProperties,
} from '../../main/core/sync/mapping';
import type { Link } from '../../main/core/sync/plan';
import type { SyncState } from '../../main/core/sync/state';
import type { World, WorldUser } from './world';

/**
 * A settled company built straight into both sandboxes' stores and the engine's state, instead
 * of by sync runs (a 1 000-user company made by runs costs about a million sandbox requests):
 * each user has `perSide` activities made in Severa, copied to their calendar, and as many events
 * made in Google, made into activities and marked, as a first run makes them. What the state
 * records is written by the engine's own code: each link by apply.ts `pairLink` from the
 * activity and the event as the APIs answer them, each user's row by engine.ts `reconciled`,
 * the watermark and sweep times under the engine's keys. A normal run over it changes nothing
 * (test/integration/seeded-company.test.ts; the benchmark checks it at full size).
 */
export interface SeededCompany {
  links: number;
  /** The activities each user owns (the benchmark changes 1 % of them). */
  activities: number;
  events: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The i-th item's start: spread over the next 90 days, at working hours. */
export function itemStart(i: number, now: number): number {
  const today = Date.UTC(
    new Date(now).getUTCFullYear(),
    new Date(now).getUTCMonth(),
    new Date(now).getUTCDate(),
  );
  return today + (1 + (i % 90)) * DAY + (7 + (i % 10)) * HOUR;
}

export function seedLinkedCompany(
  world: World,
  perSide: number,
  options: { now?: Date; users?: WorldUser[] } = {},
): SeededCompany {
  const now = options.now ?? new Date();
  const users = options.users ?? world.users;
  const { severa, google } = world;
  const settings = world.settings();
  const categories = new Map(
    severa.control.activityTypes.listAll().map((t) => [t.guid, t.category]),
  );
  const zones = new Map(world.users.map((u) => [u.severaGuid, u.timeZone]));
  const window = syncWindow(settings, now);
  const state = world.openState();
  let links = 0;
  try {
    for (const user of users) {
      const ctx = {
        ownerZone: (owner: string) => zones.get(owner) ?? user.timeZone,
        categoryOf: (type: string) => categories.get(type),
      };
      const made: Link[] = [];
      for (let i = 0; i < perSide; i++)
        made.push(copiedToGoogle(world, user, ctx, i, now.getTime()));
      for (let i = 0; i < perSide; i++)
        made.push(madeIntoActivity(world, user, ctx, i, now.getTime()));
      state.record({ upsert: made });
      links += made.length;
      state.setUser(user.email, {
        ...reconciled(google.control.syncToken(user.email), window, now),
        state: 'ok',
        reason: null,
        step: null,
        lastRunAt: now.toISOString(),
      });
    }
    // As a run a while after the ones that made it finds the company: the changes before now
    // were all seen, the near and the full sweep were just made.
    state.setMeta(META.watermark, settledWatermark(world));
    state.setMeta(META.nearSweep, now.toISOString());
    state.setMeta(META.fullSweep, now.toISOString());
    state.setMeta(META.zones, JSON.stringify([...new Set(world.users.map((u) => u.timeZone))]));
    if (settings.google.domain) state.setMeta(META.domain, settings.google.domain);
    if (settings.google.clientId) state.setMeta(META.clientId, settings.google.clientId);
  } finally {
    state.close();
  }
  return {
    links,
    activities: users.length * perSide * 2,
    events: users.length * perSide * 2,
  };
}

type Context = Parameters<typeof linkedActivity>[0];

/** An activity made in Severa and its copy as `createGoogleCopy` inserts it. */
function copiedToGoogle(world: World, user: WorldUser, ctx: Context, i: number, now: number): Link {
  const start = itemStart(i, now);
  const stored = world.severa.control.activities.put({
    name: `Activity ${i}`,
    startDateTime: new Date(start).toISOString(),
    endDateTime: new Date(start + HOUR / 2).toISOString(),
    activityType: { guid: world.types.meeting },
    ownerUser: { guid: user.severaGuid },
  });
  const activity = answered(world, stored.guid);
  const severa = linkedActivity(ctx, activity);
  const event = world.google.control.putEvent(user.email, {
    ...eventFromFields(severa.fields, user.timeZone, {
      severaGuid: activity.guid,
      origin: 'severa',
    }),
    id: googleCopyId(activity.guid, user.email),
  });
  return pairLink(user.email, severa, linkedEvent(event, user.timeZone, severa.fields), 'severa');
}

/** An event made in Google, its activity as `createActivity` makes it, and the event marked. */
function madeIntoActivity(
  world: World,
  user: WorldUser,
  ctx: Context,
  i: number,
  now: number,
): Link {
  const start = itemStart(i, now) + HOUR / 2;
  const event: GoogleEvent = world.google.control.putEvent(user.email, {
    summary: `Event ${i}`,
    start: { dateTime: new Date(start).toISOString() },
    end: { dateTime: new Date(start + HOUR / 2).toISOString() },
  });
  const fields = fieldsFromEvent(event, user.timeZone);
  if (!fields) throw new Error(`the seeded event ${event.id} has no times`);
  const input = activityInputFromFields(
    fields,
    user.timeZone,
    world.types.meeting,
    user.severaGuid,
  );
  const stored = world.severa.control.activities.put(input as ActivitySeed);
  const activity = answered(world, stored.guid);
  const marked = world.google.control.editEvent(user.email, event.id ?? '', {
    extendedProperties: {
      private: linkProperties({ severaGuid: activity.guid, origin: 'google' }),
    },
  });
  // A new activity has no participants yet.
  return pairLink(
    user.email,
    linkedActivity(ctx, activity, {}),
    { ...linkedEvent(marked, user.timeZone, fields), fields },
    'google',
  );
}

function answered(world: World, guid: string): Activity {
  const activity = world.severa.control.answerActivity(guid);
  if (!activity) throw new Error(`the seeded activity ${guid} is gone`);
  return activity;
}

/**
 * The watermark of a run made after every change so far had been seen: past Severa's newest
 * stamp (the sandbox stamps strictly increasing times, so a fast seeding stamps ahead of the
 * clock) and never before now.
 */
export function settledWatermark(world: World): string {
  let newest = Date.now();
  for (const a of world.severa.control.activities.listAll())
    newest = Math.max(newest, Date.parse(a.lastUpdatedDateTime ?? '') + 1 || 0);
  return new Date(newest).toISOString();
}

/** A digest of every link, to show a run left them as they were. */
export function linksDigest(state: SyncState): string {
  const hash = createHash('sha256');
  const byGuid = (a: Link, b: Link) => (a.severaGuid < b.severaGuid ? -1 : 1);
  // One user's links at a time (every user with links has a row): 5 000 users' 1.5 million
  // links at once do not fit in the heap beside the sandboxes' stores.
  for (const user of state
    .listUsers()
    .map((u) => u.email)
    .sort())
    for (const l of state.linksForUser(user).sort(byGuid)) hash.update(JSON.stringify(l));
  return hash.digest('hex');
}

/** Live activities overlapping `[start, end]`: what a company-wide listing of it returns. */
export function activitiesOverlapping(world: World, start: number, end: number): number {
  let n = 0;
  for (const a of world.severa.control.activities.listAll()) {
    if (a.recurrenceType === 'Series') continue;
    const s = Date.parse(a.startDateTime);
    const e = a.endDateTime ? Date.parse(a.endDateTime) : s;
    if (e >= start && s <= end) n++;
  }
  return n;
}
