import { AppError } from '../errors';
import type { GoogleEvent, UserCalendar } from '../google/types';
import { localized } from '../localized';
import type { Activity, ActivityCategory } from '../severa/models';
import type { SeveraApi } from '../severa/types';
import type { Settings } from '../store/settings';
import {
  activityInputFromFields,
  activityPatchFromFields,
  eventFromFields,
  eventPatchFromFields,
  fieldsFromActivity,
  fieldsFromEvent,
  hashFields,
  isPrivateCategory,
  linkProperties,
  type Origin,
  type SyncFields,
} from './mapping';
import type { Action, GoogleItem, Link, SeveraItem } from './plan';
import type { StateChange } from './state';
import { makeEntry, type Direction, type LogEntry } from './sync-log';

/**
 * Runs one planned action against the two services and returns what the state must record.
 * The engine records that result in one transaction, so every action is isolated: a failure
 * changes nothing locally and the next run decides again.
 */
export interface UserContext {
  user: string;
  severaUserGuid: string;
  zone: string;
  calendar: UserCalendar;
  severa: SeveraApi;
  settings: Settings;
  runId: number | null;
  categoryOf: (typeGuid: string) => ActivityCategory | undefined;
  /** The activity as this run's Severa listing returned it, if it did (saves a read). */
  listedActivity: (guid: string) => Activity | undefined;
}

/** How many generation suffixes are tried when a deleted id can be neither revived nor reused. */
const MAX_GENERATIONS = 3;

export const DIRECTION: Record<Action['kind'], Direction | null> = {
  'create-google': 'to-google',
  'update-google': 'to-google',
  'restore-google': 'to-google',
  'delete-google': 'to-google',
  'create-severa': 'to-severa',
  'update-severa': 'to-severa',
  'delete-severa': 'to-severa',
  adopt: null,
  relink: null,
};

export const actionIds = (a: Action): { severaGuid: string | null; googleId: string | null } => {
  switch (a.kind) {
    case 'create-google':
      return { severaGuid: a.severa.guid, googleId: a.googleId };
    case 'create-severa':
      return { severaGuid: a.replaces?.severaGuid ?? null, googleId: a.google.id };
    case 'adopt':
      return { severaGuid: a.severa.guid, googleId: a.google.id };
    default:
      return { severaGuid: a.link.severaGuid, googleId: a.link.googleId };
  }
};

/**
 * The item an action is about, for its log entries: both ids, and the title and start of the
 * side that has them (a deletion has neither: the engine's record fills them from the log).
 */
export const actionItem = (
  a: Action,
): { severaGuid: string | null; googleId: string | null; title?: string; start?: string } => {
  const fields =
    'severa' in a && a.severa
      ? a.severa.fields
      : 'google' in a && a.google
        ? a.google.fields
        : undefined;
  return { ...actionIds(a), ...(fields && { title: fields.title, start: fields.start }) };
};

/** What an applied action changed, and the action that was really done (see update-severa). */
export type AppliedChange = StateChange & { applied: Action };

export async function applyAction(ctx: UserContext, action: Action): Promise<AppliedChange> {
  const done = (links: Link[], remove: Link[], extra: LogEntry[] = []): AppliedChange => ({
    applied: action,
    upsert: links,
    remove: remove.map((l) => ({ user: l.user, severaGuid: l.severaGuid })),
    log: [entry(ctx, action, links[0]?.googleId), ...extra],
  });
  switch (action.kind) {
    case 'create-google':
    case 'restore-google': {
      const link = await createGoogleCopy(
        ctx,
        action.severa,
        action.kind === 'create-google' ? action.googleId : action.link.googleId,
        action.kind === 'create-google' ? 'severa' : action.link.origin,
        action.kind === 'restore-google',
      );
      const replaced =
        action.kind === 'restore-google' ? [action.link] : action.replaces ? [action.replaces] : [];
      return done(
        [link],
        replaced.filter((r) => r.severaGuid !== link.severaGuid),
      );
    }
    case 'create-severa': {
      const link = await createActivity(ctx, action.google);
      return done([link], action.replaces ? [action.replaces] : []);
    }
    case 'update-google': {
      const link = await updateGoogle(ctx, action.link, action.severa);
      return done([link], [], conflictEntries(ctx, action));
    }
    case 'update-severa': {
      const link = await updateSevera(ctx, action.link, action.google);
      if (!link) {
        // Deleted in Severa since the last sweep, edited in Google since: what the plan decides
        // when a sweep sees it (the edit wins and comes back as a new activity).
        return applyAction(ctx, {
          kind: 'create-severa',
          google: action.google,
          replaces: action.link,
        });
      }
      return done([link], [], conflictEntries(ctx, action));
    }
    case 'delete-google':
      await ctx.calendar.deleteEvent(action.link.googleId);
      return done([], [action.link]);
    case 'delete-severa': {
      const participant =
        action.severa && !action.severa.ownedByUser ? action.severa.participantGuid : null;
      // A participant deleting their copy leaves the meeting; it does not cancel it for everyone.
      if (participant) await ctx.severa.removeParticipant(action.link.severaGuid, participant);
      else await ctx.severa.deleteActivity(action.link.severaGuid);
      return done([], [action.link]);
    }
    case 'adopt': {
      let link = newLink(ctx, action.severa, action.google, action.origin);
      if (action.google.severaGuid !== action.severa.guid) {
        const patched = await ctx.calendar.patchEvent(action.google.id, {
          extendedProperties: {
            private: linkProperties({ severaGuid: action.severa.guid, origin: action.origin }),
          },
        });
        link = { ...link, googleUpdated: patched.updated ?? link.googleUpdated };
      }
      if (action.then === 'update-google') link = await updateGoogle(ctx, link, action.severa);
      // An activity listed moments ago and gone now is left to the next sweep.
      if (action.then === 'update-severa')
        link = (await updateSevera(ctx, link, action.google)) ?? link;
      return done([link], []);
    }
    case 'relink':
      if (!action.severa && !action.google) return done([], [action.link]);
      return done([relinked(action.link, action.severa, action.google)], []);
  }
}

