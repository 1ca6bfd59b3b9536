import { DEMO_PEOPLE } from '../demo-company';
import type { Activity, ActivityType, SeveraUser } from '../../severa/models';
import type { SeveraSandboxStore } from './store';

const DAY = 86_400_000;

/** `2026-03-30T00:00:00+03:00`: a local midnight with that day's offset in `timeZone`. */
function localMidnight(day: Date, timeZone: string): string {
  const date = day.toISOString().slice(0, 10);
  const noon = new Date(`${date}T12:00:00Z`);
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(noon)
    .find((p) => p.type === 'timeZoneName')?.value;
  const offset = name && name !== 'GMT' ? name.replace('GMT', '') : 'Z';
  return `${date}T00:00:00${offset}`;
}

/** An instant on `day` at hh:mm UTC, without milliseconds. */
const at = (day: Date, hours: number, minutes = 0) =>
  new Date(day.getTime() + hours * 3_600_000 + minutes * 60_000)
    .toISOString()
    .replace('.000Z', 'Z');

/**
 * The demo company's Severa side (design D9): the people of demo-company.ts (most match a
 * Google account, Lemmikki's address has a typo, Pekka has none) plus a former employee, an
 * activity type of every category and one inactive type, and a week of activities around now:
 * meetings with participants, a customer visit with work hours, a private appointment, an
 * all-day holiday, a task, and a daily series with its occurrences.
 */
export function seedDemoCompany(store: SeveraSandboxStore, now = new Date()): void {
  const types: Record<string, ActivityType> = {};
  const addType = (
    key: string,
    seed: Pick<ActivityType, 'name' | 'category'> & Partial<ActivityType>,
  ) => (types[key] = store.putActivityType(seed));
  addType('meeting', { name: 'Palaveri', category: 'CalendarEntry', isDefault: true, code: 'PAL' });
  addType('visit', { name: 'Asiakaskäynti', category: 'SalesEvent', code: 'ASK' });
  addType('personal', { name: 'Henkilökohtainen', category: 'Personal', code: 'HEN' });
  addType('holiday', { name: 'Loma', category: 'Absences', code: 'LOM' });
  addType('task', { name: 'Tehtävä', category: 'Task', code: 'TEH' });
  addType('old', { name: 'Vanha palaveri', category: 'CalendarEntry', isActive: false });

  const people: SeveraUser[] = DEMO_PEOPLE.map((p) =>
    store.putUser({
      firstName: p.firstName,
      lastName: p.lastName,
      email: p.severaEmail,
      isActive: true,
      timezone: { ianaName: p.timeZone, name: p.timeZone },
      defaultActivityType: { guid: types.meeting!.guid, name: types.meeting!.name },
    }),
  );
  store.putUser({
    firstName: 'Ukko',
    lastName: 'Ylijumala',
    email: 'ukko.ylijumala@kalevala.example',
    isActive: false,
  });
  const [aino, ilmari, kerttu, vaino, lemmikki, pekka] = people as [
    SeveraUser,
    SeveraUser,
    SeveraUser,
    SeveraUser,
    SeveraUser,
    SeveraUser,
  ];

  // Monday 00:00 UTC of this week.
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const monday = new Date(today.getTime() - ((today.getUTCDay() + 6) % 7) * DAY);
  const day = (n: number) => new Date(monday.getTime() + n * DAY);
  const add = (
    owner: SeveraUser,
    type: string,
    name: string,
    start: string,
    end: string | null,
    extra: Partial<Activity> = {},
  ) =>
    store.putActivity({
      name,
      startDateTime: start,
      endDateTime: end,
      activityType: { guid: types[type]!.guid },
      ownerUser: { guid: owner.guid },
      ...extra,
    });

  const weekly = add(aino, 'meeting', 'Viikkopalaveri', at(day(0), 8), at(day(0), 9), {
    location: 'Neuvotteluhuone Väinämöinen',
    notes: 'Viikon kuulumiset ja tavoitteet.',
  });
  for (const p of [ilmari, kerttu, lemmikki]) store.addParticipant(weekly.guid, p.guid);
  add(ilmari, 'visit', 'Asiakaskäynti: Pohjola Oy', at(day(1), 10), at(day(1), 12), {
    location: 'Pohjolankatu 1, Oulu',
    hasHours: true,
  });
  add(kerttu, 'personal', 'Hammaslääkäri', at(day(2), 12), at(day(2), 13));
  add(
    vaino,
    'holiday',
    'Loma',
    localMidnight(day(3), vaino.timezone?.ianaName ?? 'Europe/Stockholm'),
    localMidnight(day(5), vaino.timezone?.ianaName ?? 'Europe/Stockholm'),
    { isAllDay: true },
  );
  add(aino, 'task', 'Kuukausiraportti', at(day(2), 13), at(day(2), 14));
  const sales = add(pekka, 'meeting', 'Myyntipalaveri', at(day(3), 9), at(day(3), 10));
  store.addParticipant(sales.guid, aino.guid);
  add(kerttu, 'meeting', 'Ohjausryhmä', at(day(7), 11), at(day(7), 12, 30), {
    notes: 'Seuraavan viikon ohjausryhmä.',
  });

  // A daily stand-up: the master (left out of default listings) and its weekday occurrences.
  const series = add(ilmari, 'meeting', 'Aamupalaveri', at(day(0), 6, 30), at(day(0), 6, 45), {
    recurrenceType: 'Series',
  });
  for (let n = 0; n < 5; n++) {
    const occurrence = add(
      ilmari,
      'meeting',
      'Aamupalaveri',
      at(day(n), 6, 30),
      at(day(n), 6, 45),
      {
        recurrenceType: 'Occurrence',
        recurrenceParentActivityGuid: series.guid,
      },
    );
    store.addParticipant(occurrence.guid, vaino.guid);
  }
}
