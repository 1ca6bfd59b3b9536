import { randomUUID } from 'node:crypto';
import { AppError } from '../../main/core/errors';
import { localized } from '../../main/core/localized';
import type {
  EventListing,
  GoogleCalendars,
  GoogleEvent,
  ListEventsOptions,
  UserCalendar,
} from '../../main/core/google/types';
import type {
  Activity,
  ActivityInput,
  ActivityParticipant,
  ActivityQuery,
  ActivityType,
  PatchOperation,
  SeveraUser,
} from '../../main/core/severa/models';
import type { SeveraApi } from '../../main/core/severa/types';

/**
 * In-memory fakes of the two ports (UserCalendar/GoogleCalendars, SeveraApi) for the engine's
 * unit tests, in the spirit of vdirsyncer's memory storage: Google keeps deleted ids (409 on
 * re-insert), sync tokens expire on demand (410), Severa has no deletion feed. Every call is
 * counted, so tests can assert the engine's cost.
 */
export class Clock {
  constructor(public ms = Date.parse('2026-11-25T10:00:00Z')) {}
  now = () => new Date(this.ms);
  tick(ms = 60_000): void {
    this.ms += ms;
  }
  iso = () => new Date(this.ms).toISOString();
}

const apiError = (status: number, reason: string, message: string) =>
  Object.assign(new Error(message), { status, reason, googleMessage: message });

interface StoredEvent {
  event: GoogleEvent;
  seq: number;
}

export class FakeCalendar implements UserCalendar {
  readonly events = new Map<string, StoredEvent>();
  calls = 0;
  /** Makes the next incremental listing answer 410. */
  expireToken = false;
  /** Makes every listing return nothing (the empty-listing brake). */
  listNothing = false;
  private seq = 0;

  constructor(
    readonly user: string,
    private readonly clock: Clock,
    private readonly zone = 'Europe/Helsinki',
  ) {}

  async timeZone(): Promise<string> {
    this.calls++;
    return this.zone;
  }

  private store(event: GoogleEvent): GoogleEvent {
    const stored = { ...event, updated: this.clock.iso(), etag: `"${++this.seq}"` };
    this.events.set(stored.id as string, { event: stored, seq: this.seq });
    return structuredClone(stored);
  }

  async listEvents(options: ListEventsOptions): Promise<EventListing> {
    this.calls++;
    const token = `t${this.seq}`;
    if (this.listNothing) return { events: [], nextSyncToken: token };
    if (options.syncToken) {
      if (this.expireToken) {
        this.expireToken = false;
        throw apiError(
          410,
          'fullSyncRequired',
          'Sync token is no longer valid, a full sync is required.',
        );
      }
      const since = Number(options.syncToken.slice(1));
      const events = [...this.events.values()]
        .filter((s) => s.seq > since)
        .map((s) => structuredClone(s.event));
      return { events, nextSyncToken: token };
    }
    const min = options.timeMin ? Date.parse(options.timeMin) : -Infinity;
    const max = options.timeMax ? Date.parse(options.timeMax) : Infinity;
    const events = [...this.events.values()]
      .map((s) => s.event)
      .filter((e) => e.status !== 'cancelled')
      .filter((e) => {
        const start = Date.parse(e.start?.dateTime ?? e.start?.date ?? '');
        const end = Date.parse(e.end?.dateTime ?? e.end?.date ?? '');
        return end >= min && start < max;
      })
      .map((e) => structuredClone(e));
    return { events, nextSyncToken: token };
  }

  async getEvent(id: string): Promise<GoogleEvent | null> {
    this.calls++;
    const s = this.events.get(id);
    return s ? structuredClone(s.event) : null;
  }

  async insertEvent(event: GoogleEvent): Promise<GoogleEvent> {
    this.calls++;
    const id = event.id ?? randomUUID().replace(/-/g, '');
    if (!/^[a-v0-9]{5,1024}$/.test(id))
      throw apiError(400, 'invalid', 'Invalid resource id value.');
    if (this.events.has(id))
      throw apiError(409, 'duplicate', 'The requested identifier already exists.');
    return this.store({ ...event, id, status: event.status ?? 'confirmed' });
  }

