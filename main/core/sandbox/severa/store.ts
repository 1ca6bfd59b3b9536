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

export type UserSeed = Partial<SeveraUser> & Pick<SeveraUser, 'firstName' | 'lastName'>;
export type ActivityTypeSeed = Partial<ActivityType> & Pick<ActivityType, 'name' | 'category'>;
export type ActivitySeed = Partial<Omit<Activity, 'activityType' | 'ownerUser'>> &
  Pick<Activity, 'name' | 'startDateTime'> & {
    activityType: { guid: string };
    ownerUser: { guid: string };
  };

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

interface StoredActivity {
  activity: Activity;
  startMs: number;
  endMs: number;
  updatedMs: number;
}

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

/**
 * The fake Severa's data and its rules: names and categories filled from references,
 * `lastUpdatedDateTime` maintained (strictly increasing, so `changedSince ≥` is exact), the
 * overlap rule of the date filters, participants indexed so that a per-user listing of a large
 * company stays cheap.
 */
export class SeveraSandboxStore {
  readonly users = new Map<string, SeveraUser>();
  readonly activityTypes = new Map<string, ActivityType & { lastUpdatedDateTime: string }>();
  private readonly activities = new Map<string, StoredActivity>();
  private readonly participants = new Map<string, ActivityParticipant[]>();
  /** user guid → guids of the activities they own or take part in. */
  private readonly byUser = new Map<string, Set<string>>();
  private lastStamp = 0;

  /** Now, strictly later than any earlier stamp. */
  stamp(): { iso: string; ms: number } {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return { iso: new Date(this.lastStamp).toISOString(), ms: this.lastStamp };
  }

  // ── users ──
  putUser(seed: UserSeed): SeveraUser {
    const user: SeveraUser = {
      email: null,
      isActive: true,
      ...seed,
      guid: seed.guid ?? randomUUID(),
    };
    this.users.set(user.guid, user);
    return user;
  }

  editUser(guid: string, patch: Partial<SeveraUser>): SeveraUser {
    const user = this.userOrThrow(guid);
    Object.assign(user, patch, { guid });
    return user;
  }

  deleteUser(guid: string): boolean {
    return this.users.delete(guid);
  }

  private userOrThrow(guid: string, field = 'guid'): SeveraUser {
    const user = this.users.get(guid);
    if (!user)
      throw new SandboxError(400, 'InvalidParameter', `User '${guid}' was not found.`, {
        type: 'RequestBody',
        name: field,
      });
    return user;
  }

  // ── activity types ──
  putActivityType(seed: ActivityTypeSeed): ActivityType {
    const type = {
      isActive: true,
      isDefault: false,
      code: null,
      ...seed,
      guid: seed.guid ?? randomUUID(),
      lastUpdatedDateTime: this.stamp().iso,
    };
    this.activityTypes.set(type.guid, type);
    return type;
  }

