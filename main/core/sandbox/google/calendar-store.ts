import { randomBytes } from 'node:crypto';
import type { calendar_v3 } from '@googleapis/calendar';
import { API_ERRORS, apiError, ok, type SandboxResponse } from './responses';
import { boundaryMs, expandSeries, parseRrule, type Occurrence } from './time';

export type GoogleEvent = calendar_v3.Schema$Event;

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

export interface WriteOptions {
  /** `If-Match`: the write fails with 412 unless the stored etag equals it. */
  ifMatch?: string | null;
}

/**
 * One user's primary calendar with Google's semantics where the sync meets them: paging,
 * sync tokens (with deleted entries, and 410 once invalidated), expansion of recurring events
 * into instances, private extended properties, client-supplied ids (409 also for a deleted
 * id), etags with If-Match, and deleted events that keep their id.
 */
export class CalendarStore {
  private readonly events = new Map<string, Stored>();
  private seq = 0;
  /** Bumped to invalidate every sync token handed out so far. */
  private generation = 0;

  constructor(
    readonly owner: string,
    public timeZone: string,
    private readonly now: () => number,
  ) {}

  invalidateSyncTokens(): void {
    this.generation++;
  }

  /** Every stored event (masters, exceptions, cancelled ones), as Google holds them. */
  all(): GoogleEvent[] {
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

  get(id: string): SandboxResponse {
    const event = this.resolve(id);
    return event ? ok(event) : API_ERRORS.notFound();
  }

  insert(body: GoogleEvent): SandboxResponse {
    if (body.id !== undefined && body.id !== null && !EVENT_ID.test(body.id))
      return API_ERRORS.invalid('Invalid resource id value.', 'id');
    const id = body.id ?? randomEventId();
    if (this.events.has(id)) return API_ERRORS.duplicate();
    const invalid = this.validate(body);
    if (invalid) return invalid;
    const at = new Date(this.now()).toISOString();
    const event: GoogleEvent = {
      status: 'confirmed',
      eventType: 'default',
      reminders: { useDefault: true },
      ...body,
      kind: 'calendar#event',
      id,
      iCalUID: `${id}@google.com`,
      created: at,
      creator: { email: this.owner, self: true },
      organizer: { email: this.owner, self: true },
      htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${this.owner}`).toString('base64url')}`,
      sequence: 0,
    };
    return ok(this.store(event), 200);
  }

  update(id: string, body: GoogleEvent, options: WriteOptions = {}): SandboxResponse {
    return this.write(id, options, (current) => {
      const next: Record<string, unknown> = { ...body };
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
    const current = this.resolve(id);
    if (!current) return API_ERRORS.notFound();
    if (current.status === 'cancelled') return API_ERRORS.deleted();
    if (options.ifMatch && options.ifMatch !== current.etag) return API_ERRORS.conditionNotMet();
    this.store({ ...current, status: 'cancelled' });
    return { status: 204 };
  }

  list(query: URLSearchParams): SandboxResponse {
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
      if (!token || token.u !== this.owner || token.g !== this.generation)
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
        const recurring = !singleEvents && parseRrule(e.recurrence) !== null;
        return (
          (recurring ? start < timeMax : inWindow) &&
          properties.every(([k, v]) => e.extendedProperties?.private?.[k] === v)
        );
      })
      .sort(
        (a, b) =>
          boundaryMs(a.start, this.timeZone) - boundaryMs(b.start, this.timeZone) ||
          String(a.id).localeCompare(String(b.id)),
      );

    const slice = items
      .slice(page.o, page.o + maxResults)
      .map((e) => (e.status === 'cancelled' ? deletedShape(e) : structuredClone(e)));
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

  /** Masters replaced by their instances (an exception stands in for its instance). */
  private singleEventEntries(expandUntil: number): Stored[] {
    const out: Stored[] = [];
    for (const stored of this.events.values()) {
      const { event } = stored;
      if (event.recurringEventId) continue;
      const rule = parseRrule(event.recurrence);
      if (!rule || !event.start || !event.end) {
        out.push(stored);
        continue;
      }
      for (const occurrence of expandSeries(
        event.start,
        event.end,
        rule,
        this.timeZone,
        expandUntil,
      )) {
        const instanceId = `${event.id}_${occurrence.suffix}`;
        const exception = this.events.get(instanceId);
        // A change to the series counts as a change to every instance, overridden or not.
        out.push(
          exception
            ? { event: exception.event, seq: Math.max(stored.seq, exception.seq) }
            : { event: this.instance(event, occurrence), seq: stored.seq },
        );
      }
    }
    return out;
  }

  private instance(master: GoogleEvent, occurrence: Occurrence): GoogleEvent {
    const { recurrence: _recurrence, ...fields } = master;
    return {
      ...structuredClone(fields),
      id: `${master.id}_${occurrence.suffix}`,
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
    const rule = parseRrule(master?.recurrence);
    if (!master?.start || !master.end || !rule) return null;
    const suffix = id.slice(split + 1);
    const occurrence = expandSeries(master.start, master.end, rule, this.timeZone, Infinity).find(
      (o) => o.suffix === suffix,
    );
    return occurrence ? this.instance(master, occurrence) : null;
  }

  private write(
    id: string,
    options: WriteOptions,
    change: (current: GoogleEvent) => GoogleEvent,
  ): SandboxResponse {
    const current = this.resolve(id);
    if (!current) return API_ERRORS.notFound();
    if (options.ifMatch && options.ifMatch !== current.etag) return API_ERRORS.conditionNotMet();
    const next = change(current);
    const invalid = this.validate(next);
    if (invalid) return invalid;
    const timesChanged =
      JSON.stringify([next.start, next.end, next.recurrence]) !==
      JSON.stringify([current.start, current.end, current.recurrence]);
    return ok(this.store({ ...next, sequence: (current.sequence ?? 0) + (timesChanged ? 1 : 0) }));
  }

  private validate(e: GoogleEvent): SandboxResponse | null {
    if (!e.start || (!e.start.date && !e.start.dateTime))
      return API_ERRORS.required('Missing start time.', 'start');
    if (!e.end || (!e.end.date && !e.end.dateTime))
      return API_ERRORS.required('Missing end time.', 'end');
    if (e.recurrence?.length && e.start.dateTime && !e.start.timeZone)
      return API_ERRORS.required('Missing time zone definition for start time.', 'start.timeZone');
    if (boundaryMs(e.end, this.timeZone) < boundaryMs(e.start, this.timeZone))
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

  /** For tests and demos: an event written as if by the user in Google Calendar. */
  put(event: GoogleEvent): SandboxResponse {
    return event.id && this.events.has(event.id)
      ? this.update(event.id, event)
      : this.insert(event);
  }
}
