import { randomUUID } from 'node:crypto';
import type {
  Activity,
  ActivityCategory,
  ActivityParticipant,
  ActivityType,
  MemberStatus,
  RecurrenceType,
  SeveraUser,
} from '../../severa/models';
import { localDate, toZonedIso, zonedInstant } from '../../zoned-time';
import { fieldSchema, patchValue } from './document';

/** A refusal with Severa's error envelope fields; the HTTP layer turns it into the answer. */
export class SandboxError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly location?: { type: 'PathParameter' | 'RequestBody' | 'UriParameter'; name: string },
  ) {
    super(message);
  }
}

/** The fields of the document's models beyond those the product reads (all kept, all answered). */
type Extra = Record<string, unknown>;
export type SandboxUser = SeveraUser & Extra;
export type SandboxActivityType = ActivityType & Extra;
export type SandboxActivity = Activity & Extra;
export type SandboxParticipant = ActivityParticipant & Extra;

export type UserSeed = Partial<SeveraUser> & Pick<SeveraUser, 'firstName' | 'lastName'> & Extra;
export type ActivityTypeSeed = Partial<ActivityType> &
  Pick<ActivityType, 'name' | 'category'> &
  Extra;
export type ActivitySeed = Partial<Omit<Activity, 'activityType' | 'ownerUser'>> &
  Pick<Activity, 'name' | 'startDateTime'> & {
    activityType: { guid: string };
    ownerUser: { guid: string };
  } & Extra;

/** The filters of `GET /v1/activities` that the sandbox honours, already parsed. */
export interface ActivityFilter {
  changedSince?: number;
  start?: number;
  end?: number;
  strict?: boolean;
  userGuids?: string[];
  includeAsMember?: boolean;
  activityTypeGuids?: string[];
  categories?: string[];
  recurrenceType?: RecurrenceType;
  closed?: boolean;
}

/** How an all-day activity's times are kept (the document does not say; see README). */
export type AllDayStorage = 'as-sent' | 'organization-midnights';

export interface StoreOptions {
  /** The organisation's zone: every date-time is answered with its offset. */
  organizationTimeZone?: string;
  allDayStorage?: AllDayStorage;
  /** Whether a participant change moves the activity's `lastUpdatedDateTime` (undocumented). */
  participantChangesStamp?: boolean;
}

interface StoredActivity {
  activity: SandboxActivity;
  startMs: number;
  endMs: number;
  updatedMs: number;
}

/** Who the REST API writes as (`createdBy`/`lastUpdatedBy` of what the product writes). */
export const API_WRITER = {
  guid: '5e7e7a00-0000-4000-8000-00000000a910',
  firstName: 'REST',
  lastName: 'API',
  name: 'REST API',
  code: null,
};

const DAY = 86_400_000;
const DATE_TIME_FIELDS = [
  'startDateTime',
  'endDateTime',
  'createdDateTime',
  'lastUpdatedDateTime',
  'lastLogin',
  'birthDate',
];

function instant(field: string, value: unknown): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms))
    throw new SandboxError(
      400,
      'InvalidParameter',
      `The value '${String(value)}' is not valid for ${field}.`,
      { type: 'RequestBody', name: field },
    );
  return ms;
}

const fullName = (u: SeveraUser) => `${u.firstName} ${u.lastName}`.trim();
const summaryOf = (u: SandboxUser) => ({
  guid: u.guid,
  firstName: u.firstName,
  lastName: u.lastName,
  name: fullName(u),
  code: (u.code as string | null | undefined) ?? null,
});
const notFound = (what: string, guid: string) =>
  new SandboxError(404, 'InvalidParameter', `${what} '${guid}' was not found.`);

/**
 * The fake Severa's data and its rules: the document's full models (nulls included), names and
 * categories filled from references, `lastUpdatedDateTime` maintained (strictly increasing, so
 * `changedSince ≥` is exact), the overlap rule of the date filters, recurring activities as
 * series, occurrences and exceptions, participants indexed so that a per-user listing of a large
 * company stays cheap. Date-times are kept as sent and answered in the organisation's zone.
 */