  editActivityType(guid: string, patch: Partial<ActivityType>): ActivityType {
    const type = this.activityTypes.get(guid);
    if (!type)
      throw new SandboxError(404, 'InvalidParameter', `Activity type '${guid}' was not found.`);
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

  private ownerRef(guid: string): Activity['ownerUser'] {
    const user = this.userOrThrow(guid, 'ownerUser.guid');
    return { guid, name: fullName(user) };
  }

  // ── activities ──
  listActivities(): Activity[] {
    return [...this.activities.values()].map((s) => s.activity);
  }

  getActivity(guid: string): Activity | undefined {
    return this.activities.get(guid)?.activity;
  }

  putActivity(seed: ActivitySeed): Activity {
    if (!seed.name)
      throw new SandboxError(400, 'InvalidParameter', 'The Name field is required.', {
        type: 'RequestBody',
        name: 'name',
      });
    const now = this.stamp();
    const activity: Activity = {
      endDateTime: null,
      isAllDay: false,
      hasDuration: true,
      isClosed: false,
      hasHours: false,
      notes: null,
      location: null,
      recurrenceType: 'None',
      recurrenceParentActivityGuid: null,
      createdDateTime: now.iso,
      ...seed,
      guid: seed.guid ?? randomUUID(),
      activityType: this.typeRef(seed.activityType?.guid),
      ownerUser: this.ownerRef(seed.ownerUser?.guid),
      lastUpdatedDateTime: now.iso,
    };
    this.store(activity, now.ms);
    return activity;
  }

  /** Changes fields as a JSON Patch would (names from references, times checked, stamp moved on). */
  editActivity(guid: string, patch: Partial<ActivitySeed>): Activity {
    const stored = this.activities.get(guid);
    if (!stored)
      throw new SandboxError(404, 'InvalidParameter', `Activity '${guid}' was not found.`);
    const next: Activity = { ...stored.activity, ...patch, guid } as Activity;
    if (patch.activityType) next.activityType = this.typeRef(patch.activityType.guid);
    if (patch.ownerUser) next.ownerUser = this.ownerRef(patch.ownerUser.guid);
    if (!next.name)
      throw new SandboxError(400, 'InvalidParameter', 'The Name field is required.', {
        type: 'RequestBody',
        name: 'name',
      });
    const now = this.stamp();
    next.lastUpdatedDateTime = now.iso;
    this.unindex(stored.activity);
    this.store(next, now.ms);
    return next;
  }

  /**
   * Applies a JSON Patch array as the document types it: `Add`/`Replace`/`Remove`, a path into
   * `ActivityModel` that is not read-only, and a string value that reads as the field's type.
   */
  patchActivity(guid: string, ops: unknown): Activity {
    if (!this.activities.has(guid))
      throw new SandboxError(404, 'InvalidParameter', `Activity '${guid}' was not found.`);
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
    return this.editActivity(guid, patch as Partial<ActivitySeed>);
  }

  deleteActivity(guid: string): boolean {
    const stored = this.activities.get(guid);
    if (!stored) return false;
    this.unindex(stored.activity);
    this.activities.delete(guid);
    this.participants.delete(guid);
    return true;
  }

  private store(activity: Activity, updatedMs: number) {
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
    this.index(activity.ownerUser.guid, activity.guid);
    for (const p of this.participants.get(activity.guid) ?? [])
      this.index(p.participantGuid, activity.guid);
  }

  private index(userGuid: string, activityGuid: string) {
    let set = this.byUser.get(userGuid);
    if (!set) this.byUser.set(userGuid, (set = new Set()));
    set.add(activityGuid);
  }

  private unindex(activity: Activity) {
    this.byUser.get(activity.ownerUser.guid)?.delete(activity.guid);
    for (const p of this.participants.get(activity.guid) ?? [])
      this.byUser.get(p.participantGuid)?.delete(activity.guid);
  }

  /** The listing's rows in a stable order (start, then guid), as the cursor pages them. */
  queryActivities(f: ActivityFilter): Activity[] {
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
          this.participants.get(a.guid)?.some((p) => users.has(p.participantGuid))
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
  listParticipants(activityGuid: string): ActivityParticipant[] {
    if (!this.activities.has(activityGuid))
      throw new SandboxError(404, 'InvalidParameter', `Activity '${activityGuid}' was not found.`);
    return this.participants.get(activityGuid) ?? [];
  }

  /** A new participant changes the activity for the engine, so its stamp moves on too. */
  addParticipant(
    activityGuid: string,
    userGuid: string,
    status: MemberStatus = 'Accepted',
  ): ActivityParticipant {
    const stored = this.activities.get(activityGuid);
    if (!stored)
      throw new SandboxError(400, 'InvalidParameter', `Activity '${activityGuid}' was not found.`, {
        type: 'RequestBody',
        name: 'activityGuid',
      });
    const user = this.userOrThrow(userGuid, 'participantGuid');
    const list = this.participants.get(activityGuid) ?? [];
    if (list.some((p) => p.participantGuid === userGuid)) {
      throw new SandboxError(
        400,
        'InvalidOperation',
        `User '${userGuid}' already takes part in activity '${activityGuid}'.`,
      );
    }
    const participant: ActivityParticipant = {
      guid: randomUUID(),
      activityGuid,
      participantGuid: userGuid,
      type: 'User',
      status,
      name: fullName(user),
      email: user.email,
    };
    this.participants.set(activityGuid, [...list, participant]);
    this.index(userGuid, activityGuid);
    this.touch(stored);
    return participant;
  }

  removeParticipant(activityGuid: string, participantGuid: string): boolean {
    const stored = this.activities.get(activityGuid);
    const list = this.participants.get(activityGuid) ?? [];
    const gone = list.find((p) => p.guid === participantGuid);
    if (!stored || !gone) return false;
    this.participants.set(
      activityGuid,
      list.filter((p) => p !== gone),
    );
    if (stored.activity.ownerUser.guid !== gone.participantGuid)
      this.byUser.get(gone.participantGuid)?.delete(activityGuid);
    this.touch(stored);
    return true;
  }

  private touch(stored: StoredActivity) {
    const now = this.stamp();
    stored.activity = { ...stored.activity, lastUpdatedDateTime: now.iso };
    stored.updatedMs = now.ms;
  }
}
