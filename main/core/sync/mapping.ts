import { createHash } from 'node:crypto';
import type { GoogleEvent } from '../google/types';
import type { Activity, ActivityCategory, ActivityInput, PatchOperation } from '../severa/models';
import { addDays, localDate, toZonedIso, zonedInstant } from '../zoned-time';

// Re-exported: the tests build fixtures in users' zones with the engine's own functions.
export { addDays, localDate, toZonedIso, zonedInstant };

/**
 * Activity ⇄ event mapping (design §3 "Time", "Severa → Google", "Google → Severa") and the
 * content hash the engine compares (design D6, echo rule). Both sides are reduced to the same
 * `SyncFields`, so a hash only changes when a synced field changes.
 */
export interface SyncFields {
  title: string;
  allDay: boolean;
  /** Timed: UTC instant `2026-03-29T01:30:00.000Z`. All-day: `2026-03-29`. */
  start: string;
  /** Timed: UTC instant. All-day: the day AFTER the last day (exclusive, as Google has it). */
  end: string;
  location: string;
  notes: string;
  private: boolean;
}

export type Origin = 'severa' | 'google';

/** Keys of `extendedProperties.private` on events this product wrote or linked (design D7). */
export const PROP_SEVERA_GUID = 'severaGuid';
export const PROP_ORIGIN = 'origin';
export const PROP_SYNC_VERSION = 'syncVersion';
export const SYNC_VERSION = '1';

const PRIVATE_CATEGORIES: ReadonlySet<ActivityCategory> = new Set(['Personal', 'Absences']);
export const isPrivateCategory = (category: ActivityCategory | undefined): boolean =>
  category !== undefined && PRIVATE_CATEGORIES.has(category);

export function hashFields(fields: SyncFields): string {
  const canonical = [
    fields.title,
    fields.allDay,
    fields.start,
    fields.end,
    fields.location,
    fields.notes,
    fields.private,
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 32);
}

/** Title, start and end: events with the same key are "an existing matching event" (`pre.other-sync`). */
export const slotKey = (f: SyncFields): string =>
  JSON.stringify([f.title, f.allDay, f.start, f.end]);

/** Severa (and a Google time with a `timeZone`) may come without an offset: it is then in `zone`. */
export function parseInstant(text: string, zone: string): number {
  if (/([zZ]|[+-]\d\d:?\d\d)$/.test(text)) return Date.parse(text);
  const [date = '', time = '00:00:00'] = text.split('T');
  return zonedInstant(date, time.slice(0, 8), zone);
}

const iso = (instant: number) => new Date(instant).toISOString();

// ---- Severa → fields → Google ----

/**
 * `zone` is the activity's owner's: an all-day activity is a set of dates, read and written in
 * the owner's zone whoever reads it (see `allDayDates`); timed activities are instants.
 */
export function fieldsFromActivity(
  activity: Activity,
  zone: string,
  category: ActivityCategory | undefined,
): SyncFields {
  const start = parseInstant(activity.startDateTime, zone);
  const end = activity.endDateTime ? parseInstant(activity.endDateTime, zone) : start;
  const common = {
    title: activity.name,
    location: activity.location ?? '',
    notes: normaliseText(activity.notes),
    private: isPrivateCategory(category ?? activity.activityType.category),
  };
  if (!activity.isAllDay)
    return { ...common, allDay: false, start: iso(start), end: iso(Math.max(start, end)) };
  return { ...common, allDay: true, ...allDayDates(start, end, zone) };
}

const HALF_DAY = 12 * 3_600_000;

/**
 * The dates of an all-day activity (Google's exclusive end): its start and end taken to the
 * nearest midnight in the owner's zone. We write 00:00 of the first day to 23:59:59 of the last;
 * Severa's document does not say how it keeps them, and rounding gives the same dates whether
 * it answers them as written, re-zoned to any offset, or moved to another zone's midnights less
 * than 12 hours away (Helsinki, Stockholm and New York alike). An end at 00:00 of the day after
 * reads the same as one at 23:59:59 of the last day.
 */
export function allDayDates(
  startMs: number,
  endMs: number,
  zone: string,
): { start: string; end: string } {
  const nearestDate = (ms: number) => localDate(ms + HALF_DAY, zone);
  const start = nearestDate(startMs);
  const end = nearestDate(Math.max(startMs, endMs));
  return { start, end: end > start ? end : addDays(start, 1) };
}

export interface CopyMeta {
  severaGuid: string;
  origin: Origin;
}

export const linkProperties = (meta: CopyMeta): Record<string, string> => ({
  [PROP_SEVERA_GUID]: meta.severaGuid,
  [PROP_ORIGIN]: meta.origin,
  [PROP_SYNC_VERSION]: SYNC_VERSION,
});

/** The synced part of an event; used both for inserts and as a patch. */
export function eventFromFields(fields: SyncFields, zone: string, meta: CopyMeta): GoogleEvent {
  const when = (value: string) =>
    fields.allDay
      ? { date: value }
      : { dateTime: toZonedIso(Date.parse(value), zone), timeZone: zone };
  return {
    summary: fields.title,
    description: fields.notes,
    location: fields.location,
    start: when(fields.start),
    end: when(fields.end),
    visibility: fields.private ? 'private' : 'default',
    status: 'confirmed',
    extendedProperties: { private: linkProperties(meta) },
  };
}

