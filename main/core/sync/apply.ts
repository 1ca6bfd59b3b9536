import { AppError } from '../errors';
import type { GoogleEvent, UserCalendar } from '../google/types';
import { localized, type Localized } from '../localized';
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
  googleCopyId,
  hashFields,
  isClientEventId,
  isPrivateCategory,
  linkProperties,
  PROP_SEVERA_GUID,
  type Origin,
  type SyncFields,
} from './mapping';
import type { Action, GoogleItem, Link, SeveraFacts, SeveraItem } from './plan';
import type { StateChange } from './state';
import { GoogleApiError } from '../google/google-errors';
import { errorFields, makeEntry, type Direction, type LogEntry } from './sync-log';

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
  /** The zone of an activity's owner (user guid), in which its all-day dates are read and written. */
  ownerZone: (ownerGuid: string) => string;
  /** A synced user's Severa guid, by normalised e-mail. */
  userGuidOf: (email: string) => string | undefined;
  /** The etag of the event as this run observed it, if it did (else the link's). */
  observedEtag?: (googleId: string) => string | null | undefined;
}

const participantWithoutGuid = (activityGuid: string) =>
  new AppError(
    'sync.participant-without-guid',
    null,
    localized(
      `Käyttäjää ei voitu poistaa aktiviteetin ${activityGuid} osallistujista: Severa ei kertonut osallistujatietueen tunnusta (guid). Aktiviteettia ei poistettu.`,
      `The user could not be removed from activity ${activityGuid}: Severa did not give the participant record's guid. The activity was not deleted.`,
    ),
  );

/** The etag an update or delete of a linked event is made against (If-Match). */
const etagFor = (ctx: UserContext, link: Link): string | undefined =>
  (ctx.observedEtag?.(link.googleId) ?? link.googleEtag) || undefined;

const status = (e: unknown) => (e instanceof GoogleApiError ? e.status : null);
const reasonOf = (e: unknown) => (e instanceof GoogleApiError ? e.reason : null);

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
  'sync-participants': 'to-severa',
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
    case 'sync-participants':
      return { severaGuid: a.severa.guid, googleId: null };
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

/**
 * What an applied action changed, the action that was really done (see update-severa; null
 * when nothing was: the event went away meanwhile), and the activity it deleted in Severa, if it
 * did (the other participants' copies go in the same run).
 */
export type AppliedChange = StateChange & {
  applied: Action | null;
  deletedActivity?: string;
  /** Parts that failed although the action was recorded (a meeting's participants): retried. */
  failedParts?: number;
};

