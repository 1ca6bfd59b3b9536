import { createHash, randomBytes } from 'node:crypto';
import type { calendar_v3 } from '@googleapis/calendar';
import { toZonedIso } from '../../zoned-time';
import { API_ERRORS, apiError, ok, type SandboxResponse } from './responses';
import { boundaryMs, expandSeries, isRecurring, untilBefore, type Occurrence } from './time';

export type GoogleEvent = calendar_v3.Schema$Event;
type EventDateTime = calendar_v3.Schema$EventDateTime;

interface Stored {
  event: GoogleEvent;
  /** The calendar's change counter when this event last changed (sync tokens compare it). */
  seq: number;
}

/** Client-supplied ids: base32hex (lowercase a–v, 0–9), 5–1024 characters. */
const EVENT_ID = /^[a-v0-9]{5,1024}$/;
const DEFAULT_PAGE = 250;
const MAX_PAGE = 2500;
/** How far ahead recurring events are expanded when the query gives no `timeMax`. */
const EXPANSION_HORIZON_MS = 400 * 86_400_000;
const HAS_OFFSET = /([zZ]|[+-]\d\d:\d\d)$/;
/** Parameters Google refuses together with a sync token. */
const NOT_WITH_SYNC_TOKEN = [
  'timeMin',
  'timeMax',
  'privateExtendedProperty',
  'sharedExtendedProperty',
  'orderBy',
  'q',
  'iCalUID',
  'updatedMin',
];
/** Fields a write cannot change. */
const IMMUTABLE = [
  'id',
  'kind',
  'etag',
  'created',
  'iCalUID',
  'creator',
  'organizer',
  'recurringEventId',
  'originalStartTime',
  'htmlLink',
] as const;
/**
 * What only the organiser may change: the event's main fields (the document's `locked`
 * description names them), the guest permissions, the guest list and the shared properties.
 */
const SHARED_FIELDS = [
  'summary',
  'description',
  'location',
  'start',
  'end',
  'recurrence',
  'guestsCanInviteOthers',
  'guestsCanModify',
  'guestsCanSeeOtherGuests',
  'conferenceData',
] as const;

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = <T>(token: string): T | null => {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T;
  } catch {
    return null;
  }
};

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** Patch semantics: objects merge, arrays are replaced, `null` deletes the key. */
function mergePatch(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key]))
      out[key] = mergePatch(out[key] as Record<string, unknown>, value);
    else out[key] = value;
  }
  return out;
}

/** A body as Google stores it: `null` means "not set", so the field is left out. */
function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutNulls) as T;
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  ) as T;
}

const randomEventId = () =>
  Array.from(randomBytes(26), (b) => '0123456789abcdefghijklmnopqrstuv'[b % 32])
    .join('')
    .slice(0, 26);

/** The listing shape of a deleted event: Google guarantees only the id (and instance keys). */
const deletedShape = (e: GoogleEvent): GoogleEvent => ({
  kind: 'calendar#event',
  etag: e.etag,
  id: e.id,
  status: 'cancelled',
  ...(e.recurringEventId
    ? { recurringEventId: e.recurringEventId, originalStartTime: e.originalStartTime }
    : {}),
});

/** An attendee's copy of someone else's meeting (an invitation). */
const isAttendeeCopy = (e: GoogleEvent) => e.organizer?.self === false;

export interface WriteOptions {
  /** `If-Match`: the write fails with 412 unless the stored etag equals it. */
  ifMatch?: string | null;
  /** The organiser's own change reaching this copy (a control method), not the user's. */
  asOrganizer?: boolean;
}

/** How event times are written in answers: Google's way, or as the client sent them. */
export type TimeOutput = 'calendar-zone' | 'as-sent';

/**
 * One user's primary calendar with Google's semantics where the sync meets them: paging,
 * sync tokens (with deleted entries, and 410 once invalidated or once deletions they would have
 * reported are purged), recurring events expanded by RFC 5545 rules into instances with their
 * own ids and etags, exceptions, "this and following" splits, private extended properties,
 * client-supplied ids (409 also for a deleted id), etags with If-Match, attendee copies of
 * other people's meetings, deleted events that keep their id until purged, and times answered
 * in the calendar's zone.
 */
