import type { calendar_v3 } from '@googleapis/calendar';
import * as rruleModule from 'rrule';
import { addDays, formatDate, fromLocal, toLocal, toZonedIso } from '../../zoned-time';

/**
 * Event boundaries as instants, and the expansion of recurring events (RFC 5545 RRULE, EXRULE,
 * RDATE, EXDATE) by the `rrule` library. The library computes in "floating" time: every local
 * wall-clock time is carried as if it were UTC, so a weekly 09:00 stays 09:00 across a DST
 * change (as in Google); each occurrence is then placed in the series' zone.
 */
// rrule ships CommonJS to Node and ES modules to bundlers: take whichever this runtime gave.
const rrule = (rruleModule as unknown as { default?: typeof rruleModule }).default ?? rruleModule;

type EventDateTime = calendar_v3.Schema$EventDateTime;

const HAS_OFFSET = /([zZ]|[+-]\d\d:\d\d)$/;

const parseDate = (date: string): [number, number, number] => {
  const [y, m, d] = date.split('-').map(Number);
  return [y ?? 1970, m ?? 1, d ?? 1];
};

/** Wall-clock `yyyy-mm-ddThh:mm:ss` in `zone` as an instant. */
function wallInstant(text: string, zone: string): number {
  const [date = '', time = '00:00:00'] = text.split('T');
  const [year, month, day] = parseDate(date);
  const [hour = 0, minute = 0, second = 0] = time.slice(0, 8).split(':').map(Number);
  return fromLocal({ year, month, day, hour, minute, second }, zone);
}

/**
 * The instant an event boundary stands for: a `dateTime` with an offset as written, one without
 * in its `timeZone` (else the calendar's); all-day dates are midnight in that zone.
 */
export function boundaryMs(dt: EventDateTime | undefined, calendarZone: string): number {
  if (dt?.date) return wallInstant(dt.date, dt.timeZone ?? calendarZone);
  if (dt?.dateTime)
    return HAS_OFFSET.test(dt.dateTime)
      ? Date.parse(dt.dateTime)
      : wallInstant(dt.dateTime, dt.timeZone ?? calendarZone);
  return NaN;
}

export const isRecurring = (recurrence: readonly string[] | null | undefined): boolean =>
  (recurrence ?? []).some((line) => /^(RRULE|RDATE)[:;]/i.test(line));

export interface Occurrence {
  start: EventDateTime;
  end: EventDateTime;
  /** The instance id suffix: `20261125T070000Z` (timed, UTC) or `20261125` (all-day). */
  suffix: string;
  startMs: number;
}

/** A floating time (wall clock carried as UTC) ⇄ the parts of an ICS date-time. */
const ics = (floating: number) =>
  new Date(floating)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, '');
const floatingOf = (instant: number, zone: string) => {
  const t = toLocal(instant, zone);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
};
const fromIcs = (value: string): number =>
  Date.UTC(
    +value.slice(0, 4),
    +value.slice(4, 6) - 1,
    +value.slice(6, 8),
    +(value.slice(9, 11) || 0),
    +(value.slice(11, 13) || 0),
    +(value.slice(13, 15) || 0),
  );

interface SeriesFrame {
  zone: string;
  allDay: boolean;
  /** DTSTART as a floating time. */
  first: number;
}

/** An RDATE/EXDATE line's values as floating times of the series' zone. */
function dateValues(line: string, frame: SeriesFrame): number[] {
  const colon = line.indexOf(':');
  const params = line.slice(0, colon).split(';').slice(1);
  const tzid = params.find((p) => p.toUpperCase().startsWith('TZID='))?.slice(5);
  const timeOfDay = frame.first % 86_400_000;
  return line
    .slice(colon + 1)
    .split(',')
    .filter(Boolean)
    .map((value) => {
      if (/^\d{8}$/.test(value)) return fromIcs(value) + (frame.allDay ? 0 : timeOfDay);
      if (value.endsWith('Z')) return floatingOf(fromIcs(value), frame.zone);
      if (tzid)
        return floatingOf(
          wallInstant(new Date(fromIcs(value)).toISOString().slice(0, 19), tzid),
          frame.zone,
        );
      return fromIcs(value);
    });
}