export async function applyAction(ctx: UserContext, action: Action): Promise<AppliedChange> {
  const done = (links: Link[], remove: Link[], extra: LogEntry[] = []): AppliedChange => ({
    applied: action,
    upsert: links,
    remove: remove.map((l) => ({ user: l.user, severaGuid: l.severaGuid })),
    log: [entry(ctx, action, links[0]), ...extra],
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
        occurrenceEntries(ctx, action),
      );
    }
    case 'create-severa': {
      const made = await createActivity(ctx, action.google);
      if (!made) return { applied: null, log: [] };
      const { link, created } = made;
      const replaced = action.replaces && action.replaces.severaGuid !== link.severaGuid;
      const removed = replaced && action.replaces ? [action.replaces] : [];
      // Another run made the activity: this one only links it (that run adds the participants).
      if (!created)
        return {
          ...done([link], removed),
          applied: { kind: 'relink', link, severa: null, google: action.google },
        };
      // The activity exists now: its link is recorded even if a participant cannot be added.
      const joined = await changeParticipants(
        ctx,
        link.severaGuid,
        action.participants ?? [],
        [],
        action.google.fields,
      );
      return { ...done([link], removed, joined.log), failedParts: joined.failed };
    }
    case 'sync-participants': {
      const changed = await changeParticipants(
        ctx,
        action.severa.guid,
        action.add,
        action.remove,
        action.severa.fields,
        action.severa,
      );
      if (changed.failed > 0 && changed.done === 0) throw changed.error;
      return { ...done([], [], changed.log), failedParts: changed.failed };
    }
    case 'update-google': {
      const { link, notSent } = await updateGoogle(ctx, action.link, action.severa);
      return done(
        [link],
        [],
        [...conflictEntries(ctx, action), ...occurrenceEntries(ctx, action), ...notSent],
      );
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
      await ctx.calendar.deleteEvent(action.link.googleId, etagFor(ctx, action.link));
      return done([], [action.link]);
    case 'delete-severa': {
      // A participant deleting their copy leaves the meeting; it does not cancel it for everyone.
      // Only the owner's deletion deletes the activity, so ownership must be known first.
      const current =
        action.severa ??
        (await ctx.severa
          .getActivity(action.link.severaGuid)
          .then((a) =>
            a
              ? { ownedByUser: a.ownerUser.guid === ctx.severaUserGuid, participantGuid: null }
              : null,
          ));
      if (current && !current.ownedByUser) {
        if (!current.participantGuid) throw participantWithoutGuid(action.link.severaGuid);
        await ctx.severa.removeParticipant(action.link.severaGuid, current.participantGuid);
      } else if (current && (await ctx.severa.deleteActivity(action.link.severaGuid)))
        return { ...done([], [action.link]), deletedActivity: action.link.severaGuid };
      return done([], [action.link]);
    }
    case 'adopt': {
      let link = pairLink(ctx.user, action.severa, action.google, action.origin);
      // An instance of a series is never written to for the link: it would become an exception.
      if (action.google.severaGuid !== action.severa.guid && !action.google.seriesId) {
        const patched = await ctx.calendar.patchEvent(
          action.google.id,
          {
            extendedProperties: {
              private: linkProperties({ severaGuid: action.severa.guid, origin: action.origin }),
            },
          },
          action.google.etag ?? undefined,
        );
        link = {
          ...link,
          googleUpdated: patched.updated ?? link.googleUpdated,
          googleEtag: patched.etag ?? link.googleEtag,
        };
      }
      const notSent: LogEntry[] = [];
      if (action.then === 'update-google') {
        const updated = await updateGoogle(ctx, link, action.severa);
        link = updated.link;
        notSent.push(...updated.notSent);
      }
      // An activity listed moments ago and gone now is left to the next sweep.
      if (action.then === 'update-severa')
        link = (await updateSevera(ctx, link, action.google)) ?? link;
      return done([link], [], notSent);
    }
    case 'relink':
      if (!action.severa && !action.google) return done([], [action.link]);
      return done([relinked(action.link, action.severa, action.google)], []);
  }
}

/**
 * Adds and removes a meeting's participants (synced users by e-mail), each on its own: one that
 * fails is logged and counted, the others go on. A record guid not known yet is read first.
 */