export class CalendarStore {
  private readonly events = new Map<string, Stored>();
  private seq = 0;
  /** Bumped to invalidate every sync token handed out so far. */
  private generation = 0;
  /** Deleted events are removed for good this long after their deletion (null: never). */
  purgeAfterMs: number | null = null;
  /** The newest change counter among purged events: older sync tokens cannot report them. */
  private purgedSeq = 0;
  timeOutput: TimeOutput = 'calendar-zone';

  constructor(
    readonly owner: string,
    public timeZone: string,
    private readonly now: () => number,
  ) {}

  invalidateSyncTokens(): void {
    this.generation++;
  }

  /** The sync token a complete listing made now would end with (a seeded calendar's). */
  currentSyncToken(): string {
    this.purge();
    return encode({ u: this.owner, g: this.generation, s: this.seq });
  }

  /** Every stored event (masters, exceptions, cancelled ones), as Google holds them. */
  all(): GoogleEvent[] {
    this.purge();
    return [...this.events.values()].map((s) => structuredClone(s.event));
  }

  primaryCalendar(): SandboxResponse {
    return ok({
      kind: 'calendar#calendar',
      etag: `"${this.seq}"`,
      id: this.owner,
      summary: this.owner,
      timeZone: this.timeZone,
    });
  }

  get(id: string, query?: URLSearchParams): SandboxResponse {
    this.purge();
    const event = this.resolve(id);
    return event ? ok(this.present(event, query)) : API_ERRORS.notFound();
  }

  insert(sent: GoogleEvent): SandboxResponse {
    this.purge();
    const body = withoutNulls(sent);
    if (body.id !== undefined && body.id !== null && !EVENT_ID.test(body.id))
      return API_ERRORS.invalid('Invalid resource id value.', 'id');
    const id = body.id ?? randomEventId();
    if (this.events.has(id)) return API_ERRORS.duplicate();
    const invalid = this.validate(body);
    if (invalid) return invalid;
    return ok(this.present(this.create({ ...body, id }, { email: this.owner, self: true })), 200);
  }

  /**
   * events.import: a private copy of an existing event (an invitation from elsewhere keeps its
   * organiser). An event with the same iCalUID on this calendar is replaced.
   */
  importEvent(sent: GoogleEvent): SandboxResponse {
    this.purge();
    const body = withoutNulls(sent);
    if (!body.iCalUID) return API_ERRORS.required('Missing iCalUID.', 'iCalUID');
    if (body.id !== undefined && body.id !== null && !EVENT_ID.test(body.id))
      return API_ERRORS.invalid('Invalid resource id value.', 'id');
    const invalid = this.validate(body);
    if (invalid) return invalid;
    const existing = [...this.events.values()].find((s) => s.event.iCalUID === body.iCalUID);
    const organizer = body.organizer?.email
      ? { ...body.organizer, self: body.organizer.email.toLowerCase() === this.owner }
      : { email: this.owner, self: true };
    const attendees = body.attendees?.map((a) => ({
      ...a,
      ...(a.email?.toLowerCase() === this.owner && { self: true }),
    }));
    const event: GoogleEvent = {
      ...body,
      ...(attendees && { attendees }),
      id: existing?.event.id ?? body.id ?? randomEventId(),
    };
    if (existing) {
      const seq = existing.event.sequence ?? 0;
      return ok(
        this.present(this.store({ ...existing.event, ...event, organizer, sequence: seq + 1 })),
      );
    }
    return ok(this.present(this.create(event, organizer)));
  }

  update(id: string, body: GoogleEvent, options: WriteOptions = {}): SandboxResponse {
    return this.write(id, options, (current) => {
      const next: Record<string, unknown> = withoutNulls({ ...body });
      for (const key of IMMUTABLE) if (current[key] !== undefined) next[key] = current[key];
      return next as GoogleEvent;
    });
  }

  patch(id: string, body: GoogleEvent, options: WriteOptions = {}): SandboxResponse {
    const changes = Object.fromEntries(
      Object.entries(body).filter(([key]) => !(IMMUTABLE as readonly string[]).includes(key)),
    );
    return this.write(
      id,
      options,
      (current) => mergePatch(current as Record<string, unknown>, changes) as GoogleEvent,
    );
  }

