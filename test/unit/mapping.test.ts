import { describe, expect, it } from 'vitest';
import type { Activity } from '../../main/core/severa/models';
import {
  activityInputFromFields,
  activityPatchFromFields,
  eventFromFields,
  fieldsFromActivity,
  fieldsFromEvent,
  googleCopyId,
  hashFields,
  parseInstant,
  toZonedIso,
} from '../../main/core/sync/mapping';

/** Activity ⇄ event mapping: instants kept exactly, DST weekends, all-day exclusive ends. */
const HKI = 'Europe/Helsinki';

const activity = (o: Partial<Activity>): Activity => ({
  guid: '6f1c2a9e-1b2c-4d3e-8f90-a1b2c3d4e5f6',
  name: 'Sprint review',
  startDateTime: '2026-11-26T10:00:00+02:00',
  endDateTime: '2026-11-26T11:00:00+02:00',
  isAllDay: false,
  notes: null,
  location: null,
  activityType: { guid: 't', category: 'CalendarEntry' },
  ownerUser: { guid: 'u' },
  lastUpdatedDateTime: '2026-11-25T10:00:00Z',
  ...o,
});

/** Severa → fields → Google event → fields: the same hash (no false change on the next run). */
function roundTripsThroughGoogle(a: Activity): void {
  const f = fieldsFromActivity(a, HKI, a.activityType.category);
  const back = fieldsFromEvent(eventFromFields(f, HKI, { severaGuid: a.guid, origin: 'severa' }));
  expect(back).toEqual(f);
  expect(hashFields(back as NonNullable<typeof back>)).toBe(hashFields(f));
}

describe('time zones across the DST weekends of Europe/Helsinki', () => {
  it('spring forward (last Sunday of March): instants stay exact, offsets change', () => {
    const a = activity({
      startDateTime: '2026-03-29T02:30:00+02:00',
      endDateTime: '2026-03-29T05:00:00+03:00',
    });
    const f = fieldsFromActivity(a, HKI, 'CalendarEntry');
    expect(f).toMatchObject({ start: '2026-03-29T00:30:00.000Z', end: '2026-03-29T02:00:00.000Z' });
    const e = eventFromFields(f, HKI, { severaGuid: a.guid, origin: 'severa' });
    expect(e.start).toEqual({ dateTime: '2026-03-29T02:30:00+02:00', timeZone: HKI });
    expect(e.end).toEqual({ dateTime: '2026-03-29T05:00:00+03:00', timeZone: HKI });
    roundTripsThroughGoogle(a);
  });

  it('fall back (last Sunday of October): the repeated hour keeps both instants apart', () => {
    expect(toZonedIso(Date.parse('2026-10-25T00:30:00Z'), HKI)).toBe('2026-10-25T03:30:00+03:00');
    expect(toZonedIso(Date.parse('2026-10-25T01:30:00Z'), HKI)).toBe('2026-10-25T03:30:00+02:00');
    roundTripsThroughGoogle(
      activity({
        startDateTime: '2026-10-25T03:30:00+03:00',
        endDateTime: '2026-10-25T03:30:00+02:00',
      }),
    );
  });

  it('a Severa time without an offset is read in the user zone', () => {
    expect(new Date(parseInstant('2026-03-29T05:00:00', HKI)).toISOString()).toBe(
      '2026-03-29T02:00:00.000Z',
    );
    expect(new Date(parseInstant('2026-10-25T05:00:00', HKI)).toISOString()).toBe(
      '2026-10-25T03:00:00.000Z',
    );
    expect(new Date(parseInstant('2026-01-10T12:00:00', 'America/New_York')).toISOString()).toBe(
      '2026-01-10T17:00:00.000Z',
    );
  });

  it('every half hour of both DST weekends survives zoned formatting and parsing', () => {
    for (const day of ['2026-03-28T00:00:00Z', '2026-10-24T00:00:00Z']) {
      for (let t = Date.parse(day); t < Date.parse(day) + 2 * 86_400_000; t += 1_800_000) {
        expect(parseInstant(toZonedIso(t, HKI), HKI)).toBe(t);
      }
    }
  });
});