async function changeParticipants(
  ctx: UserContext,
  activityGuid: string,
  add: string[],
  remove: string[],
  /** The meeting's fields: its failures' entries name its title and start. */
  item: SyncFields,
  severa?: SeveraItem,
): Promise<{ done: number; failed: number; error: unknown; log: LogEntry[] }> {
  const out = { done: 0, failed: 0, error: null as unknown, log: [] as LogEntry[] };
  let records: Map<string, string | null> | null = null;
  const recordOf = async (email: string, userGuid: string) => {
    const known =
      email === ctx.user
        ? (severa?.participantGuid ?? null)
        : (severa?.participants?.get(email) ?? null);
    if (known) return known;
    records ??= new Map(
      (await ctx.severa.listParticipants(activityGuid)).map((p) => [p.participantGuid, p.guid]),
    );
    return records.get(userGuid) ?? null;
  };
  // Who takes part now, read before adding (the links may have stood in for it).
  if (add.length > 0)
    records = new Map(
      (await ctx.severa.listParticipants(activityGuid)).map((p) => [p.participantGuid, p.guid]),
    );
  const step = async (email: string, joining: boolean) => {
    try {
      const userGuid = ctx.userGuidOf(email);
      if (!userGuid || (joining && records?.has(userGuid))) return;
      if (joining) await ctx.severa.addParticipant(activityGuid, userGuid);
      else {
        const record = await recordOf(email, userGuid);
        if (!record) throw participantWithoutGuid(activityGuid);
        await ctx.severa.removeParticipant(activityGuid, record);
      }
      out.done++;
    } catch (e) {
      out.failed++;
      out.error = e;
      const f = errorFields(e);
      out.log.push(
        makeEntry({
          runId: ctx.runId,
          user: ctx.user,
          direction: 'to-severa',
          action: joining ? 'participant-add' : 'participant-remove',
          severaGuid: activityGuid,
          title: item.title,
          start: item.start,
          result: 'error',
          ...f,
          details: { participant: email },
        }),
      );
    }
  };
  for (const email of add) await step(email, true);
  for (const email of remove) await step(email, false);
  return out;
}

/** The entry of a done action; both ids from the link it made where it made one (a new activity's). */
function entry(ctx: UserContext, action: Action, link: Link | undefined): LogEntry {
  const ids = actionItem(action);
  return makeEntry({
    ...ids,
    runId: ctx.runId,
    user: ctx.user,
    direction: DIRECTION[action.kind],
    action: action.kind,
    severaGuid: link?.severaGuid ?? ids.severaGuid,
    googleId: link?.googleId ?? ids.googleId,
    result: 'ok',
  });
}

/** Why a Google edit or deletion of one occurrence of a recurring activity was undone. */
function occurrenceEntries(ctx: UserContext, action: Action): LogEntry[] {
  if (!('reason' in action) || action.reason !== 'occurrence') return [];
  return [
    makeEntry({
      runId: ctx.runId,
      user: ctx.user,
      level: 'warn',
      direction: 'to-google',
      action: 'occurrence-kept',
      ...actionItem(action),
      result: 'ok',
      text: localized(
        'Toistuvan Severa-aktiviteetin yhtä esiintymää muutettiin tai se poistettiin Googlessa; Severan versio säilytetään. Muuta sitä Severassa: Severan rajapinnan kuvaus ei kerro, mitä yhden esiintymän muuttaminen tai poistaminen tekee sarjan muille esiintymille.',
        "One occurrence of a recurring Severa activity was changed or deleted in Google; Severa's version is kept. Change it in Severa: Severa's API does not say what changing or deleting one occurrence does to the rest of the series.",
      ),
    }),
  ];
}

const POLICY_TEXT: Record<Settings['sync']['conflictPolicy'], Localized> = {
  'later-wins': localized('myöhempi muutos voittaa', 'later-wins'),
  'severa-wins': localized('Severa voittaa', 'severa-wins'),
  'google-wins': localized('Google voittaa', 'google-wins'),
};

const conflictText = (winner: Origin, policy: Settings['sync']['conflictPolicy']) =>
  localized(
    `Muutettu molemmilla puolilla; ${winner === 'severa' ? 'Severan' : 'Googlen'} versio säilytettiin (sääntö: ${POLICY_TEXT[policy].fi}).`,
    `Changed on both sides; ${winner === 'severa' ? 'Severa' : 'Google'}'s version kept (policy ${POLICY_TEXT[policy].en}).`,
  );

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
      text: conflictText(action.conflict.winner, ctx.settings.sync.conflictPolicy),
      details: {
        winner: action.conflict.winner,
        severa: action.conflict.severa,
        google: action.conflict.google,
      },
    }),
  ];
}