export class SeveraSandboxStore {
  readonly users = new Map<string, SandboxUser>();
  readonly activityTypes = new Map<string, SandboxActivityType>();
  private readonly activities = new Map<string, StoredActivity>();
  /** Participant lists of activities that have their own (series masters, plain activities, exceptions). */
  private readonly participants = new Map<string, SandboxParticipant[]>();
  /** Series master guid → its occurrences and exceptions. */
  private readonly children = new Map<string, Set<string>>();
  /** user guid → guids of the activities they own or take part in. */
  private readonly byUser = new Map<string, Set<string>>();
  /** Rows answered with `guid: null` (the document allows it), by their internal guid. */
  readonly answeredWithoutGuid = new Set<string>();
  readonly organizationTimeZone: string;
  readonly allDayStorage: AllDayStorage;
  readonly participantChangesStamp: boolean;
  private lastStamp = 0;

  constructor(options: StoreOptions = {}) {
    this.organizationTimeZone = options.organizationTimeZone ?? 'Europe/Helsinki';
    this.allDayStorage = options.allDayStorage ?? 'as-sent';
    this.participantChangesStamp = options.participantChangesStamp ?? true;
  }

  /** Now, strictly later than any earlier stamp. */
  stamp(): { iso: string; ms: number } {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return { iso: new Date(this.lastStamp).toISOString(), ms: this.lastStamp };
  }

  // ── answers: what the API sends, date-times in the organisation's zone ──

