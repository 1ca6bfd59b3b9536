import { hashFields, slotKey, type Origin, type SyncFields } from './mapping';

/**
 * The decision table (design D6, after vdirsyncer's `_get_actions`): from the last agreed
 * state of each linked pair and what each side shows now, the actions that bring the two sides
 * together. PURE: no I/O, no clock; every rule of design §3 that is a decision lives here.
 */

export type ConflictPolicy = 'later-wins' | 'severa-wins' | 'google-wins';

/** A linked pair for one user: the last state both sides agreed on. */
export interface Link {
  user: string;
  severaGuid: string;
  googleId: string;
  origin: Origin;
  severaHash: string;
  googleHash: string;
  severaUpdated: string | null;
  googleUpdated: string | null;
  /** Start instant/date on the Severa side, so a window sweep knows which links it covers. */
  start: string;
  /** A deletion waiting for the admin (design D8), or null. */
  held: HeldKind | null;
  /** The Google etag last written or read: updates and deletes send it as If-Match. */
  googleEtag?: string | null;
  /** The organiser of a Google copy the user does not organise (an invitation), else null. */
  googleOrganizer?: string | null;
  /** What was known of the activity when the pair last agreed (absent on older links). */
  severaFacts?: SeveraFacts | null;
}

/**
 * What a run must know of an activity beyond its synced fields to act on a Google change
 * without reading the activity first: its type (a type the user chose is kept), its owner (whose
 * zone its all-day dates are in), whether it belongs to a series, and the synced participants
 * last seen. Valid while the activity's `lastUpdatedDateTime` is the link's.
 */
export interface SeveraFacts {
  type: string;
  owner: string;
  occurrence: boolean;
  /** Synced participants but the owner: user guid → participant record guid (null: not read). */
  participants?: Record<string, string | null>;
}

export type HeldKind = 'delete-google' | 'delete-severa';

export interface SeveraItem {
  guid: string;
  fields: SyncFields;
  updated: string | null;
  /** Work hours are linked: never deleted because of a Google-side deletion. */
  hasHours: boolean;
  /** The user owns it (else takes part): a Google deletion then removes only the participant. */
  ownedByUser: boolean;
  /** The participant record of this user, when not the owner. */
  participantGuid: string | null;
  /** Type selected, not a series master, the user takes part. */
  eligible: boolean;
  /** Inside the sync window: only then is a new copy made (a linked pair follows it anywhere). */
  inWindow: boolean;
  /**
   * An occurrence or exception of a recurring Severa series. Severa's document does not say what
   * a PATCH or DELETE of one occurrence does to its series, so its Google copies never change or
   * delete it (Severa's version is put back); a participant may still leave one (documented).
   */
  occurrence?: boolean;
  /** Synced participants other than the owner (e-mail → participant record guid, null if unread). */
  participants?: ReadonlyMap<string, string | null>;
  /** The Google event the activity was made from (its organiser's), which attendees also hold. */
  sourceEventId?: string | null;
  /** Recorded with the link (engine.ts fills it from the activity). */
  facts?: SeveraFacts;
}

/** A synced user invited to an event the user organises. */
export interface Attendee {
  email: string;
  declined: boolean;
}

export interface GoogleItem {
  id: string;
  fields: SyncFields;
  updated: string | null;
  etag: string | null;
  /** From extendedProperties.private: the link this product wrote on the event. */
  severaGuid: string | null;
  origin: Origin | null;
  /** Not declined, a plain event, not organised by another synced user. */
  eligible: boolean;
  inWindow: boolean;
  /** Other synced users among the attendees, when the user organises the event (a meeting). */
  attendees?: Attendee[];
  /** Someone else organises it (an invitation): only they may change its main fields. */
  organizer?: string | null;
  /** For an instance of a recurring series: the series' id (Google's recurringEventId). */
  seriesId?: string | null;
}

/** What a side shows for one id this run. Ids not observed this run are unchanged. */
export type Observed<T> = { kind: 'present'; item: T } | { kind: 'gone' };

export interface PlanInput {
  user: string;
  links: Link[];
  /**
   * How many links the user has, when `links` holds only those with a side observed this run
   * (or held): a link neither side showed has nothing to decide. Default `links.length`.
   */
  linkCount?: number;
  severa: ReadonlyMap<string, Observed<SeveraItem>>;
  google: ReadonlyMap<string, Observed<GoogleItem>>;
  /** Items a complete (window) listing returned for the user; undefined after a partial listing. */
  fullListingCount: { severa?: number; google?: number };
  policy: ConflictPolicy;
  deletionThresholdPercent: number;
  /** The Google id a new copy of this activity gets (deterministic, design D7). */
  copyId: (severaGuid: string) => string;
  /** The admin's answer to this user's held deletions, when given. */
  heldDecision?: 'confirm' | 'reject';
}