/** What a link records of each side: a `SeveraItem` and a `GoogleItem` carry it. */
export type LinkedSevera = Pick<SeveraItem, 'guid' | 'fields' | 'updated' | 'facts'>;
export type LinkedGoogle = Pick<GoogleItem, 'id' | 'fields' | 'updated' | 'etag' | 'organizer'>;

/**
 * The link of a pair whose two sides agree as given: every new link a run records is made here
 * (the benchmark's seeded company too, so its state is what a run would have written).
 */
export const pairLink = (
  user: string,
  severa: LinkedSevera,
  google: LinkedGoogle,
  origin: Origin,
): Link => ({
  user,
  severaGuid: severa.guid,
  googleId: google.id,
  origin,
  severaHash: hashFields(severa.fields),
  googleHash: hashFields(google.fields),
  severaUpdated: severa.updated,
  googleUpdated: google.updated,
  start: severa.fields.start,
  held: null,
  googleEtag: google.etag,
  googleOrganizer: google.organizer ?? null,
  severaFacts: severa.facts ?? null,
});

/** What a link keeps of an activity besides its fields (plan.ts `SeveraFacts`). */
export const severaFacts = (
  a: Activity,
  participants?: Record<string, string | null>,
): SeveraFacts => ({
  type: a.activityType.guid,
  owner: a.ownerUser.guid,
  occurrence: a.recurrenceType === 'Occurrence' || a.recurrenceType === 'Exception',
  ...(participants && { participants }),
});

/** The activity as a link records it: fields in its owner's zone, its stamp and facts. */
export function linkedActivity(
  ctx: Pick<UserContext, 'ownerZone' | 'categoryOf'>,
  activity: Activity,
  participants?: Record<string, string | null>,
): LinkedSevera {
  return {
    guid: activity.guid,
    fields: fieldsFromActivity(
      activity,
      ctx.ownerZone(activity.ownerUser.guid),
      ctx.categoryOf(activity.activityType.guid),
    ),
    updated: activity.lastUpdatedDateTime,
    facts: severaFacts(activity, participants),
  };
}

/** An event as a link records it: its fields as read (`fallback` when unreadable), stamp and etag. */
export const linkedEvent = (
  event: GoogleEvent,
  zone: string,
  fallback: SyncFields,
  organizer: string | null = null,
): LinkedGoogle => ({
  id: event.id ?? '',
  fields: fieldsFromEvent(event, zone) ?? fallback,
  updated: event.updated ?? null,
  etag: event.etag ?? null,
  organizer,
});

function relinked(link: Link, severa: SeveraItem | null, google: GoogleItem | null): Link {
  return {
    ...link,
    held: null,
    ...(severa && {
      severaHash: hashFields(severa.fields),
      severaUpdated: severa.updated,
      start: severa.fields.start,
      severaFacts: severa.facts ?? link.severaFacts ?? null,
    }),
    ...(google && {
      googleHash: hashFields(google.fields),
      googleUpdated: google.updated,
      googleEtag: google.etag,
      googleOrganizer: google.organizer ?? null,
    }),
  };
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
  // An id Google made (an instance of a deleted series) cannot be inserted: a copy of our own.
  const insertId = isClientEventId(googleId) ? googleId : googleCopyId(severa.guid, ctx.user);
  const created =
    revived ??
    (await insertOrRevive(
      ctx.calendar,
      insertId,
      eventFromFields(severa.fields, ctx.zone, meta),
      patch,
    ));
  const google = linkedEvent({ ...created, id: created.id ?? googleId }, ctx.zone, severa.fields);
  return pairLink(ctx.user, severa, google, origin);
}

/**
 * Severa's version onto the Google copy, If-Match the etag it was decided on. A meeting the
 * user does not organise is the organiser's: only what is the user's own on their copy (the
 * visibility) is sent, and the log says, once per change, that the rest stays as the organiser
 * has it. A copy not known to be someone else's that Google refuses as such (403
 * `forbiddenForNonOrganizer`) is treated the same from then on.
 */