  delete(id: string, options: WriteOptions = {}): SandboxResponse {
    this.purge();
    const current = this.resolve(id);
    if (!current) return API_ERRORS.notFound();
    if (current.status === 'cancelled') return API_ERRORS.deleted();
    if (options.ifMatch && options.ifMatch !== current.etag) return API_ERRORS.conditionNotMet();
    this.store({ ...current, status: 'cancelled' });
    // A series takes its exceptions with it, modified or cancelled.
    if (isRecurring(current.recurrence))
      for (const s of this.events.values())
        if (s.event.recurringEventId === id && s.event.status !== 'cancelled')
          this.store({ ...s.event, status: 'cancelled' });
    return { status: 204 };
  }

  list(query: URLSearchParams): SandboxResponse {
    this.purge();
    const syncTokenText = query.get('syncToken');
    const singleEvents = query.get('singleEvents') === 'true';
    let minSeq = -1;
    if (syncTokenText) {
      const clash = NOT_WITH_SYNC_TOKEN.find((p) => query.has(p));
      if (clash)
        return API_ERRORS.invalid(
          `The parameter ${clash} cannot be used with a sync token.`,
          clash,
        );
      if (query.get('showDeleted') === 'false')
        return API_ERRORS.invalid(
          'showDeleted=false cannot be used with a sync token.',
          'showDeleted',
        );
      const token = decode<{ u: string; g: number; s: number }>(syncTokenText);
      // A token older than a purged deletion can no longer report it: a full sync is required.
      if (
        !token ||
        token.u !== this.owner ||
        token.g !== this.generation ||
        token.s < this.purgedSeq
      )
        return API_ERRORS.fullSyncRequired();
      minSeq = token.s;
    }
    if (query.get('orderBy') === 'startTime' && !singleEvents)
      return API_ERRORS.invalid(
        'The requested ordering is not available for the particular query.',
        'orderBy',
      );
    const timeMin = query.has('timeMin') ? Date.parse(query.get('timeMin') as string) : -Infinity;
    const timeMax = query.has('timeMax') ? Date.parse(query.get('timeMax') as string) : Infinity;
    if (Number.isNaN(timeMin) || Number.isNaN(timeMax))
      return API_ERRORS.invalid('Bad Request', Number.isNaN(timeMin) ? 'timeMin' : 'timeMax');
    if (timeMin >= timeMax)
      return apiError(400, 'timeRangeEmpty', 'The specified time range is empty.', {
        domain: 'calendar',
        location: 'timeMax',
      });

    const page = query.get('pageToken')
      ? decode<{ o: number; s: number }>(query.get('pageToken') as string)
      : { o: 0, s: this.seq };
    if (!page) return API_ERRORS.invalid('Invalid page token value.', 'pageToken');
    const maxResults = Math.min(
      MAX_PAGE,
      Math.max(1, Number(query.get('maxResults') ?? DEFAULT_PAGE) || DEFAULT_PAGE),
    );
    const incremental = minSeq >= 0;
    const showDeleted = incremental || query.get('showDeleted') === 'true';
    const properties = query
      .getAll('privateExtendedProperty')
      .map((p) => p.split('=') as [string, string]);
    const iCalUID = query.get('iCalUID');
    const expandUntil = Number.isFinite(timeMax) ? timeMax : this.now() + EXPANSION_HORIZON_MS;

    const entries = (
      singleEvents ? this.singleEventEntries(expandUntil) : [...this.events.values()]
    ).filter((s) => s.seq > minSeq);
    const items = entries
      .map((s) => s.event)
      .filter((e) => {
        if (e.status === 'cancelled') return showDeleted;
        if (incremental) return true;
        const start = boundaryMs(e.start, this.timeZone);
        const end = boundaryMs(e.end, this.timeZone);
        const inWindow = end > timeMin && start < timeMax;
        // A series master overlaps the window when any instance does; its end bounds only the first.
        const recurring = !singleEvents && isRecurring(e.recurrence);
        return (
          (recurring ? start < timeMax : inWindow) &&
          (!iCalUID || e.iCalUID === iCalUID) &&
          properties.every(([k, v]) => e.extendedProperties?.private?.[k] === v)
        );
      })
      .sort(
        (a, b) =>
          boundaryMs(a.start ?? a.originalStartTime, this.timeZone) -
            boundaryMs(b.start ?? b.originalStartTime, this.timeZone) ||
          String(a.id).localeCompare(String(b.id)),
      );

    const slice = items
      .slice(page.o, page.o + maxResults)
      .map((e) =>
        e.status === 'cancelled' ? this.present(deletedShape(e), query) : this.present(e, query),
      );
    const more = page.o + maxResults < items.length;
    return ok({
      kind: 'calendar#events',
      etag: `"${page.s}"`,
      summary: this.owner,
      updated: new Date(this.now()).toISOString(),
      timeZone: this.timeZone,
      accessRole: 'owner',
      defaultReminders: [],
      ...(more
        ? { nextPageToken: encode({ o: page.o + maxResults, s: page.s }) }
        : { nextSyncToken: encode({ u: this.owner, g: this.generation, s: page.s }) }),
      items: slice,
    });
  }