  async updateEvent(id: string, event: GoogleEvent): Promise<GoogleEvent> {
    this.calls++;
    if (!this.events.has(id)) throw apiError(404, 'notFound', 'Not Found');
    return this.store({ ...event, id });
  }

  async patchEvent(id: string, patch: GoogleEvent): Promise<GoogleEvent> {
    this.calls++;
    const current = this.events.get(id);
    if (!current) throw apiError(404, 'notFound', 'Not Found');
    const privateProps = {
      ...current.event.extendedProperties?.private,
      ...patch.extendedProperties?.private,
    };
    return this.store({
      ...current.event,
      ...patch,
      id,
      extendedProperties: { private: privateProps },
    });
  }

  async deleteEvent(id: string): Promise<void> {
    this.calls++;
    const current = this.events.get(id);
    if (!current || current.event.status === 'cancelled') return;
    this.store({ ...current.event, status: 'cancelled' });
  }

  /** What the user sees: the live events. */
  live(): GoogleEvent[] {
    return [...this.events.values()].map((s) => s.event).filter((e) => e.status !== 'cancelled');
  }

  /** A change made by the user in Google's UI. */
  userEdit(id: string, patch: GoogleEvent): GoogleEvent {
    const current = this.events.get(id);
    if (!current) throw new Error(`no event ${id}`);
    return this.store({ ...current.event, ...patch });
  }

  userCreate(event: GoogleEvent): GoogleEvent {
    return this.store({
      status: 'confirmed',
      ...event,
      id: event.id ?? randomUUID().replace(/-/g, ''),
    });
  }

  userDelete(id: string): void {
    const current = this.events.get(id);
    if (current) this.store({ ...current.event, status: 'cancelled' });
  }
}

export class FakeGoogle implements GoogleCalendars {
  readonly calendars = new Map<string, FakeCalendar>();
  constructor(
    private readonly clock: Clock,
    users: string[],
  ) {
    for (const u of users) this.calendars.set(u, new FakeCalendar(u, clock));
  }

  forUser(email: string): UserCalendar {
    const calendar = this.calendars.get(email);
    if (!calendar) {
      const error = new AppError(
        'google.token.invalid_grant',
        'pre.same-email',
        localized('Ei käyttäjää', `Invalid email or User ID: ${email}`),
      );
      const failing = (): never => {
        throw error;
      };
      return {
        user: email,
        timeZone: async () => failing(),
        listEvents: async () => failing(),
        getEvent: async () => failing(),
        insertEvent: async () => failing(),
        updateEvent: async () => failing(),
        patchEvent: async () => failing(),
        deleteEvent: async () => failing(),
      };
    }
    return calendar;
  }

  cal(email: string): FakeCalendar {
    const c = this.calendars.get(email);
    if (!c) throw new Error(`no calendar ${email}`);
    return c;
  }

  totalCalls(): number {
    return [...this.calendars.values()].reduce((n, c) => n + c.calls, 0);
  }
}

export const TYPES: ActivityType[] = [
  {
    guid: 'type-meeting',
    name: 'Meeting',
    category: 'CalendarEntry',
    isActive: true,
    isDefault: true,
  },
  { guid: 'type-personal', name: 'Personal', category: 'Personal', isActive: true },
  { guid: 'type-absence', name: 'Absence', category: 'Absences', isActive: true },
  { guid: 'type-task', name: 'Task', category: 'Task', isActive: true },
];

export class FakeSevera implements SeveraApi {
  readonly activities = new Map<string, Activity>();
  readonly participants = new Map<string, ActivityParticipant[]>();
  calls = 0;
  listNothing = false;

  constructor(
    private readonly clock: Clock,
    readonly users: SeveraUser[],
    readonly types: ActivityType[] = TYPES,
  ) {}

  private stamp(a: Activity): Activity {
    const type = this.types.find((t) => t.guid === a.activityType.guid);
    const stored = {
      ...a,
      activityType: { ...a.activityType, category: type?.category },
      lastUpdatedDateTime: this.clock.iso(),
    };
    this.activities.set(a.guid, stored);
    return structuredClone(stored);
  }