async function updateGoogle(
  ctx: UserContext,
  link: Link,
  severa: SeveraItem,
): Promise<{ link: Link; notSent: LogEntry[] }> {
  const meta = { severaGuid: link.severaGuid, origin: link.origin };
  const settled = (patched: GoogleEvent, l: Link): Link => {
    const google = linkedEvent(patched, ctx.zone, severa.fields);
    return {
      ...l,
      severaHash: hashFields(severa.fields),
      severaUpdated: severa.updated,
      googleHash: hashFields(google.fields),
      googleUpdated: google.updated,
      googleEtag: google.etag,
      start: severa.fields.start,
      severaFacts: severa.facts ?? l.severaFacts ?? null,
    };
  };
  if (!link.googleOrganizer) {
    try {
      const event = eventPatchFromFields(severa.fields, ctx.zone, meta);
      return {
        link: settled(
          await ctx.calendar.patchEvent(link.googleId, event, etagFor(ctx, link)),
          link,
        ),
        notSent: [],
      };
    } catch (e) {
      if (reasonOf(e) !== 'forbiddenForNonOrganizer') throw e;
    }
  }
  const current = await ctx.calendar.getEvent(link.googleId);
  const organizer = current?.organizer?.email ?? link.googleOrganizer ?? 'another user';
  const guest = { ...link, googleOrganizer: organizer };
  const visibility = severa.fields.private ? 'private' : 'default';
  const patched =
    current && (current.visibility ?? 'default') !== visibility
      ? await ctx.calendar.patchEvent(link.googleId, { visibility }, current.etag ?? undefined)
      : current;
  const kept = patched
    ? settled(patched, guest)
    : { ...guest, severaHash: hashFields(severa.fields) };
  // Google keeps the organiser's version: the link records it, so only a change of theirs
  // (coming back to Severa) or a new one in Severa is acted on again.
  const result = { ...kept, googleHash: patched ? kept.googleHash : link.googleHash };
  return {
    link: result,
    notSent: [
      makeEntry({
        runId: ctx.runId,
        user: ctx.user,
        level: 'warn',
        direction: 'to-google',
        action: 'organizer-owned',
        severaGuid: link.severaGuid,
        googleId: link.googleId,
        title: severa.fields.title,
        start: severa.fields.start,
        result: 'skipped',
        errorType: 'forbiddenForNonOrganizer',
        text: localized(
          `Kokous kuuluu järjestäjälleen ${organizer}: Severassa sen otsikkoon, aikaan, paikkaan tai kuvaukseen tehtyä muutosta ei lähetetä Googleen (vain järjestäjä voi muuttaa niitä siellä). Järjestäjän omat muutokset tulevat edelleen Severaan.`,
          `The meeting belongs to its organiser ${organizer}: the change made in Severa to its title, time, place or description is not sent to Google (only the organiser can change them there). The organiser's own changes still reach Severa.`,
        ),
      }),
    ],
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

const isConditionFailed = (e: unknown) => status(e) === 412;

/**
 * A Severa activity from a Google event, at most once whatever else runs: the event is read
 * back first, and an activity its marker names (made by another run) is linked instead of
 * creating one; the marker is then written If-Match the etag read, so of two runs that both
 * created an activity only one marks the event, and the other removes its own activity again.
 * Instances of a series carry no marker (it would make them exceptions): their links are kept
 * locally and re-adopted by title and time after a lost database. null: the event is gone.
 */
async function createActivity(
  ctx: UserContext,
  google: GoogleItem,
): Promise<{ link: Link; created: boolean } | null> {
  const markerOf = (e: GoogleEvent | null) => e?.extendedProperties?.private?.[PROP_SEVERA_GUID];
  // A new activity has no participants yet; another run's may have (unknown until read).
  const linkTo = (activity: Activity, etag: string | null, updated: string | null): Link =>
    pairLink(
      ctx.user,
      linkedActivity(ctx, activity, activity.guid === made?.guid ? {} : undefined),
      { ...google, etag, updated: updated ?? google.updated },
      'google',
    );
  let made: Activity | null = null;
  let etag = google.etag;
  if (!google.seriesId) {
    const current = await ctx.calendar.getEvent(google.id);
    if (!current || current.status === 'cancelled') return null;
    const made = markerOf(current);
    const existing = made ? await ctx.severa.getActivity(made) : null;
    if (existing)
      return {
        link: linkTo(existing, current.etag ?? null, current.updated ?? null),
        created: false,
      };
    etag = current.etag ?? etag;
  }
  const typeGuid = activityTypeFor(ctx, google.fields.private);
  const activity = await ctx.severa.createActivity(
    activityInputFromFields(google.fields, ctx.zone, typeGuid, ctx.severaUserGuid),
  );
  made = activity;
  if (google.seriesId)
    return { link: linkTo(activity, google.etag, google.updated), created: true };
  // The event remembers its activity, so a lost database re-adopts instead of duplicating.
  const mark = (ifMatch: string | null) =>
    ctx.calendar.patchEvent(
      google.id,
      {
        extendedProperties: {
          private: linkProperties({ severaGuid: activity.guid, origin: 'google' }),
        },
      },
      ifMatch ?? undefined,
    );
  try {
    const patched = await mark(etag);
    return { link: linkTo(activity, patched.etag ?? null, patched.updated ?? null), created: true };
  } catch (e) {
    if (!isConditionFailed(e)) throw e;
  }
  // The event changed since it was read: another run's marker, or the user's edit.
  const now = await ctx.calendar.getEvent(google.id);
  const theirs = markerOf(now);
  const other = theirs && theirs !== activity.guid ? await ctx.severa.getActivity(theirs) : null;
  if (other) {
    await ctx.severa.deleteActivity(activity.guid);
    return { link: linkTo(other, now?.etag ?? null, now?.updated ?? null), created: false };
  }
  const patched = await mark(now?.etag ?? null);
  return { link: linkTo(activity, patched.etag ?? null, patched.updated ?? null), created: true };
}

const isNotFound = (e: unknown) =>
  (e as { type?: string }).type === 'NotFound' || (e as { httpStatus?: number }).httpStatus === 404;

/**
 * Google's version onto the activity. Its current type and owner come from this run's listing,
 * else from the facts the link recorded (the activity is unchanged since: a change would have
 * been listed), else from one read. null when the activity is gone from Severa (404).
 */
async function updateSevera(
  ctx: UserContext,
  link: Link,
  google: GoogleItem,
): Promise<Link | null> {
  const listed = ctx.listedActivity(link.severaGuid);
  const read = listed || link.severaFacts ? null : await ctx.severa.getActivity(link.severaGuid);
  const current = listed ?? read;
  const known = current ? severaFacts(current) : link.severaFacts;
  if (!known) return null;
  const currentCategory = ctx.categoryOf(known.type) ?? current?.activityType.category;
  // The type changes only when the privacy did: a Severa type the user chose is otherwise kept.
  const typeGuid =
    isPrivateCategory(currentCategory) === google.fields.private
      ? null
      : activityTypeFor(ctx, google.fields.private);
  let updated: Activity;
  try {
    updated = await ctx.severa.patchActivity(
      link.severaGuid,
      activityPatchFromFields(google.fields, ctx.ownerZone(known.owner), typeGuid),
    );
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
  const severa = linkedActivity(ctx, updated, link.severaFacts?.participants);
  return {
    ...link,
    severaHash: hashFields(severa.fields),
    severaUpdated: severa.updated,
    googleHash: hashFields(google.fields),
    googleUpdated: google.updated,
    googleEtag: google.etag,
    googleOrganizer: google.organizer ?? null,
    start: severa.fields.start,
    severaFacts: severa.facts ?? null,
  };
}