  /** For tests and demos: an event written as if by the user in Google Calendar. */
  put(event: GoogleEvent): SandboxResponse {
    return event.id && this.events.has(event.id)
      ? this.update(event.id, event)
      : this.insert(event);
  }

  /** For tests and demos: an invitation from `organizer` (outside the domain) on this calendar. */
  invite(event: GoogleEvent, organizer: string): SandboxResponse {
    const attendees = event.attendees ?? [
      { email: organizer, organizer: true, responseStatus: 'accepted' },
      { email: this.owner, responseStatus: 'needsAction' },
    ];
    return this.importEvent({
      iCalUID: `${randomEventId()}@${organizer.split('@')[1] ?? 'example.com'}`,
      ...event,
      organizer: { email: organizer },
      attendees,
    });
  }

  /**
   * For tests: "this and following" on the instance `instanceId` of series `id`. The series is
   * ended just before that instance (UNTIL), and a new series `<id>_R<start>` starts there with
   * `changes` applied; the old series' exceptions from that instance on are cancelled.
   */
  splitSeries(id: string, instanceId: string, changes: GoogleEvent = {}): SandboxResponse {
    this.purge();
    const master = this.events.get(id)?.event;
    const instance = this.resolve(instanceId);
    if (!master || !instance?.originalStartTime || instance.recurringEventId !== id)
      return API_ERRORS.notFound();
    const zone = master.start?.timeZone ?? this.timeZone;
    const allDay = Boolean(master.start?.date);
    const fromMs = boundaryMs(instance.originalStartTime, zone);
    const rules = master.recurrence ?? [];
    const ended = rules.map((line) =>
      line.startsWith('RRULE:')
        ? `${line.replace(/;(UNTIL|COUNT)=[^;]*/g, '')};UNTIL=${untilBefore(fromMs, allDay, zone)}`
        : line,
    );
    const before = expandSeries(master, this.timeZone, fromMs).length;
    const following = rules.map((line) =>
      line.replace(/COUNT=(\d+)/, (_m, n: string) => `COUNT=${Math.max(1, Number(n) - before)}`),
    );
    for (const s of this.events.values())
      if (
        s.event.recurringEventId === id &&
        boundaryMs(s.event.originalStartTime, zone) >= fromMs &&
        s.event.status !== 'cancelled'
      )
        this.store({ ...s.event, status: 'cancelled' });
    const cut = this.write(id, { asOrganizer: true }, (current) => ({
      ...current,
      recurrence: ended,
    }));
    if (cut.status >= 300) return cut;
    const stamp = (instance.originalStartTime.dateTime ?? instance.originalStartTime.date ?? '')
      .slice(0, 19)
      .replace(/[-:]/g, '');
    const { id: _id, etag: _etag, recurrence: _r, ...fields } = master;
    const next: GoogleEvent = {
      ...fields,
      start: instance.start,
      end: instance.end,
      recurrence: following,
      ...changes,
      id: `${id}_R${new Date(fromMs).toISOString().slice(0, 19).replace(/[-:]/g, '')}`,
      iCalUID: `${id}_R${stamp}@google.com`,
    };
    const invalid = this.validate(next);
    if (invalid) return invalid;
    return ok(this.present(this.store({ ...next, sequence: 0 })));
  }

  /** Deleted events older than `purgeAfterMs` are forgotten, as Google eventually does. */
  private purge(): void {
    if (this.purgeAfterMs === null) return;
    const before = this.now() - this.purgeAfterMs;
    const gone = (e: GoogleEvent) =>
      e.status === 'cancelled' && Date.parse(e.updated ?? '') <= before;
    for (const [id, s] of this.events) {
      const master = s.event.recurringEventId
        ? this.events.get(s.event.recurringEventId)?.event
        : undefined;
      // A cancelled instance of a live series stays as long as the series does.
      const purgeable = s.event.recurringEventId ? !master || gone(master) : gone(s.event);
      if (purgeable && gone(s.event)) {
        this.events.delete(id);
        this.purgedSeq = Math.max(this.purgedSeq, s.seq);
      }
    }
  }

