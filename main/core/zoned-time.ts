/**
 * Wall-clock time ⇄ instant in an IANA zone, with nothing but Intl: the engine's mapping and the
 * Google sandbox both need it, and DST weekends must come out the same on both sides.
 */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function zoneFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a zone. */
export function toLocal(instant: number, zone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of zoneFormatter(zone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

const utcOfLocal = (t: LocalTime) =>
  Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);

/** The zone's offset from UTC at an instant, in ms (Helsinki summer: +3 h). */
export const zoneOffsetMs = (instant: number, zone: string): number =>
  utcOfLocal(toLocal(instant, zone)) - Math.floor(instant / 1000) * 1000;

/** The instant of a wall-clock time in a zone (a time skipped by DST moves forward with it). */
export function fromLocal(t: LocalTime, zone: string): number {
  const wall = utcOfLocal(t);
  // Two rounds settle on the offset valid at the result, also across a DST change.
  const first = wall - zoneOffsetMs(wall, zone);
  return wall - zoneOffsetMs(first, zone);
}

/** `fromLocal` for a `yyyy-mm-dd` date and an `hh:mm:ss` time. */
export function zonedInstant(date: string, time: string, zone: string): number {
  const [year = 1970, month = 1, day = 1] = date.split('-').map(Number);
  const [hour = 0, minute = 0, second = 0] = time.split(':').map(Number);
  return fromLocal({ year, month, day, hour, minute, second }, zone);
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

export const formatDate = (year: number, month: number, day: number): string =>
  `${year}-${pad(month)}-${pad(day)}`;

export function localDate(instant: number, zone: string): string {
  const t = toLocal(instant, zone);
  return formatDate(t.year, t.month, t.day);
}

/** Adds days to a `yyyy-mm-dd` date. */
export function addDays(date: string, days: number): string {
  const [y = 1970, m = 1, d = 1] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** RFC 3339 with the zone's offset: `2026-03-29T03:30:00+03:00`. */
export function toZonedIso(instant: number, zone: string): string {
  const t = toLocal(instant, zone);
  const offsetMinutes = Math.round(zoneOffsetMs(instant, zone) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const offset = `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  return `${formatDate(t.year, t.month, t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${offset}`;
}