export type Action =
  | { kind: 'create-google'; severa: SeveraItem; googleId: string; replaces: Link | null }
  /** `participants`: the synced attendees of a meeting the user organises (design: one activity). */
  | { kind: 'create-severa'; google: GoogleItem; replaces: Link | null; participants?: string[] }
  | {
      kind: 'update-google';
      link: Link;
      severa: SeveraItem;
      conflict: Conflict | null;
      /** Why Severa's version is put back over a Google edit (an occurrence of a series). */
      reason?: 'occurrence';
    }
  | { kind: 'update-severa'; link: Link; google: GoogleItem; conflict: Conflict | null }
  /** The Google copy was deleted but must stay (work hours, or edited in Severa): revive it. */
  | { kind: 'restore-google'; link: Link; severa: SeveraItem; reason?: 'occurrence' }
  /**
   * A meeting's attendees as its activity's participants: attendees the activity lacks join it,
   * declined ones leave it; an attendee whose copy of the source event is gone leaves it.
   */
  | { kind: 'sync-participants'; severa: SeveraItem; add: string[]; remove: string[] }
  | { kind: 'delete-google'; link: Link }
  | { kind: 'delete-severa'; link: Link; severa: SeveraItem | null }
  /** Adopt an existing pair (first run, lost database, crash): write only the link. */
  | {
      kind: 'adopt';
      severa: SeveraItem;
      google: GoogleItem;
      origin: Origin;
      then: 'update-google' | 'update-severa' | null;
    }
  /** Both sides gone, or both changed alike: only the stored state changes. */
  | { kind: 'relink'; link: Link; severa: SeveraItem | null; google: GoogleItem | null };

export type ActionKind = Action['kind'];

export interface Conflict {
  winner: Origin;
  severa: SyncFields;
  google: SyncFields;
}

export interface Brake {
  side: Origin;
  reason: 'empty-listing';
  knownItems: number;
}

export interface Plan {
  user: string;
  actions: Action[];
  /** Deletions over the threshold, waiting for the admin. */
  held: (Action & { kind: 'delete-google' | 'delete-severa' })[];
  brake: Brake | null;
}

/** Fewer deletions than this are never held, whatever the share (a user with 2 items may delete 1). */
export const MIN_HELD_DELETIONS = 5;

export function plan(input: PlanInput): Plan {
  const brake = emptyListingBrake(input);
  if (brake) return { user: input.user, actions: [], held: [], brake };

  const actions: Action[] = [];
  const decidedByAdmin: Action[] = [];
  const linkedSevera = new Set<string>();
  const linkedGoogle = new Set<string>();
  for (const link of input.links) {
    linkedSevera.add(link.severaGuid);
    linkedGoogle.add(link.googleId);
    const action = link.held
      ? decideHeld({ ...link, held: link.held }, input)
      : decideLinked(
          link,
          input.severa.get(link.severaGuid),
          input.google.get(link.googleId),
          input.policy,
        );
    if (action) (link.held ? decidedByAdmin : actions).push(action);
    const meeting = link.held ? null : decideAttendees(input, link);
    if (meeting) actions.push(meeting);
  }
  actions.push(...decideUnlinked(input, linkedSevera, linkedGoogle));

  const isDeletion = (a: Action): a is Plan['held'][number] =>
    a.kind === 'delete-google' || a.kind === 'delete-severa';
  const deletions = actions.filter(isDeletion);
  const hold =
    deletions.length >= MIN_HELD_DELETIONS &&
    deletions.length >
      ((input.linkCount ?? input.links.length) * input.deletionThresholdPercent) / 100;
  return {
    user: input.user,
    actions: [...(hold ? actions.filter((a) => !isDeletion(a)) : actions), ...decidedByAdmin],
    held: hold ? deletions : [],
    brake: null,
  };
}

/** A side that suddenly lists nothing for a user who had items is a fault, not a mass deletion. */
function emptyListingBrake(input: PlanInput): Brake | null {
  const known = input.linkCount ?? input.links.length;
  if (known === 0) return null;
  for (const side of ['google', 'severa'] as const) {
    if (input.fullListingCount[side] === 0)
      return { side, reason: 'empty-listing', knownItems: known };
  }
  return null;
}

type SideState<T> =
  | { kind: 'unchanged' }
  | { kind: 'changed'; item: T }
  | { kind: 'same'; item: T }
  | { kind: 'gone' };