  async *listActivities(q: ActivityQuery): AsyncIterable<Activity> {
    this.calls++;
    if (this.listNothing) return;
    for (const a of this.activities.values()) {
      if (a.recurrenceType === 'Series') continue;
      if (q.changedSince && Date.parse(a.lastUpdatedDateTime ?? '') < Date.parse(q.changedSince))
        continue;
      if (
        q.startDateTime &&
        Date.parse(a.endDateTime ?? a.startDateTime) < Date.parse(q.startDateTime)
      )
        continue;
      if (q.endDateTime && Date.parse(a.startDateTime) > Date.parse(q.endDateTime)) continue;
      // userGuids: owned by one of them, or (includeAsMember) one of them takes part.
      if (
        q.userGuids &&
        !q.userGuids.includes(a.ownerUser.guid) &&
        !(
          q.includeAsMember &&
          (this.participants.get(a.guid) ?? []).some((p) =>
            q.userGuids?.includes(p.participantGuid),
          )
        )
      )
        continue;
      yield structuredClone(a);
    }
  }

  async getActivity(guid: string): Promise<Activity | null> {
    this.calls++;
    const a = this.activities.get(guid);
    return a ? structuredClone(a) : null;
  }

  async createActivity(input: ActivityInput): Promise<Activity> {
    this.calls++;
    return this.userCreate(input);
  }

  async patchActivity(guid: string, ops: PatchOperation[]): Promise<Activity> {
    this.calls++;
    const a = this.activities.get(guid);
    if (!a)
      throw Object.assign(new Error('Activity not found'), {
        type: 'NotFound',
        serverMessage: 'Activity not found',
      });
    const next = structuredClone(a) as unknown as Record<string, unknown>;
    for (const op of ops) {
      const path = op.path.split('/').filter(Boolean);
      let target = next;
      for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
      target[path[path.length - 1] as string] = op.value;
    }
    return this.stamp(next as unknown as Activity);
  }

  async deleteActivity(guid: string): Promise<boolean> {
    this.calls++;
    return this.activities.delete(guid);
  }

  async listParticipants(activityGuid: string): Promise<ActivityParticipant[]> {
    this.calls++;
    return structuredClone(this.participants.get(activityGuid) ?? []);
  }

  async addParticipant(activityGuid: string, userGuid: string): Promise<ActivityParticipant> {
    this.calls++;
    const p: ActivityParticipant = {
      guid: randomUUID(),
      activityGuid,
      participantGuid: userGuid,
      type: 'User',
      status: 'Accepted',
    };
    this.participants.set(activityGuid, [...(this.participants.get(activityGuid) ?? []), p]);
    return p;
  }

  async removeParticipant(activityGuid: string, participantGuid: string): Promise<void> {
    this.calls++;
    this.participants.set(
      activityGuid,
      (this.participants.get(activityGuid) ?? []).filter((p) => p.guid !== participantGuid),
    );
  }

  async *listUsers(): AsyncIterable<SeveraUser> {
    this.calls++;
    yield* this.users.filter((u) => u.isActive);
  }

  async *listActivityTypes(): AsyncIterable<ActivityType> {
    this.calls++;
    yield* this.types;
  }

  /** A change made by a user in Severa's UI. */
  userCreate(input: ActivityInput & Partial<Activity>): Activity {
    return this.stamp({
      guid: randomUUID(),
      notes: null,
      location: null,
      hasHours: false,
      recurrenceType: 'None',
      lastUpdatedDateTime: null,
      ...input,
    } as Activity);
  }

  userEdit(guid: string, patch: Partial<Activity>): Activity {
    const a = this.activities.get(guid);
    if (!a) throw new Error(`no activity ${guid}`);
    return this.stamp({ ...a, ...patch });
  }
}

export const severaUser = (
  email: string,
  guid = `user-${email.split('@')[0]}`,
  zone = 'Europe/Helsinki',
): SeveraUser => ({
  guid,
  firstName: email.split('.')[0] ?? email,
  lastName: 'Test',
  email,
  isActive: true,
  timezone: { ianaName: zone },
});