function entry(ctx: UserContext, action: Action, googleId: string | undefined): LogEntry {
  const ids = actionItem(action);
  return makeEntry({
    ...ids,
    runId: ctx.runId,
    user: ctx.user,
    direction: DIRECTION[action.kind],
    action: action.kind,
    severaGuid: ids.severaGuid,
    googleId: googleId ?? ids.googleId,
    result: 'ok',
  });
}

function conflictEntries(
  ctx: UserContext,
  action: Action & { kind: 'update-google' | 'update-severa' },
): LogEntry[] {
  if (!action.conflict) return [];
  return [
    makeEntry({
      ...actionItem(action),
      runId: ctx.runId,
      user: ctx.user,
      level: 'warn',
      direction: DIRECTION[action.kind],
      action: 'conflict',
      severaGuid: action.link.severaGuid,
      googleId: action.link.googleId,
      result: 'ok',
      message: `Changed on both sides; ${action.conflict.winner === 'severa' ? 'Severa' : 'Google'}'s version kept (policy ${ctx.settings.sync.conflictPolicy}).`,
      details: {
        winner: action.conflict.winner,
        severa: action.conflict.severa,
        google: action.conflict.google,
      },
    }),
  ];
}

const newLink = (
  ctx: UserContext,
  severa: SeveraItem,
  google: GoogleItem,
  origin: Origin,
): Link => ({
  user: ctx.user,
  severaGuid: severa.guid,
  googleId: google.id,
  origin,
  severaHash: hashFields(severa.fields),
  googleHash: hashFields(google.fields),
  severaUpdated: severa.updated,
  googleUpdated: google.updated,
  start: severa.fields.start,
  held: null,
});

function relinked(link: Link, severa: SeveraItem | null, google: GoogleItem | null): Link {
  return {
    ...link,
    held: null,
    ...(severa && {
      severaHash: hashFields(severa.fields),
      severaUpdated: severa.updated,
      start: severa.fields.start,
    }),
    ...(google && { googleHash: hashFields(google.fields), googleUpdated: google.updated }),
  };
}

function googleSide(
  event: GoogleEvent,
  fallback: SyncFields,
): { hash: string; updated: string | null } {
  return { hash: hashFields(fieldsFromEvent(event) ?? fallback), updated: event.updated ?? null };
}

const isDuplicate = (e: unknown) =>
  (e as { reason?: string }).reason === 'duplicate' || (e as { status?: number }).status === 409;

/**
 * Insert under the deterministic id; an id Google already knows (a lost response, or a deleted
 * copy, which keeps its id) is revived by patching it back to confirmed; where that is refused,
 * the same id with a generation suffix is used (design D7).
 */