  private create(event: GoogleEvent, organizer: GoogleEvent['organizer']): GoogleEvent {
    const id = event.id as string;
    const at = new Date(this.now()).toISOString();
    return this.store({
      status: 'confirmed',
      eventType: 'default',
      reminders: { useDefault: true },
      ...event,
      kind: 'calendar#event',
      id,
      iCalUID: event.iCalUID ?? `${id}@google.com`,
      created: at,
      creator: organizer?.self ? { email: this.owner, self: true } : organizer,
      organizer,
      htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${this.owner}`).toString('base64url')}`,
      sequence: 0,
    });
  }

  /** Masters replaced by their instances (an exception stands in for its instance). */
  private singleEventEntries(expandUntil: number): Stored[] {
    const out: Stored[] = [];
    const consumed = new Set<string>();
    for (const stored of this.events.values()) {
      const { event } = stored;
      if (event.recurringEventId) continue;
      if (!isRecurring(event.recurrence)) {
        out.push(stored);
        continue;
      }
      for (const occurrence of expandSeries(event, this.timeZone, expandUntil)) {
        const instanceId = `${event.id}_${occurrence.suffix}`;
        const exception = this.events.get(instanceId);
        consumed.add(instanceId);
        // A change to the series counts as a change to every instance, overridden or not.
        out.push(
          exception
            ? { event: exception.event, seq: Math.max(stored.seq, exception.seq) }
            : { event: this.instance(event, occurrence), seq: stored.seq },
        );
      }
    }
    // Exceptions the rule no longer produces (cancelled by a change of the series, or beyond
    // this expansion) are listed as themselves.
    for (const stored of this.events.values())
      if (stored.event.recurringEventId && !consumed.has(stored.event.id as string))
        out.push(stored);
    return out;
  }

  private instance(master: GoogleEvent, occurrence: Occurrence): GoogleEvent {
    const { recurrence: _recurrence, ...fields } = master;
    const id = `${master.id}_${occurrence.suffix}`;
    return {
      ...structuredClone(fields),
      id,
      // Each instance has its own etag, which changes whenever the series does.
      etag: `"${createHash('sha256').update(`${master.etag}${id}`).digest('hex').slice(0, 16)}"`,
      recurringEventId: master.id,
      originalStartTime: occurrence.start,
      start: occurrence.start,
      end: occurrence.end,
    };
  }

  /** A stored event, or an instance of a recurring one by its instance id. */
  private resolve(id: string): GoogleEvent | null {
    const stored = this.events.get(id);
    if (stored) return structuredClone(stored.event);
    const split = id.lastIndexOf('_');
    const master = split > 0 ? this.events.get(id.slice(0, split))?.event : undefined;
    if (!master) return null;
    const suffix = id.slice(split + 1);
    const occurrence = expandSeries(master, this.timeZone, Infinity).find(
      (o) => o.suffix === suffix,
    );
    return occurrence ? this.instance(master, occurrence) : null;
  }

  private write(
    id: string,
    options: WriteOptions,
    change: (current: GoogleEvent) => GoogleEvent,
  ): SandboxResponse {
    this.purge();
    const current = this.resolve(id);
    if (!current) return API_ERRORS.notFound();
    if (options.ifMatch && options.ifMatch !== current.etag) return API_ERRORS.conditionNotMet();
    const next = change(current);
    if ((next.eventType ?? 'default') !== (current.eventType ?? 'default'))
      return API_ERRORS.invalid('Event type cannot be changed.', 'eventType');
    if (
      isAttendeeCopy(current) &&
      !options.asOrganizer &&
      !current.guestsCanModify &&
      this.sharedChanged(current, next)
    )
      return API_ERRORS.forbiddenForNonOrganizer();
    const invalid = this.validate(next);
    if (invalid) return invalid;
    const timesChanged =
      JSON.stringify([next.start, next.end, next.recurrence]) !==
      JSON.stringify([current.start, current.end, current.recurrence]);
    if (timesChanged && isRecurring(current.recurrence))
      this.cancelVanishedInstances(current, next);
    return ok(
      this.present(
        this.store({ ...next, sequence: (current.sequence ?? 0) + (timesChanged ? 1 : 0) }),
      ),
    );
  }