/**
 * The same as a patch of an existing event. A patch merges `start`/`end`, so the other kind's
 * keys go as null: switching timed ⇄ all-day would otherwise keep the old `dateTime` (or
 * `date`) next to the new one, and Google would keep the old kind.
 */
export function eventPatchFromFields(
  fields: SyncFields,
  zone: string,
  meta: CopyMeta,
): GoogleEvent {
  const event = eventFromFields(fields, zone, meta);
  const clear = fields.allDay ? { dateTime: null, timeZone: null } : { date: null };
  return { ...event, start: { ...event.start, ...clear }, end: { ...event.end, ...clear } };
}

// ---- Google → fields → Severa ----

/**
 * The instant of an event time: with an offset or `Z` as written; without one in its own
 * `timeZone` (start and end may differ), else in the calendar's zone.
 */
const eventInstant = (dt: NonNullable<GoogleEvent['start']>, calendarZone: string): number =>
  parseInstant(dt.dateTime as string, dt.timeZone ?? calendarZone);

/** null for an event without a usable start (a cancelled stub). */
export function fieldsFromEvent(event: GoogleEvent, calendarZone = 'UTC'): SyncFields | null {
  const start = event.start?.dateTime ?? event.start?.date;
  if (!start) return null;
  const allDay = !event.start?.dateTime;
  const endRaw = event.end?.dateTime ?? event.end?.date ?? null;
  const common = {
    title: event.summary ?? '',
    location: event.location ?? '',
    notes: normaliseText(event.description),
    private: event.visibility === 'private' || event.visibility === 'confidential',
  };
  if (allDay)
    return {
      ...common,
      allDay,
      start,
      end: endRaw && endRaw > start ? endRaw.slice(0, 10) : addDays(start, 1),
    };
  const startMs = eventInstant(event.start as NonNullable<GoogleEvent['start']>, calendarZone);
  const endMs = event.end?.dateTime ? eventInstant(event.end, calendarZone) : startMs;
  return { ...common, allDay, start: iso(startMs), end: iso(Math.max(startMs, endMs)) };
}

/** Severa needs a non-empty name; an untitled Google event gets this one. */
export const UNTITLED = '(untitled)';

function severaTimes(fields: SyncFields, zone: string) {
  if (!fields.allDay) {
    return {
      startDateTime: toZonedIso(Date.parse(fields.start), zone),
      endDateTime: toZonedIso(Date.parse(fields.end), zone),
    };
  }
  // All-day in Severa: 00:00 of the first day to 23:59:59 of the last day, in the user's zone.
  return {
    startDateTime: toZonedIso(zonedInstant(fields.start, '00:00:00', zone), zone),
    endDateTime: toZonedIso(zonedInstant(fields.end, '00:00:00', zone) - 1000, zone),
  };
}

export function activityInputFromFields(
  fields: SyncFields,
  zone: string,
  typeGuid: string,
  ownerGuid: string,
): ActivityInput {
  return {
    name: fields.title || UNTITLED,
    ...severaTimes(fields, zone),
    isAllDay: fields.allDay,
    notes: fields.notes || null,
    location: fields.location || null,
    activityType: { guid: typeGuid },
    ownerUser: { guid: ownerGuid },
  };
}

/**
 * JSON Patch for an existing activity; `typeGuid` only when the privacy changed the type. Values
 * are strings, as the document types `PatchOperation.value` (`"true"` for a boolean).
 */
export function activityPatchFromFields(
  fields: SyncFields,
  zone: string,
  typeGuid: string | null,
): PatchOperation[] {
  const input = activityInputFromFields(fields, zone, typeGuid ?? '', '');
  const replace = (path: string, value: string | null): PatchOperation => ({
    op: 'Replace',
    path,
    value,
  });
  const ops: PatchOperation[] = [
    replace('/name', input.name),
    replace('/startDateTime', input.startDateTime),
    replace('/endDateTime', input.endDateTime),
    replace('/isAllDay', String(input.isAllDay)),
    replace('/notes', input.notes ?? null),
    replace('/location', input.location ?? null),
  ];
  if (typeGuid) ops.push(replace('/activityType/guid', typeGuid));
  return ops;
}

function normaliseText(text: string | null | undefined): string {
  return (text ?? '').replace(/\r\n?/g, '\n');
}

// ---- ids ----

const userTag = (user: string) =>
  createHash('sha256').update(user.trim().toLowerCase()).digest('hex').slice(0, 12);

/**
 * The Google id of a user's copy of a Severa activity: the GUID's hex (valid base32hex, design
 * D7) plus a tag of the user, so each participant's copy differs; `generation` > 0 when a
 * deleted id could not be revived.
 */
/** Whether an id could be given to an insert (base32hex); an instance id (`series_20261125T…`) cannot. */
export const isClientEventId = (id: string): boolean => /^[a-v0-9]{5,1024}$/.test(id);

export function googleCopyId(severaGuid: string, user: string, generation = 0): string {
  const base = `${severaGuid.toLowerCase().replace(/[^0-9a-f]/g, '')}${userTag(user)}`;
  return generation > 0 ? `${base}v${generation}` : base;
}