function sideState<T extends { fields: SyncFields; eligible: boolean }>(
  observed: Observed<T> | undefined,
  recordedHash: string,
): SideState<T> {
  if (!observed) return { kind: 'unchanged' };
  // An item that stopped qualifying (type deselected, invitation declined) leaves the sync.
  if (observed.kind === 'gone' || !observed.item.eligible) return { kind: 'gone' };
  // Echo rule: our own write coming back hashes to the recorded value.
  return hashFields(observed.item.fields) === recordedHash
    ? { kind: 'same', item: observed.item }
    : { kind: 'changed', item: observed.item };
}

function decideLinked(
  link: Link,
  severaObserved: Observed<SeveraItem> | undefined,
  googleObserved: Observed<GoogleItem> | undefined,
  policy: ConflictPolicy,
): Action | null {
  const s = sideState(severaObserved, link.severaHash);
  const g = sideState(googleObserved, link.googleHash);

  if (s.kind === 'gone' && g.kind === 'gone')
    return { kind: 'relink', link, severa: null, google: null };
  if (s.kind === 'gone') {
    // Deleted in Severa. Edited in Google since: the edit wins and comes back as a new activity.
    return g.kind === 'changed'
      ? { kind: 'create-severa', google: g.item, replaces: link }
      : { kind: 'delete-google', link };
  }
  if (g.kind === 'gone') {
    const severa = s.kind === 'unchanged' ? null : s.item;
    // Work hours, or an edit in Severa since: the Google copy comes back instead (design D8).
    if (severa && (severa.hasHours || s.kind === 'changed'))
      return { kind: 'restore-google', link, severa };
    // One occurrence of a series is not deleted from Google's side; a participant may leave it.
    if (severa?.occurrence && severa.ownedByUser)
      return { kind: 'restore-google', link, severa, reason: 'occurrence' };
    return { kind: 'delete-severa', link, severa };
  }
  const occurrence = s.kind === 'unchanged' ? null : s.item.occurrence ? s.item : null;
  if (occurrence && g.kind === 'changed')
    return {
      kind: 'update-google',
      link,
      severa: occurrence,
      conflict: null,
      reason: 'occurrence',
    };
  if (s.kind === 'changed' && g.kind === 'changed') {
    if (hashFields(s.item.fields) === hashFields(g.item.fields))
      return { kind: 'relink', link, severa: s.item, google: g.item };
    const winner = resolveConflict(policy, s.item.updated, g.item.updated);
    const conflict: Conflict = { winner, severa: s.item.fields, google: g.item.fields };
    return winner === 'severa'
      ? { kind: 'update-google', link, severa: s.item, conflict }
      : { kind: 'update-severa', link, google: g.item, conflict };
  }
  if (s.kind === 'changed') return { kind: 'update-google', link, severa: s.item, conflict: null };
  if (g.kind === 'changed') return { kind: 'update-severa', link, google: g.item, conflict: null };
  return null;
}

/** Later change wins by default; a tie (or a missing time) goes to Severa, the system of record. */
export function resolveConflict(
  policy: ConflictPolicy,
  severaUpdated: string | null,
  googleUpdated: string | null,
): Origin {
  if (policy === 'severa-wins') return 'severa';
  if (policy === 'google-wins') return 'google';
  const s = severaUpdated ? Date.parse(severaUpdated) : Number.NaN;
  const g = googleUpdated ? Date.parse(googleUpdated) : Number.NaN;
  return Number.isFinite(g) && (!Number.isFinite(s) || g > s) ? 'google' : 'severa';
}