  /**
   * A series whose rule or times changed no longer has some of its instances (an instance's id
   * is its original start): those within reach are kept as cancelled exceptions, as Google
   * reports removed instances to incremental sync.
   */
  private cancelVanishedInstances(before: GoogleEvent, after: GoogleEvent): void {
    const horizon = this.now() + EXPANSION_HORIZON_MS;
    const kept = new Set(expandSeries(after, this.timeZone, horizon).map((o) => o.suffix));
    for (const o of expandSeries(before, this.timeZone, horizon)) {
      if (kept.has(o.suffix)) continue;
      const id = `${before.id}_${o.suffix}`;
      const exception = this.events.get(id)?.event ?? this.instance(before, o);
      if (exception.status !== 'cancelled') this.store({ ...exception, status: 'cancelled' });
    }
  }

  /** Whether a write changes what only the organiser may change (times compared as instants). */
  private sharedChanged(current: GoogleEvent, next: GoogleEvent): boolean {
    const norm = (e: GoogleEvent, key: (typeof SHARED_FIELDS)[number]) => {
      const value = e[key];
      if (key !== 'start' && key !== 'end') return JSON.stringify(value ?? null);
      const dt = value as EventDateTime | undefined;
      return JSON.stringify([dt?.date ?? null, boundaryMs(dt, this.timeZone)]);
    };
    const others = (e: GoogleEvent) =>
      JSON.stringify((e.attendees ?? []).filter((a) => !a.self).map((a) => a.email));
    return (
      SHARED_FIELDS.some((key) => norm(current, key) !== norm(next, key)) ||
      others(current) !== others(next)
    );
  }

  private validate(e: GoogleEvent): SandboxResponse | null {
    for (const side of ['start', 'end'] as const) {
      const dt = e[side];
      if (!dt || (!dt.date && !dt.dateTime))
        return API_ERRORS.required(`Missing ${side} time.`, side);
      if (dt.date && dt.dateTime) return API_ERRORS.invalid(`Invalid ${side} time.`, side);
      if (dt.dateTime && !HAS_OFFSET.test(dt.dateTime) && !dt.timeZone)
        return API_ERRORS.required(`Missing time zone definition for ${side} time.`, side);
    }
    const { start, end } = e as { start: EventDateTime; end: EventDateTime };
    if (Boolean(start.date) !== Boolean(end.date))
      return API_ERRORS.invalid(
        'Start and end times must either both be date or both be dateTime.',
        'end',
      );
    if (isRecurring(e.recurrence) && start.dateTime && !start.timeZone)
      return API_ERRORS.required('Missing time zone definition for start time.', 'start.timeZone');
    const startMs = boundaryMs(start, this.timeZone);
    const endMs = boundaryMs(end, this.timeZone);
    // An all-day end is exclusive: it must be a later date.
    if (endMs < startMs || (start.date && endMs <= startMs))
      return apiError(400, 'timeRangeEmpty', 'The specified time range is empty.', {
        domain: 'calendar',
      });
    return null;
  }

  private store(event: GoogleEvent): GoogleEvent {
    this.seq++;
    const stored: GoogleEvent = {
      ...event,
      etag: `"${this.now()}${String(this.seq).padStart(6, '0')}"`,
      updated: new Date(this.now()).toISOString(),
    };
    this.events.set(stored.id as string, { event: stored, seq: this.seq });
    return structuredClone(stored);
  }

  /** An event as Google answers it: times in the calendar's zone (or `timeZone`), with an offset. */
  private present(event: GoogleEvent, query?: URLSearchParams): GoogleEvent {
    if (this.timeOutput === 'as-sent') return event;
    const zone = query?.get('timeZone') || this.timeZone;
    const zoned = (dt: EventDateTime | undefined) =>
      dt?.dateTime ? { ...dt, dateTime: toZonedIso(boundaryMs(dt, this.timeZone), zone) } : dt;
    const out = { ...event };
    if (out.start) out.start = zoned(out.start);
    if (out.end) out.end = zoned(out.end);
    if (out.originalStartTime) out.originalStartTime = zoned(out.originalStartTime);
    return out;
  }
}