describe('all-day and multi-day', () => {
  it('one all-day day in Severa is one Google day with the exclusive end', () => {
    const a = activity({
      isAllDay: true,
      startDateTime: '2026-11-25T00:00:00+02:00',
      endDateTime: '2026-11-25T23:59:59+02:00',
    });
    const f = fieldsFromActivity(a, HKI, 'CalendarEntry');
    expect(f).toMatchObject({ allDay: true, start: '2026-11-25', end: '2026-11-26' });
    expect(eventFromFields(f, HKI, { severaGuid: a.guid, origin: 'severa' })).toMatchObject({
      start: { date: '2026-11-25' },
      end: { date: '2026-11-26' },
    });
    roundTripsThroughGoogle(a);
  });

  it('an all-day activity whose end is 00:00 of its own day, or missing, is still one day', () => {
    for (const endDateTime of ['2026-11-25T00:00:00+02:00', null]) {
      const f = fieldsFromActivity(
        activity({ isAllDay: true, startDateTime: '2026-11-25T00:00:00+02:00', endDateTime }),
        HKI,
        undefined,
      );
      expect(f).toMatchObject({ start: '2026-11-25', end: '2026-11-26' });
    }
  });

  it('a multi-day all-day activity across the October DST change', () => {
    const a = activity({
      isAllDay: true,
      startDateTime: '2026-10-24T00:00:00+03:00',
      endDateTime: '2026-10-26T23:59:59+02:00',
    });
    const f = fieldsFromActivity(a, HKI, 'Absences');
    expect(f).toMatchObject({ start: '2026-10-24', end: '2026-10-27', private: true });
    expect(activityInputFromFields(f, HKI, 't', 'u')).toMatchObject({
      startDateTime: '2026-10-24T00:00:00+03:00',
      endDateTime: '2026-10-26T23:59:59+02:00',
      isAllDay: true,
    });
  });

  it('a Google all-day event across the March DST change becomes Severa local days', () => {
    const f = fieldsFromEvent({
      summary: 'Ski trip',
      start: { date: '2026-03-28' },
      end: { date: '2026-03-30' },
    });
    expect(f).toMatchObject({ allDay: true, start: '2026-03-28', end: '2026-03-30' });
    const input = activityInputFromFields(f as NonNullable<typeof f>, HKI, 't', 'u');
    expect(input).toMatchObject({
      startDateTime: '2026-03-28T00:00:00+02:00',
      endDateTime: '2026-03-29T23:59:59+03:00',
    });
    const back = fieldsFromActivity({ ...activity({}), ...input, guid: 'g' }, HKI, 'CalendarEntry');
    expect(hashFields(back)).toBe(hashFields(f as NonNullable<typeof f>));
  });

  it('a multi-day timed event keeps its instants', () => {
    const f = fieldsFromEvent({
      start: { dateTime: '2026-11-26T22:00:00+02:00' },
      end: { dateTime: '2026-11-28T06:00:00+02:00' },
      summary: 'Night shift',
    });
    expect(f).toMatchObject({
      allDay: false,
      start: '2026-11-26T20:00:00.000Z',
      end: '2026-11-28T04:00:00.000Z',
    });
  });
});

describe('fields, privacy and patches', () => {
  it('Personal and Absences categories become private events; other categories do not', () => {
    expect(fieldsFromActivity(activity({}), HKI, 'Personal').private).toBe(true);
    expect(fieldsFromActivity(activity({}), HKI, 'SalesEvent').private).toBe(false);
    const e = eventFromFields(fieldsFromActivity(activity({}), HKI, 'Absences'), HKI, {
      severaGuid: 'g',
      origin: 'severa',
    });
    expect(e.visibility).toBe('private');
  });

  it('private and confidential Google events are private; notes line endings do not count as a change', () => {
    const base = {
      start: { dateTime: '2026-11-26T10:00:00Z' },
      end: { dateTime: '2026-11-26T11:00:00Z' },
    };
    expect(fieldsFromEvent({ ...base, visibility: 'confidential' })?.private).toBe(true);
    expect(fieldsFromEvent({ ...base, visibility: 'public' })?.private).toBe(false);
    const crlf = fieldsFromEvent({ ...base, description: 'a\r\nb' });
    const lf = fieldsFromEvent({ ...base, description: 'a\nb' });
    expect(hashFields(crlf as NonNullable<typeof crlf>)).toBe(
      hashFields(lf as NonNullable<typeof lf>),
    );
  });

  it('a cancelled stub without a start has no fields', () => {
    expect(fieldsFromEvent({ id: 'x', status: 'cancelled' })).toBeNull();
  });

  it('the hash changes with every synced field and only with them', () => {
    const f = fieldsFromActivity(activity({}), HKI, 'CalendarEntry');
    const variants = [
      { title: 'x' },
      { start: '2026-11-26T08:01:00.000Z' },
      { end: 'x' },
      { location: 'x' },
      { notes: 'x' },
      { private: true },
      { allDay: true },
    ];
    for (const v of variants) expect(hashFields({ ...f, ...v })).not.toBe(hashFields(f));
    expect(hashFields({ ...f })).toBe(hashFields(f));
  });

  it('an untitled Google event gets a name Severa accepts; a patch changes the type only when asked', () => {
    const f = fieldsFromEvent({
      start: { dateTime: '2026-11-26T10:00:00Z' },
      end: { dateTime: '2026-11-26T11:00:00Z' },
    });
    expect(activityInputFromFields(f as NonNullable<typeof f>, HKI, 't', 'u').name).toBe(
      '(untitled)',
    );
    const ops = activityPatchFromFields(f as NonNullable<typeof f>, HKI, null);
    expect(ops.map((o) => o.path)).not.toContain('/activityType/guid');
    expect(activityPatchFromFields(f as NonNullable<typeof f>, HKI, 'personal')).toContainEqual({
      op: 'Replace',
      path: '/activityType/guid',
      value: 'personal',
    });
  });
});

describe('googleCopyId', () => {
  const guid = '6F1C2A9E-1B2C-4D3E-8F90-A1B2C3D4E5F6';
  it('is valid base32hex, stable, and distinct per participant', () => {
    const a = googleCopyId(guid, 'aino@firma.example');
    expect(a).toMatch(/^[a-v0-9]{5,1024}$/);
    expect(a).toBe(googleCopyId(guid.toLowerCase(), ' Aino@Firma.example '));
    expect(a).not.toBe(googleCopyId(guid, 'ilmari@firma.example'));
    expect(a.startsWith('6f1c2a9e1b2c4d3e8f90a1b2c3d4e5f6')).toBe(true);
  });

  it('generations stay valid base32hex', () => {
    expect(googleCopyId(guid, 'aino@firma.example', 2)).toMatch(/^[a-v0-9]{5,1024}v2$/);
  });
});