async function insertOrRevive(
  calendar: UserCalendar,
  id: string,
  event: GoogleEvent,
  patch: GoogleEvent,
): Promise<GoogleEvent> {
  let lastError: unknown;
  for (let generation = 0; generation <= MAX_GENERATIONS; generation++) {
    const candidate = generation === 0 ? id : `${id}v${generation}`;
    try {
      return await calendar.insertEvent({ ...event, id: candidate });
    } catch (e) {
      if (!isDuplicate(e)) throw e;
      lastError = e;
    }
    try {
      return await calendar.patchEvent(candidate, patch);
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

async function createGoogleCopy(
  ctx: UserContext,
  severa: SeveraItem,
  googleId: string,
  origin: Origin,
  restore: boolean,
): Promise<Link> {
  const meta = { severaGuid: severa.guid, origin };
  const patch = eventPatchFromFields(severa.fields, ctx.zone, meta);
  // A deleted event keeps its id: reviving it first also serves ids we did not choose (an
  // instance of a Google series, a Google-origin event), which an insert would refuse.
  const revived = restore ? await ctx.calendar.patchEvent(googleId, patch).catch(() => null) : null;
  const created =
    revived ??
    (await insertOrRevive(
      ctx.calendar,
      googleId,
      eventFromFields(severa.fields, ctx.zone, meta),
      patch,
    ));
  const google = googleSide(created, severa.fields);
  return {
    user: ctx.user,
    severaGuid: severa.guid,
    googleId: created.id ?? googleId,
    origin,
    severaHash: hashFields(severa.fields),
    googleHash: google.hash,
    severaUpdated: severa.updated,
    googleUpdated: google.updated,
    start: severa.fields.start,
    held: null,
  };
}

async function updateGoogle(ctx: UserContext, link: Link, severa: SeveraItem): Promise<Link> {
  const event = eventPatchFromFields(severa.fields, ctx.zone, {
    severaGuid: link.severaGuid,
    origin: link.origin,
  });
  const patched = await ctx.calendar.patchEvent(link.googleId, event);
  const google = googleSide(patched, severa.fields);
  return {
    ...link,
    severaHash: hashFields(severa.fields),
    severaUpdated: severa.updated,
    googleHash: google.hash,
    googleUpdated: google.updated,
    start: severa.fields.start,
  };
}

function activityTypeFor(ctx: UserContext, isPrivate: boolean): string {
  const guid = isPrivate
    ? ctx.settings.severa.personalActivityTypeGuid
    : ctx.settings.severa.defaultActivityTypeGuid;
  if (!guid) {
    throw new AppError(
      isPrivate ? 'sync.no-personal-type' : 'sync.no-default-type',
      'severa.activity-types',
      isPrivate
        ? localized(
            'Yksityisille Google-merkinnöille ei ole valittu Henkilökohtainen-tyyppistä aktiviteettityyppiä.',
            'No Personal-category activity type is chosen for private Google entries.',
          )
        : localized(
            'Google-merkinnöille ei ole valittu oletusaktiviteettityyppiä.',
            'No default activity type is chosen for entries coming from Google.',
          ),
    );
  }
  return guid;
}

function severaSide(
  ctx: UserContext,
  activity: Activity,
): { hash: string; updated: string | null; start: string } {
  const fields = fieldsFromActivity(activity, ctx.zone, ctx.categoryOf(activity.activityType.guid));
  return { hash: hashFields(fields), updated: activity.lastUpdatedDateTime, start: fields.start };
}

async function createActivity(ctx: UserContext, google: GoogleItem): Promise<Link> {
  const typeGuid = activityTypeFor(ctx, google.fields.private);
  const activity = await ctx.severa.createActivity(
    activityInputFromFields(google.fields, ctx.zone, typeGuid, ctx.severaUserGuid),
  );
  // The event remembers its activity, so a lost database re-adopts instead of duplicating.
  const patched = await ctx.calendar.patchEvent(google.id, {
    extendedProperties: {
      private: linkProperties({ severaGuid: activity.guid, origin: 'google' }),
    },
  });
  const severa = severaSide(ctx, activity);
  return {
    user: ctx.user,
    severaGuid: activity.guid,
    googleId: google.id,
    origin: 'google',
    severaHash: severa.hash,
    googleHash: hashFields(google.fields),
    severaUpdated: severa.updated,
    googleUpdated: patched.updated ?? google.updated,
    start: severa.start,
    held: null,
  };
}

/** null when the activity is gone from Severa (404). */
async function updateSevera(
  ctx: UserContext,
  link: Link,
  google: GoogleItem,
): Promise<Link | null> {
  const current =
    ctx.listedActivity(link.severaGuid) ?? (await ctx.severa.getActivity(link.severaGuid));
  if (!current) return null;
  const currentCategory =
    ctx.categoryOf(current.activityType.guid) ?? current.activityType.category;
  // The type changes only when the privacy did: a Severa type the user chose is otherwise kept.
  const typeGuid =
    isPrivateCategory(currentCategory) === google.fields.private
      ? null
      : activityTypeFor(ctx, google.fields.private);
  const updated = await ctx.severa.patchActivity(
    link.severaGuid,
    activityPatchFromFields(google.fields, ctx.zone, typeGuid),
  );
  const severa = severaSide(ctx, updated);
  return {
    ...link,
    severaHash: severa.hash,
    severaUpdated: severa.updated,
    googleHash: hashFields(google.fields),
    googleUpdated: google.updated,
    start: severa.start,
  };
}