/** An RRULE/EXRULE line with UNTIL moved into floating time (Google writes it in UTC). */
function floatingRule(line: string, frame: SeriesFrame): string {
  return line.replace(/UNTIL=(\d{8}(T\d{6}Z?)?)/i, (_m, until: string) => {
    if (until.endsWith('Z')) return `UNTIL=${ics(floatingOf(fromIcs(until), frame.zone))}`;
    // A date UNTIL with timed instances: the whole of that day.
    const day = until.slice(0, 8);
    return `UNTIL=${frame.allDay ? `${day}T000000` : `${day}T235959`}`;
  });
}

const MAX_OCCURRENCES = 5000;

/** The occurrences of a recurring event that start before `untilMs` (capped). */
export function expandSeries(
  master: { start?: EventDateTime; end?: EventDateTime; recurrence?: string[] | null },
  calendarZone: string,
  untilMs: number,
): Occurrence[] {
  const { start, end } = master;
  if (!start || !end || !isRecurring(master.recurrence)) return [];
  const zone = start.timeZone ?? calendarZone;
  const allDay = Boolean(start.date);
  const firstMs = boundaryMs(start, zone);
  const durationMs = boundaryMs(end, end.timeZone ?? zone) - firstMs;
  const frame: SeriesFrame = {
    zone,
    allDay,
    first: allDay ? fromIcs((start.date as string).replaceAll('-', '')) : floatingOf(firstMs, zone),
  };
  const set = new rrule.RRuleSet();
  const dtstart = `DTSTART:${ics(frame.first)}`;
  for (const line of master.recurrence ?? []) {
    const name = line.split(/[:;]/)[0]?.toUpperCase();
    if (name === 'RRULE') set.rrule(rrule.rrulestr(`${dtstart}\n${floatingRule(line, frame)}`));
    else if (name === 'EXRULE')
      set.exrule(rrule.rrulestr(`${dtstart}\nRRULE:${floatingRule(line, frame).slice(7)}`));
    else if (name === 'RDATE') for (const d of dateValues(line, frame)) set.rdate(new Date(d));
    else if (name === 'EXDATE') for (const d of dateValues(line, frame)) set.exdate(new Date(d));
  }
  const limit = untilMs === Infinity ? Infinity : floatingOf(untilMs, zone) + 86_400_000;
  const floatingTimes = set.all(
    (date, i) => i < MAX_OCCURRENCES && date.getTime() < limit,
  ) as Date[];
  const spanDays = allDay ? Math.round(durationMs / 86_400_000) : 0;
  const out: Occurrence[] = [];
  for (const floating of floatingTimes) {
    const f = floating.getTime();
    const [year, month, day] = parseDate(new Date(f).toISOString().slice(0, 10));
    if (allDay) {
      const date = formatDate(year, month, day);
      const startMs = boundaryMs({ date }, zone);
      if (startMs >= untilMs) break;
      out.push({
        start: { date },
        end: { date: addDays(date, spanDays) },
        suffix: date.replaceAll('-', ''),
        startMs,
      });
      continue;
    }
    const d = new Date(f);
    const startMs = fromLocal(
      {
        year,
        month,
        day,
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
      },
      zone,
    );
    if (startMs >= untilMs) break;
    out.push({
      start: { dateTime: toZonedIso(startMs, zone), timeZone: start.timeZone ?? undefined },
      end: {
        dateTime: toZonedIso(startMs + durationMs, end.timeZone ?? zone),
        timeZone: end.timeZone ?? undefined,
      },
      suffix: `${ics(startMs)}Z`,
      startMs,
    });
  }
  return out;
}

/** RRULE `UNTIL` for a series that must end just before `instant` (a "this and following" split). */
export const untilBefore = (instant: number, allDay: boolean, zone: string): string =>
  allDay ? ics(floatingOf(instant, zone) - 86_400_000).slice(0, 8) : `${ics(instant - 1000)}Z`;