function decideUnlinked(
  input: PlanInput,
  linkedSevera: Set<string>,
  linkedGoogle: Set<string>,
): Action[] {
  const present = <T>(map: ReadonlyMap<string, Observed<T>>, linked: Set<string>) =>
    [...map.entries()].flatMap(([id, o]) =>
      o.kind === 'present' && !linked.has(id) ? [o.item] : [],
    );
  const newSevera = present(input.severa, linkedSevera).filter((s) => s.eligible);
  const freeGoogle = present(input.google, linkedGoogle);
  const claimed = new Set<string>();
  const actions: Action[] = [];
  // Indexes, so a first run over thousands of items stays linear.
  const byGuid = new Map<string, GoogleItem>();
  const byId = new Map<string, GoogleItem>();
  const bySlot = new Map<string, GoogleItem[]>();
  for (const g of freeGoogle) {
    if (g.severaGuid && !byGuid.has(g.severaGuid)) byGuid.set(g.severaGuid, g);
    byId.set(g.id, g);
    if (g.eligible && g.origin === null) {
      const key = slotKey(g.fields);
      bySlot.set(key, [...(bySlot.get(key) ?? []), g]);
    }
  }
  const free = (g: GoogleItem | undefined) => (g && !claimed.has(g.id) ? g : undefined);

  for (const severa of newSevera) {
    // An attendee's own copy of the meeting the activity was made from is theirs already; if
    // it is gone from their calendar, they left the meeting (or were taken off it).
    const source = severa.sourceEventId ? input.google.get(severa.sourceEventId) : undefined;
    if (!severa.ownedByUser && source?.kind === 'gone') {
      if (severa.participantGuid)
        actions.push({ kind: 'sync-participants', severa, add: [], remove: [input.user] });
      continue;
    }
    // A link written on the event (our copy, or an event an activity was made from) comes first,
    // then the source meeting, our deterministic id, then an identical event made by someone
    // else (`pre.other-sync`).
    const google =
      free(byGuid.get(severa.guid)) ??
      free(severa.ownedByUser ? undefined : byId.get(severa.sourceEventId ?? '')) ??
      free(byId.get(input.copyId(severa.guid))) ??
      (bySlot.get(slotKey(severa.fields)) ?? []).find((g) => !claimed.has(g.id));
    if (!google) {
      if (severa.inWindow)
        actions.push({
          kind: 'create-google',
          severa,
          googleId: input.copyId(severa.guid),
          replaces: null,
        });
      continue;
    }
    claimed.add(google.id);
    const origin: Origin =
      google.origin === 'google' ? 'google' : google.severaGuid ? 'severa' : 'google';
    actions.push({
      kind: 'adopt',
      severa,
      google,
      origin,
      then: adoptionFollowUp(severa, google, input.policy),
    });
  }

  for (const google of freeGoogle) {
    if (claimed.has(google.id) || !google.eligible || !google.inWindow) continue;
    // Our own copies and events already linked to an activity never become new activities.
    if (google.origin !== null || google.severaGuid !== null) continue;
    const participants = invited(google);
    actions.push({
      kind: 'create-severa',
      google,
      replaces: null,
      ...(participants.length > 0 && { participants }),
    });
  }
  return actions;
}

/** The synced attendees who have not declined a meeting the user organises. */
const invited = (google: GoogleItem): string[] =>
  (google.attendees ?? []).filter((a) => !a.declined).map((a) => a.email);

/**
 * A meeting organised by this user in Google, linked to an activity they own: Severa's
 * participants follow its attendees. Attendees the activity lacks are added; declined attendees
 * leave. An attendee taken off the meeting leaves from their own side (their copy is gone), so a
 * participant added in Severa itself is never removed here.
 */
function decideAttendees(input: PlanInput, link: Link): Action | null {
  const g = input.google.get(link.googleId);
  const s = input.severa.get(link.severaGuid);
  if (g?.kind !== 'present' || s?.kind !== 'present' || !g.item.attendees) return null;
  const severa = s.item;
  if (!severa.ownedByUser || !severa.eligible || !g.item.eligible || !severa.participants)
    return null;
  const current = severa.participants;
  const add = invited(g.item).filter((e) => !current.has(e));
  const remove = g.item.attendees.filter((a) => a.declined && current.has(a.email));
  return add.length > 0 || remove.length > 0
    ? { kind: 'sync-participants', severa, add, remove: remove.map((a) => a.email) }
    : null;
}

function adoptionFollowUp(
  severa: SeveraItem,
  google: GoogleItem,
  policy: ConflictPolicy,
): 'update-google' | 'update-severa' | null {
  if (hashFields(severa.fields) === hashFields(google.fields)) return null;
  return resolveConflict(policy, severa.updated, google.updated) === 'severa'
    ? 'update-google'
    : 'update-severa';
}

/**
 * The admin's answer to a held deletion: apply it, or bring the deleted side back instead (the
 * engine observes the surviving side of every held link before asking).
 */
function decideHeld(link: Link & { held: HeldKind }, input: PlanInput): Action | null {
  if (!input.heldDecision) return null;
  if (input.heldDecision === 'confirm') {
    if (link.held === 'delete-google') return { kind: 'delete-google', link };
    const observed = input.severa.get(link.severaGuid);
    const severa = observed?.kind === 'present' ? observed.item : null;
    // Work hours logged since the hold still protect the activity (design D8).
    return severa?.hasHours
      ? { kind: 'restore-google', link, severa }
      : { kind: 'delete-severa', link, severa };
  }
  const surviving =
    link.held === 'delete-google'
      ? input.google.get(link.googleId)
      : input.severa.get(link.severaGuid);
  if (surviving?.kind !== 'present') return { kind: 'relink', link, severa: null, google: null };
  return link.held === 'delete-google'
    ? { kind: 'create-severa', google: surviving.item as GoogleItem, replaces: link }
    : { kind: 'restore-google', link, severa: surviving.item as SeveraItem };
}
