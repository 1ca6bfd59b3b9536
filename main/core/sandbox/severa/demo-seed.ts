import { DEMO_PEOPLE } from '../demo-company';
import type { ActivityType, SeveraUser } from '../../severa/models';
import type { SandboxActivity, SeveraSandboxStore } from './store';

const DAY = 86_400_000;

/** Severa's time zone list (`TimezoneModel`) for the demo people's zones. */
const TIME_ZONES: Record<string, { guid: string; name: string; systemName: string }> = {
  'Europe/Helsinki': {
    guid: '8f0e2b4c-5a61-4c3e-9d7a-0b1c2d3e4f50',
    name: '(UTC+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius',
    systemName: 'FLE Standard Time',
  },
  'Europe/Stockholm': {
    guid: '8f0e2b4c-5a61-4c3e-9d7a-0b1c2d3e4f51',
    name: '(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna',
    systemName: 'W. Europe Standard Time',
  },
};
const BUSINESS_UNIT = {
  guid: '2c9d1e3f-4a5b-4c6d-8e7f-901a2b3c4d5e',
  name: 'Kalevala Oy',
  code: 'KAL',
  companyGuid: '2c9d1e3f-4a5b-4c6d-8e7f-901a2b3c4d5f',
  companyName: 'Kalevala Oy',
  companyBusinessUnitGuid: null,
  companyCountryGuid: null,
  companyCurrencyGuid: null,
};
// The document's ActivityCustomer and ActivityPhase (more fields than the product reads).
const POHJOLA = {
  guid: '3d4e5f60-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
  name: 'Pohjola Oy',
  number: 1001,
};
const IMPLEMENTATION_PHASE = {
  guid: '4e5f6071-8b9c-4dae-9f01-2b3c4d5e6f70',
  name: 'Käyttöönotto',
  isLocked: false,
  projectGuid: '5f607182-9cad-4ebf-a012-3c4d5e6f7081',
  projectName: 'Pohjolan toiminnanohjaus',
  projectNumber: 2042,
  projectOwnerGuid: null,
};
const FINNISH = {
  guid: '6a0b1c2d-3e4f-4a5b-8c6d-7e8f90a1b2c3',
  code: 'fi-FI',
  name: 'suomi',
  englishName: 'Finnish',
};

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

  const people: SeveraUser[] = DEMO_PEOPLE.map((p, i) =>
    store.putUser({
      firstName: p.firstName,
      lastName: p.lastName,
      email: p.severaEmail,
      isActive: true,
      code: `K${String(101 + i)}`,
      title: i === 0 ? 'Toimitusjohtaja' : 'Konsultti',
      phone: `+358 40 555 01${String(i).padStart(2, '0')}`,
      timezone: {
        ...(TIME_ZONES[p.timeZone] ?? TIME_ZONES['Europe/Helsinki']!),
        ianaName: p.timeZone,
      },
      defaultActivityType: { guid: types.meeting!.guid, name: types.meeting!.name },
      businessUnit: BUSINESS_UNIT,
      culture: FINNISH,
      language: FINNISH,
      userType: 'FullUser',
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
    extra: Partial<SandboxActivity> = {},
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
    customer: POHJOLA,
    phase: IMPLEMENTATION_PHASE,
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
  add(aino, 'task', 'Kuukausiraportti', at(day(2), 13), at(day(2), 14), {
    projectTaskStatus: { guid: '60718293-adbe-4fc0-b123-4d5e6f708192', name: 'Kesken' },
  });
  const sales = add(pekka, 'meeting', 'Myyntipalaveri', at(day(3), 9), at(day(3), 10));
  store.addParticipant(sales.guid, aino.guid);
  add(kerttu, 'meeting', 'Ohjausryhmä', at(day(7), 11), at(day(7), 12, 30), {
    notes: 'Seuraavan viikon ohjausryhmä.',
  });

  // A daily stand-up: the master (left out of default listings) and its weekday occurrences.
  // Weekdays, as Severa's ActivityRecurrenceModel describes it; occurrences take its participants.
  const series = add(ilmari, 'meeting', 'Aamupalaveri', at(day(0), 6, 30), at(day(0), 6, 45), {
    recurrenceType: 'Series',
    recurrenceRule: 'FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=5',
    recurrence: {
      frequency: 'Daily',
      pattern: {
        daily: { everyWeekday: true, interval: null },
        weekly: null,
        monthly: null,
        yearly: null,
      },
      range: { maxOccurrences: 5, recursUntilDate: null },
      lastOccurrenceDateTime: at(day(4), 6, 30),
      exceptions: [],
    },
  });
  store.addParticipant(series.guid, vaino.guid);
  for (let n = 0; n < 5; n++) {
    add(ilmari, 'meeting', 'Aamupalaveri', at(day(n), 6, 30), at(day(n), 6, 45), {
      recurrenceType: 'Occurrence',
      recurrenceParentActivityGuid: series.guid,
    });
  }
}