  /** A date-time as Severa answers it: the organisation's offset, milliseconds when there are any. */
  zoned(value: string): string {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) return value;
    const text = toZonedIso(ms, this.organizationTimeZone);
    const fraction = ms % 1000;
    return fraction === 0
      ? text
      : text.replace(/([+-]\d\d:\d\d)$/, `.${String(fraction).padStart(3, '0')}$1`);
  }

  private answer<T extends { guid: string | null }>(row: T): T {
    const out = structuredClone(row) as Record<string, unknown>;
    for (const field of DATE_TIME_FIELDS)
      if (typeof out[field] === 'string') out[field] = this.zoned(out[field] as string);
    const recurrence = out.recurrence as Record<string, unknown> | null | undefined;
    if (recurrence) {
      if (typeof recurrence.lastOccurrenceDateTime === 'string')
        recurrence.lastOccurrenceDateTime = this.zoned(recurrence.lastOccurrenceDateTime);
      if (Array.isArray(recurrence.exceptions))
        recurrence.exceptions = recurrence.exceptions.map((e) => this.zoned(String(e)));
    }
    if (row.guid && this.answeredWithoutGuid.has(row.guid)) out.guid = null;
    return out as T;
  }

  answerActivity = (a: SandboxActivity) => this.answer(a);
  answerUser = (u: SandboxUser) => this.answer(u);
  answerActivityType = (t: SandboxActivityType) => this.answer(t);
  answerParticipant = (p: SandboxParticipant) => this.answer(p);

  // ── users ──
  putUser(seed: UserSeed): SandboxUser {
    const now = this.stamp().iso;
    const user: SandboxUser = {
      address: null,
      bankAccountNumber: null,
      birthDate: null,
      businessUnit: null,
      city: null,
      code: null,
      country: null,
      countryRegion: null,
      createdBy: null,
      createdDateTime: now,
      culture: null,
      defaultActivityType: null,
      email: null,
      isActive: true,
      keywords: [],
      language: null,
      lastLogin: null,
      lastUpdatedBy: null,
      lastUpdatedDateTime: now,
      notes: null,
      permissionProfile: null,
      phone: null,
      postalCode: null,
      salutation: null,
      satisfaction: null,
      socialSecurityNumber: null,
      superiorUser: null,
      timezone: null,
      title: null,
      userType: 'FullUser',
      workContract: null,
      workType: null,
      ...seed,
      guid: seed.guid ?? randomUUID(),
    };
    this.users.set(user.guid, user);
    return user;
  }

  editUser(guid: string, patch: Partial<SandboxUser>): SandboxUser {
    const user = this.userOrThrow(guid);
    Object.assign(user, patch, { guid, lastUpdatedDateTime: this.stamp().iso });
    return user;
  }

  deleteUser(guid: string): boolean {
    return this.users.delete(guid);
  }

  private userOrThrow(guid: string, field = 'guid'): SandboxUser {
    const user = this.users.get(guid);
    if (!user)
      throw new SandboxError(400, 'InvalidParameter', `User '${guid}' was not found.`, {
        type: 'RequestBody',
        name: field,
      });
    return user;
  }

  // ── activity types ──
  putActivityType(seed: ActivityTypeSeed): SandboxActivityType {
    const now = this.stamp().iso;
    const type: SandboxActivityType = {
      isActive: true,
      isDefault: false,
      code: null,
      isPaidLeave: seed.category === 'Absences' ? true : null,
      createdBy: null,
      createdDateTime: now,
      lastUpdatedBy: null,
      ...seed,
      guid: seed.guid ?? randomUUID(),
      lastUpdatedDateTime: now,
    };
    this.activityTypes.set(type.guid, type);
    return type;
  }

  editActivityType(guid: string, patch: Partial<SandboxActivityType>): SandboxActivityType {
    const type = this.activityTypes.get(guid);
    if (!type) throw notFound('Activity type', guid);
    Object.assign(type, patch, { guid, lastUpdatedDateTime: this.stamp().iso });
    return type;
  }

  deleteActivityType(guid: string): boolean {
    return this.activityTypes.delete(guid);
  }

  private typeRef(guid: string): Activity['activityType'] {
    const type = this.activityTypes.get(guid);
    if (!type)
      throw new SandboxError(400, 'InvalidParameter', `Activity type '${guid}' was not found.`, {
        type: 'RequestBody',
        name: 'activityType.guid',
      });
    return { guid, name: type.name, category: type.category };
  }

  private ownerRef(guid: string): Activity['ownerUser'] & Extra {
    const user = this.userOrThrow(guid, 'ownerUser.guid');
    const code = (user.code as string | null | undefined) ?? null;
    // The document's ActivityOwnerModel: code and keywords may be null.
    return { guid, name: fullName(user), keywords: [], code } as Activity['ownerUser'] & Extra;
  }

  // ── activities ──
  listActivities(): SandboxActivity[] {
    return [...this.activities.values()].map((s) => s.activity);
  }

  getActivity(guid: string): SandboxActivity | undefined {
    return this.activities.get(guid)?.activity;
  }

  /** A new activity; `writer` is who Severa records as its creator (the owner for seeds). */
  putActivity(seed: ActivitySeed, writer: Extra | null = null): SandboxActivity {
    if (!seed.name)
      throw new SandboxError(400, 'InvalidParameter', 'The Name field is required.', {
        type: 'RequestBody',
        name: 'name',
      });
    const now = this.stamp();
    const activityType = this.typeRef(seed.activityType?.guid);
    const owner = this.ownerRef(seed.ownerUser?.guid);
    const by = writer ?? summaryOf(this.userOrThrow(owner.guid));
    const activity: SandboxActivity = {
      endDateTime: null,
      isAllDay: false,
      hasDuration: true,
      isClosed: false,
      isUnassigned: false,
      hasHours: false,
      notes: null,
      location: null,
      customer: null,
      phase: null,
      projectTaskStatus: null,
      recurrence: null,
      recurrenceRule: null,
      recurrenceType: 'None',
      recurrenceParentActivityGuid: null,
      createdBy: by,
      createdDateTime: now.iso,
      ...seed,
      guid: seed.guid ?? randomUUID(),
      activityType,
      ownerUser: owner,
      lastUpdatedBy: by,
      lastUpdatedDateTime: now.iso,
    };
    const parent = activity.recurrenceParentActivityGuid;
    if (parent) {
      if (!this.activities.has(parent)) throw notFound('Activity', parent);
      let set = this.children.get(parent);
      if (!set) this.children.set(parent, (set = new Set()));
      set.add(activity.guid);
    }
    this.store(activity, now.ms);
    return activity;
  }

  /** Changes fields as a JSON Patch would (names from references, times checked, stamp moved on). */
  editActivity(
    guid: string,
    patch: Partial<ActivitySeed>,
    writer: Extra | null = null,
  ): SandboxActivity {
    const stored = this.activities.get(guid);
    if (!stored) throw notFound('Activity', guid);
    const next = { ...stored.activity, ...patch, guid } as SandboxActivity;
    if (patch.activityType) next.activityType = this.typeRef(patch.activityType.guid);
    if (patch.ownerUser) next.ownerUser = this.ownerRef(patch.ownerUser.guid);
    if (!next.name)
      throw new SandboxError(400, 'InvalidParameter', 'The Name field is required.', {
        type: 'RequestBody',
        name: 'name',
      });
    const now = this.stamp();
    next.lastUpdatedDateTime = now.iso;
    if (writer) next.lastUpdatedBy = writer;
    this.unindex(stored.activity);
    this.store(next, now.ms);
    return next;
  }

  /** Replaces an activity's fields as they are, references included (seeds, the nulls mode). */
  overwriteActivity(guid: string, next: SandboxActivity): void {
    const stored = this.activities.get(guid);
    if (!stored) throw notFound('Activity', guid);
    this.unindex(stored.activity);
    this.store({ ...next, guid }, this.stamp().ms);
  }

  /** Every participant record of the activities that have their own list. */
  allParticipants(): SandboxParticipant[] {
    return [...this.participants.values()].flat();
  }

  /**
   * Applies a JSON Patch array as the document types it: `Add`/`Replace`/`Remove`, a path into
   * `ActivityModel` that is not read-only, and a string value that reads as the field's type.
   * An occurrence that is patched becomes an exception of its series (the series is untouched).
   */
  patchActivity(guid: string, ops: unknown): SandboxActivity {
    const current = this.activities.get(guid)?.activity;
    if (!current) throw notFound('Activity', guid);
    if (!Array.isArray(ops))
      throw new SandboxError(400, 'InvalidRequest', 'The request body must be a JSON Patch array.');
    const patch: Record<string, unknown> = {};
    for (const raw of ops as { op?: unknown; path?: unknown; value?: unknown }[]) {
      const op = String(raw?.op ?? '');
      const path = String(raw?.path ?? '');
      const refuse = (why: string) =>
        new SandboxError(400, 'InvalidParameter', `The patch operation '${op} ${path}' ${why}.`, {
          type: 'RequestBody',
          name: path,
        });
      const field = fieldSchema('ActivityModel', path);
      if (!['Add', 'Replace', 'Remove'].includes(op)) throw refuse('is not supported');
      if (!field) throw refuse('names no field of the activity');
      if (field.readOnly) throw refuse('changes a read-only field');
      const text = op === 'Remove' ? null : (raw.value as string | null | undefined);
      const read = patchValue(field.schema, text ?? null);
      if (!read.ok) throw refuse(`has a value that is not valid for the field`);
      const [name, sub] = path.replace(/^\//, '').split('/') as [string, string | undefined];
      patch[name] = sub ? { ...(patch[name] as object), [sub]: read.value } : read.value;
    }
    if (current.recurrenceType === 'Occurrence') {
      patch.recurrenceType = 'Exception';
      this.addException(current);
    }
    return this.editActivity(guid, patch as Partial<ActivitySeed>, API_WRITER);
  }

  /**
   * Deletes an activity. A series master goes with its occurrences and exceptions; an
   * occurrence goes alone, as an exception date of its series.
   */
  deleteActivity(guid: string): boolean {
    const stored = this.activities.get(guid);
    if (!stored) return false;
    for (const child of this.children.get(guid) ?? []) this.deleteActivity(child);
    this.children.delete(guid);
    const parent = stored.activity.recurrenceParentActivityGuid;
    if (parent) {
      this.addException(stored.activity);
      this.children.get(parent)?.delete(guid);
    }
    this.unindex(stored.activity);
    this.activities.delete(guid);
    this.participants.delete(guid);
    return true;
  }

  /** Records an occurrence's start among its series' exceptions. */
  private addException(occurrence: SandboxActivity) {
    const master = this.activities.get(occurrence.recurrenceParentActivityGuid ?? '');
    const recurrence = master?.activity.recurrence as { exceptions?: string[] } | null | undefined;
    if (!master || !recurrence) return;
    recurrence.exceptions = [...(recurrence.exceptions ?? []), occurrence.startDateTime];
    this.touch(master);
  }

  /**
   * All-day times as Severa keeps them (the document does not say; README): as sent, or snapped
   * to the organisation's midnights (first day 00:00 to last day 23:59:59).
   */
  private allDayTimes(activity: SandboxActivity) {
    if (!activity.isAllDay || this.allDayStorage === 'as-sent') return;
    const zone = this.organizationTimeZone;
    const nearestMidnight = (ms: number) =>
      zonedInstant(localDate(ms + 12 * 3_600_000, zone), '00:00:00', zone);
    const start = nearestMidnight(Date.parse(activity.startDateTime));
    activity.startDateTime = new Date(start).toISOString();
    if (activity.endDateTime) {
      const end = Math.max(start + DAY, nearestMidnight(Date.parse(activity.endDateTime) + 1000));
      activity.endDateTime = new Date(end - 1000).toISOString();
    }
  }

  private store(activity: SandboxActivity, updatedMs: number) {
    this.allDayTimes(activity);
    const startMs = instant('startDateTime', activity.startDateTime);
    const endMs = activity.endDateTime ? instant('endDateTime', activity.endDateTime) : startMs;
    if (endMs < startMs)
      throw new SandboxError(
        400,
        'InvalidParameter',
        'The end date must not be before the start date.',
        { type: 'RequestBody', name: 'endDateTime' },
      );
    this.activities.set(activity.guid, { activity, startMs, endMs, updatedMs });
    this.index(activity);
  }

  /** The participants of an activity: its own list, or its series' for an occurrence. */
  private effectiveParticipants(activity: SandboxActivity): SandboxParticipant[] {
    const own = this.participants.get(activity.guid);
    if (own || activity.recurrenceType !== 'Occurrence') return own ?? [];
    return this.participants.get(activity.recurrenceParentActivityGuid ?? '') ?? [];
  }

  private index(activity: SandboxActivity) {
    const add = (user: string) => {
      let set = this.byUser.get(user);
      if (!set) this.byUser.set(user, (set = new Set()));
      set.add(activity.guid);
    };
    add(activity.ownerUser.guid);
    for (const p of this.effectiveParticipants(activity)) add(p.participantGuid);
  }

  private unindex(activity: SandboxActivity) {
    this.byUser.get(activity.ownerUser.guid)?.delete(activity.guid);
    for (const p of this.effectiveParticipants(activity))
      this.byUser.get(p.participantGuid)?.delete(activity.guid);
  }

  /** Re-indexes an activity and, for a series, its occurrences, around a participant change. */
  private reindexed(guid: string, change: () => void) {
    const affected = [guid, ...(this.children.get(guid) ?? [])]
      .map((g) => this.activities.get(g)?.activity)
      .filter((a): a is SandboxActivity => !!a);
    for (const a of affected) this.unindex(a);
    change();
    for (const a of affected) this.index(a);
  }

  /** The listing's rows in a stable order (start, then guid), as the cursor pages them. */
  queryActivities(f: ActivityFilter): SandboxActivity[] {
    let candidates: Iterable<StoredActivity> = this.activities.values();
    if (f.userGuids) {
      const guids = new Set<string>();
      for (const user of f.userGuids) for (const g of this.byUser.get(user) ?? []) guids.add(g);
      candidates = [...guids]
        .map((g) => this.activities.get(g))
        .filter((s): s is StoredActivity => !!s);
    }
    const users = f.userGuids && new Set(f.userGuids);
    const out: StoredActivity[] = [];
    for (const s of candidates) {
      const a = s.activity;
      if (
        users &&
        !users.has(a.ownerUser.guid) &&
        !(
          f.includeAsMember &&
          this.effectiveParticipants(a).some((p) => users.has(p.participantGuid))
        )
      )
        continue;
      if (f.changedSince !== undefined && s.updatedMs < f.changedSince) continue;
      if (f.strict) {
        if (f.start !== undefined && s.startMs < f.start) continue;
        if (f.end !== undefined && s.endMs > f.end) continue;
      } else {
        // Overlap: ends at or after the window's start and starts at or before its end.
        if (f.start !== undefined && s.endMs < f.start) continue;
        if (f.end !== undefined && s.startMs > f.end) continue;
      }
      if (f.activityTypeGuids && !f.activityTypeGuids.includes(a.activityType.guid)) continue;
      if (f.categories && !f.categories.includes(a.activityType.category as ActivityCategory))
        continue;
      // Without a recurrenceType filter Severa leaves out the series masters.
      if (f.recurrenceType ? a.recurrenceType !== f.recurrenceType : a.recurrenceType === 'Series')
        continue;
      if (f.closed !== undefined && !!a.isClosed !== f.closed) continue;
      out.push(s);
    }
    out.sort((x, y) => x.startMs - y.startMs || (x.activity.guid < y.activity.guid ? -1 : 1));
    return out.map((s) => s.activity);
  }

  // ── participants ──
  listParticipants(activityGuid: string): SandboxParticipant[] {
    const activity = this.activities.get(activityGuid)?.activity;
    if (!activity) throw notFound('Activity', activityGuid);
    return this.effectiveParticipants(activity).map((p) => ({ ...p, activityGuid }));
  }

  /** An occurrence whose participants change gets its own list: it becomes an exception. */
  private ownParticipants(stored: StoredActivity): SandboxParticipant[] {
    const a = stored.activity;
    let own = this.participants.get(a.guid);
    if (!own) {
      own = this.effectiveParticipants(a).map((p) => ({ ...p, activityGuid: a.guid }));
      this.participants.set(a.guid, own);
      if (a.recurrenceType === 'Occurrence') {
        stored.activity = { ...a, recurrenceType: 'Exception' };
        this.addException(a);
      }
    }
    return own;
  }

  /** A new participant changes the activity for the engine, so its stamp moves on too. */
  addParticipant(
    activityGuid: string,
    userGuid: string,
    status: MemberStatus = 'Accepted',
  ): SandboxParticipant {
    const stored = this.activities.get(activityGuid);
    if (!stored)
      throw new SandboxError(400, 'InvalidParameter', `Activity '${activityGuid}' was not found.`, {
        type: 'RequestBody',
        name: 'activityGuid',
      });
    const user = this.userOrThrow(userGuid, 'participantGuid');
    if (this.effectiveParticipants(stored.activity).some((p) => p.participantGuid === userGuid)) {
      throw new SandboxError(
        400,
        'InvalidOperation',
        `User '${userGuid}' already takes part in activity '${activityGuid}'.`,
      );
    }
    const participant: SandboxParticipant = {
      guid: randomUUID(),
      activityGuid,
      participantGuid: userGuid,
      type: 'User',
      status,
      name: fullName(user),
      email: user.email,
      phone: (user.phone as string | null | undefined) ?? null,
      mobilePhone: null,
      isActive: user.isActive,
    };
    this.reindexed(activityGuid, () => {
      this.ownParticipants(stored).push(participant);
    });
    if (this.participantChangesStamp) this.touch(stored);
    return participant;
  }

  /**
   * Removes a participant record. For an occurrence this makes an exception of it (the document:
   * "this will create an exception to the recurring activity"); the series keeps the participant.
   */
  removeParticipant(activityGuid: string, participantGuid: string): boolean {
    const stored = this.activities.get(activityGuid);
    if (!stored) return false;
    if (!this.effectiveParticipants(stored.activity).some((p) => p.guid === participantGuid))
      return false;
    this.reindexed(activityGuid, () => {
      const own = this.ownParticipants(stored);
      this.participants.set(
        activityGuid,
        own.filter((p) => p.guid !== participantGuid),
      );
    });
    if (this.participantChangesStamp) this.touch(stored);
    return true;
  }

  /** Sets a participant record's fields directly (the demo's nulls, a status change). */
  editParticipant(
    activityGuid: string,
    participantGuid: string,
    patch: Partial<SandboxParticipant>,
  ): SandboxParticipant {
    const stored = this.activities.get(activityGuid);
    const record = stored && this.ownParticipants(stored).find((p) => p.guid === participantGuid);
    if (!stored || !record) throw notFound('Participant', participantGuid);
    Object.assign(record, patch);
    this.touch(stored);
    return record;
  }

  private touch(stored: StoredActivity) {
    const now = this.stamp();
    stored.activity = { ...stored.activity, lastUpdatedDateTime: now.iso };
    stored.updatedMs = now.ms;
  }
}
