import type { calendar_v3 } from '@googleapis/calendar';
import { addDays, formatDate, fromLocal, toLocal, toZonedIso } from '../../zoned-time';

/**
 * Event boundaries as instants and the recurrence rules the sandbox expands (RRULE
 * FREQ=DAILY|WEEKLY|MONTHLY with INTERVAL, COUNT, UNTIL, BYDAY). Expansion walks local dates, so
 * a weekly 09:00 stays 09:00 across a DST change, as in Google.
 */
const parseDate = (date: string): [number, number, number] => {
  const [y, m, d] = date.split('-').map(Number);
  return [y ?? 1970, m ?? 1, d ?? 1];
};

type EventDateTime = calendar_v3.Schema$EventDateTime;

/** The instant an event boundary stands for; all-day dates are midnight in `calendarZone`. */
export function boundaryMs(dt: EventDateTime | undefined, calendarZone: string): number {
  if (dt?.date) {
    const [year, month, day] = parseDate(dt.date);
    return fromLocal(
      { year, month, day, hour: 0, minute: 0, second: 0 },
      dt.timeZone ?? calendarZone,
    );
  }
  if (dt?.dateTime) {
    const hasOffset = /(Z|[+-]\d\d:\d\d)$/.test(dt.dateTime);
    if (hasOffset || !dt.timeZone) return Date.parse(hasOffset ? dt.dateTime : `${dt.dateTime}Z`);
    const [date, time] = dt.dateTime.split('T') as [string, string];
    const [year, month, day] = parseDate(date);
    const [hour, minute, second] = time.split(':').map(Number);
    return fromLocal(
      { year, month, day, hour: hour ?? 0, minute: minute ?? 0, second: second ?? 0 },
      dt.timeZone,
    );
  }
  return NaN;
}

const DAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

interface Rule {
  freq: 'DAILY' | 'WEEKLY' | 'MONTHLY';
  interval: number;
  count: number | null;
  untilMs: number | null;
  byDay: number[];
}

export function parseRrule(recurrence: readonly string[] | null | undefined): Rule | null {
  const line = recurrence?.find((r) => r.startsWith('RRULE:'));
  if (!line) return null;
  const fields = Object.fromEntries(
    line
      .slice('RRULE:'.length)
      .split(';')
      .map((kv) => kv.split('=') as [string, string]),
  );
  const freq = fields.FREQ;
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY') return null;
  const until = fields.UNTIL as string | undefined;
  const untilMs = until
    ? Date.UTC(
        +until.slice(0, 4),
        +until.slice(4, 6) - 1,
        +until.slice(6, 8),
        +(until.slice(9, 11) || 23),
        +(until.slice(11, 13) || 59),
        +(until.slice(13, 15) || 59),
      )
    : null;
  return {
    freq,
    interval: Math.max(1, Number(fields.INTERVAL ?? 1)),
    count: fields.COUNT ? Number(fields.COUNT) : null,
    untilMs,
    byDay: fields.BYDAY
      ? (fields.BYDAY as string).split(',').map((c) => DAY_CODES.indexOf(c.slice(-2)))
      : [],
  };
}

/** The local dates of a series, in order, from its first date (capped at `max`). */
function* seriesDates(first: string, rule: Rule, max: number): Generator<string> {
  const [y0, m0, d0] = parseDate(first);
  const weekday0 = new Date(Date.UTC(y0, m0 - 1, d0)).getUTCDay();
  const days = rule.byDay.length > 0 ? [...rule.byDay].sort() : [weekday0];
  let produced = 0;
  for (let period = 0; produced < max; period++) {
    let candidates: string[];
    if (rule.freq === 'DAILY') candidates = [addDays(first, period * rule.interval)];
    else if (rule.freq === 'WEEKLY') {
      const weekStart = addDays(first, period * 7 * rule.interval - weekday0);
      candidates = days.map((wd) => addDays(weekStart, wd)).filter((d) => d >= first);
    } else {
      const t = new Date(Date.UTC(y0, m0 - 1 + period * rule.interval, d0));
      candidates =
        t.getUTCDate() === d0 ? [formatDate(t.getUTCFullYear(), t.getUTCMonth() + 1, d0)] : [];
    }
    for (const date of candidates) {
      yield date;
      if (++produced >= max) return;
    }
  }
}

export interface Occurrence {
  start: EventDateTime;
  end: EventDateTime;
  /** The instance id suffix: `20261125T070000Z` (timed, UTC) or `20261125` (all-day). */
  suffix: string;
  startMs: number;
}

const MAX_OCCURRENCES = 1000;

/** The occurrences of a recurring event that start before `untilMs`. */
export function expandSeries(
  start: EventDateTime,
  end: EventDateTime,
  rule: Rule,
  calendarZone: string,
  untilMs: number,
): Occurrence[] {
  const zone = start.timeZone ?? calendarZone;
  const allDay = Boolean(start.date);
  const firstMs = boundaryMs(start, zone);
  const durationMs = boundaryMs(end, zone) - firstMs;
  const local = toLocal(firstMs, zone);
  const firstDate = allDay
    ? (start.date as string)
    : formatDate(local.year, local.month, local.day);
  const spanDays = allDay ? Math.round(durationMs / 86_400_000) : 0;
  const out: Occurrence[] = [];
  for (const date of seriesDates(firstDate, rule, rule.count ?? MAX_OCCURRENCES)) {
    const [year, month, day] = parseDate(date);
    const startMs = allDay
      ? boundaryMs({ date }, zone)
      : fromLocal({ ...local, year, month, day }, zone);
    if (startMs >= untilMs || (rule.untilMs !== null && startMs > rule.untilMs)) break;
    if (allDay) {
      out.push({
        start: { date },
        end: { date: addDays(date, spanDays) },
        suffix: date.replaceAll('-', ''),
        startMs,
      });
    } else {
      const utc = new Date(startMs)
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
      out.push({
        start: { dateTime: toZonedIso(startMs, zone), timeZone: start.timeZone ?? undefined },
        end: {
          dateTime: toZonedIso(startMs + durationMs, zone),
          timeZone: end.timeZone ?? undefined,
        },
        suffix: utc,
        startMs,
      });
    }
  }
  return out;
}
