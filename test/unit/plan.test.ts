import { describe, expect, it } from 'vitest';
import { hashFields, type SyncFields } from '../../main/core/sync/mapping';
import {
  plan,
  resolveConflict,
  type Action,
  type ConflictPolicy,
  type GoogleItem,
  type Link,
  type Observed,
  type PlanInput,
  type SeveraItem,
} from '../../main/core/sync/plan';

/**
 * The decision table (design D6 + §3), one row per case. Each row builds the last agreed state
 * (links) and what each side shows now, and names the actions the plan must return.
 */
const USER = 'aino@firma.example';

const fields = (title: string, overrides: Partial<SyncFields> = {}): SyncFields => ({
  title,
  allDay: false,
  start: '2026-11-26T08:00:00.000Z',
  end: '2026-11-26T09:00:00.000Z',
  location: '',
  notes: '',
  private: false,
  ...overrides,
});

const sev = (guid: string, f: SyncFields, o: Partial<SeveraItem> = {}): SeveraItem => ({
  guid,
  fields: f,
  updated: '2026-11-25T10:00:00.000Z',
  hasHours: false,
  ownedByUser: true,
  participantGuid: null,
  eligible: true,
  inWindow: true,
  ...o,
});

const goo = (id: string, f: SyncFields, o: Partial<GoogleItem> = {}): GoogleItem => ({
  id,
  fields: f,
  updated: '2026-11-25T10:00:00.000Z',
  etag: null,
  severaGuid: null,
  origin: null,
  eligible: true,
  inWindow: true,
  ...o,
});

const copyId = (guid: string) => `${guid}c0py`;

/** A pair agreed on `f` (both sides hashed the same), Severa-origin by default. */
const link = (guid: string, f: SyncFields, o: Partial<Link> = {}): Link => ({
  user: USER,
  severaGuid: guid,
  googleId: copyId(guid),
  origin: 'severa',
  severaHash: hashFields(f),
  googleHash: hashFields(f),
  severaUpdated: '2026-11-24T10:00:00.000Z',
  googleUpdated: '2026-11-24T10:00:00.000Z',
  start: f.start,
  held: null,
  ...o,
});

const present = <T>(item: T): Observed<T> => ({ kind: 'present', item });
const gone = { kind: 'gone' } as const;

interface Row {
  name: string;
  links?: Link[];
  severa?: [string, Observed<SeveraItem>][];
  google?: [string, Observed<GoogleItem>][];
  full?: PlanInput['fullListingCount'];
  policy?: ConflictPolicy;
  heldDecision?: PlanInput['heldDecision'];
  expect: Action['kind'][];
  held?: number;
  brake?: 'google' | 'severa';
  check?: (actions: Action[]) => void;
}

const A = fields('Planning');
const A2 = fields('Planning (moved)', {
  start: '2026-11-26T10:00:00.000Z',
  end: '2026-11-26T11:00:00.000Z',
});
const A3 = fields('Planning (renamed in Google)');
const later = '2026-11-25T12:00:00.000Z';
const earlier = '2026-11-25T11:00:00.000Z';

const manyLinks = (n: number) =>
  Array.from({ length: n }, (_, i) => link(`g${i}`, fields(`Item ${i}`)));

const rows: Row[] = [
  // ---- new on one side ----
  {
    name: 'new in Severa → copy to Google under the deterministic id',
    severa: [['s1', present(sev('s1', A))]],
    expect: ['create-google'],
    check: (a) => expect(a[0]).toMatchObject({ googleId: copyId('s1') }),
  },
  {
    name: 'new in Severa outside the window → nothing',
    severa: [['s1', present(sev('s1', A, { inWindow: false }))]],
    expect: [],
  },
  {
    name: 'new in Severa, type not selected → nothing',
    severa: [['s1', present(sev('s1', A, { eligible: false }))]],
    expect: [],
  },
  {
    name: 'new all-day multi-day activity → copy to Google',
    severa: [
      [
        's1',
        present(
          sev('s1', fields('Trip', { allDay: true, start: '2026-11-26', end: '2026-11-29' })),
        ),
      ],
    ],
    expect: ['create-google'],
  },
  {
    name: 'new in Google → activity in Severa',
    google: [['e1', present(goo('e1', A))]],
    expect: ['create-severa'],
  },
  {
    name: 'new private Google event → activity (private carried for the Personal type)',
    google: [['e1', present(goo('e1', fields('Dentist', { private: true })))]],
    expect: ['create-severa'],
    check: (a) => expect(a[0]).toMatchObject({ google: { fields: { private: true } } }),
  },
  {
    name: 'new recurring Google series → one activity per instance',
    google: [
      ['r_20261126', present(goo('r_20261126', A))],
      [
        'r_20261203',
        present(
          goo(
            'r_20261203',
            fields('Planning', {
              start: '2026-12-03T08:00:00.000Z',
              end: '2026-12-03T09:00:00.000Z',
            }),
          ),
        ),
      ],
    ],
    expect: ['create-severa', 'create-severa'],
  },
  {
    name: 'new in Google, declined by the user → nothing',
    google: [['e1', present(goo('e1', A, { eligible: false }))]],
    expect: [],
  },
  {
    name: 'new in Google outside the window (incremental listing) → nothing',
    google: [['e1', present(goo('e1', A, { inWindow: false }))]],
    expect: [],
  },
  {
    name: 'our own copy without its activity → never a new activity',
    google: [['x', present(goo('x', A, { origin: 'severa', severaGuid: 'lost' }))]],
    expect: [],
  },
  { name: 'deleted in Google, never linked → nothing', google: [['e1', gone]], expect: [] },

  // ---- first run / lost database: adoption ----
  {
    name: 'unlinked pair with the same title, start and end → adopt, no duplicate',
    severa: [['s1', present(sev('s1', A))]],
    google: [['e1', present(goo('e1', A))]],
    expect: ['adopt'],
    check: (a) => expect(a[0]).toMatchObject({ origin: 'google', then: null }),
  },
  {
    name: 'our copy found by the GUID on the event → adopt as Severa-origin',
    severa: [['s1', present(sev('s1', A))]],
    google: [['e9', present(goo('e9', A, { severaGuid: 's1', origin: 'severa' }))]],
    expect: ['adopt'],
    check: (a) => expect(a[0]).toMatchObject({ origin: 'severa' }),
  },
  {
    name: 'our copy found by its deterministic id → adopt',
    severa: [['s1', present(sev('s1', A))]],
    google: [[copyId('s1'), present(goo(copyId('s1'), A2))]],
    expect: ['adopt'],
    check: (a) => expect(a[0]).toMatchObject({ then: 'update-google' }),
  },
  {
    name: 'adopted pair that differs, Google changed later → adopt then update Severa',
    severa: [['s1', present(sev('s1', A, { updated: earlier }))]],
    google: [
      ['e1', present(goo('e1', A3, { severaGuid: 's1', origin: 'google', updated: later }))],
    ],
    expect: ['adopt'],
    check: (a) => expect(a[0]).toMatchObject({ origin: 'google', then: 'update-severa' }),
  },
  {
    name: 'same slot but a different title → no adoption, both created',
    severa: [['s1', present(sev('s1', A))]],
    google: [['e1', present(goo('e1', A3))]],
    expect: ['create-google', 'create-severa'],
  },

  // ---- linked: changed on one side, echoes ----
  {
    name: 'changed in Severa → update Google',
    links: [link('s1', A)],
    severa: [['s1', present(sev('s1', A2))]],
    expect: ['update-google'],
  },
  {
    name: 'changed in Google → update Severa',
    links: [link('s1', A)],
    google: [[copyId('s1'), present(goo(copyId('s1'), A3))]],
    expect: ['update-severa'],
  },
  {
    name: 'made private in Google → update Severa',
    links: [link('s1', A)],
    google: [[copyId('s1'), present(goo(copyId('s1'), { ...A, private: true }))]],
    expect: ['update-severa'],
  },
  {
    name: 'echo: our own write comes back with the same hash → nothing',
    links: [link('s1', A)],
    severa: [['s1', present(sev('s1', A))]],
    google: [[copyId('s1'), present(goo(copyId('s1'), A))]],
    expect: [],
  },
  { name: 'not listed this run → unchanged → nothing', links: [link('s1', A)], expect: [] },
  {
    name: 'activity type deselected → the Google copy is removed',
    links: [link('s1', A)],
    severa: [['s1', present(sev('s1', A, { eligible: false }))]],
    expect: ['delete-google'],
  },
  {
    name: 'invitation declined after linking → the activity is removed',
    links: [link('s1', A, { origin: 'google' })],
    google: [[copyId('s1'), present(goo(copyId('s1'), A, { eligible: false }))]],
    expect: ['delete-severa'],
  },

  // ---- linked: deletions ----
  {
    name: 'deleted in Severa → delete in Google',
    links: [link('s1', A)],
    severa: [['s1', gone]],
    expect: ['delete-google'],
  },
  {
    name: 'deleted in Google → delete in Severa',
    links: [link('s1', A)],
    google: [[copyId('s1'), gone]],
    severa: [['s1', present(sev('s1', A))]],
    expect: ['delete-severa'],
  },
  {
    name: 'deleted in Google, activity has work hours → restore the Google copy',
    links: [link('s1', A)],
    google: [[copyId('s1'), gone]],
    severa: [['s1', present(sev('s1', A, { hasHours: true }))]],
    expect: ['restore-google'],
  },
  {
    name: 'deleted in Google, edited in Severa → the edit wins, copy restored',
    links: [link('s1', A)],
    google: [[copyId('s1'), gone]],
    severa: [['s1', present(sev('s1', A2))]],
    expect: ['restore-google'],
  },
  {
    name: 'deleted in Severa, edited in Google → the edit wins, new activity',
    links: [link('s1', A)],
    severa: [['s1', gone]],
    google: [[copyId('s1'), present(goo(copyId('s1'), A3))]],
    expect: ['create-severa'],
    check: (a) => expect(a[0]).toMatchObject({ replaces: { severaGuid: 's1' } }),
  },
  {
    name: 'deleted on both sides → forget the link',
    links: [link('s1', A)],
    severa: [['s1', gone]],
    google: [[copyId('s1'), gone]],
    expect: ['relink'],
  },
  {
    name: 'participant deletes their copy → delete-severa (apply removes only the participant)',
    links: [link('s1', A)],
    google: [[copyId('s1'), gone]],
    severa: [['s1', present(sev('s1', A, { ownedByUser: false, participantGuid: 'p1' }))]],
    expect: ['delete-severa'],
    check: (a) => expect(a[0]).toMatchObject({ severa: { participantGuid: 'p1' } }),
  },

  // ---- linked: changed on both sides ----
  {
    name: 'changed on both sides to the same thing → relink, no conflict',
    links: [link('s1', A)],
    severa: [['s1', present(sev('s1', A2))]],
    google: [[copyId('s1'), present(goo(copyId('s1'), A2))]],
    expect: ['relink'],
  },
  {
    name: 'conflict, later change wins: Google later → update Severa',
    links: [link('s1', A)],
    severa: [['s1', present(sev('s1', A2, { updated: earlier }))]],
    google: [[copyId('s1'), present(goo(copyId('s1'), A3, { updated: later }))]],
    expect: ['update-severa'],
    check: (a) =>
      expect(a[0]).toMatchObject({ conflict: { winner: 'google', severa: A2, google: A3 } }),
  },
  {
    name: 'conflict, later change wins: Severa later → update Google',
    links: [link('s1', A)],
    severa: [['s1', present(sev('s1', A2, { updated: later }))]],
    google: [[copyId('s1'), present(goo(copyId('s1'), A3, { updated: earlier }))]],
    expect: ['update-google'],
    check: (a) => expect(a[0]).toMatchObject({ conflict: { winner: 'severa' } }),
  },
  {
    name: 'conflict, Severa wins (even when Google is later)',
    policy: 'severa-wins',
    links: [link('s1', A)],
    severa: [['s1', present(sev('s1', A2, { updated: earlier }))]],
    google: [[copyId('s1'), present(goo(copyId('s1'), A3, { updated: later }))]],
    expect: ['update-google'],
  },
  {
    name: 'conflict, Google wins (even when Severa is later)',
    policy: 'google-wins',
    links: [link('s1', A)],
    severa: [['s1', present(sev('s1', A2, { updated: later }))]],
    google: [[copyId('s1'), present(goo(copyId('s1'), A3, { updated: earlier }))]],
    expect: ['update-severa'],
  },

  // ---- brakes ----
  {
    name: 'brake: Google lists nothing for a user with items → stop, no actions',
    links: manyLinks(3),
    full: { google: 0 },
    severa: [['s9', present(sev('s9', A))]],
    expect: [],
    brake: 'google',
  },
  {
    name: 'brake: Severa lists nothing for a user with items → stop, no actions',
    links: manyLinks(3),
    full: { severa: 0 },
    expect: [],
    brake: 'severa',
  },
  {
    name: 'empty listing for a user with no links → not a brake',
    full: { google: 0, severa: 0 },
    expect: [],
  },
  {
    name: 'mass deletion over the threshold → held, other actions still run',
    links: manyLinks(10),
    severa: [
      ...manyLinks(6).map((l) => [l.severaGuid, gone] as [string, Observed<SeveraItem>]),
      ['new', present(sev('new', A))],
    ],
    expect: ['create-google'],
    held: 6,
  },
  {
    name: 'a few deletions (under the minimum) → applied even over the share',
    links: manyLinks(3),
    severa: [
      ['g0', gone],
      ['g1', gone],
    ],
    expect: ['delete-google', 'delete-google'],
  },
  {
    name: "held link without the admin's answer → nothing",
    links: [link('s1', A, { held: 'delete-google' })],
    expect: [],
  },
  {
    name: 'held deletion confirmed → delete, even over the threshold',
    heldDecision: 'confirm',
    links: manyLinks(6).map((l) => ({ ...l, held: 'delete-google' as const })),
    expect: Array(6).fill('delete-google') as Action['kind'][],
  },
  {
    name: 'held Google-side deletion confirmed, but work hours were logged since → restore',
    heldDecision: 'confirm',
    links: [link('s1', A, { held: 'delete-severa' })],
    severa: [['s1', present(sev('s1', A, { hasHours: true }))]],
    expect: ['restore-google'],
  },
  {
    name: 'held Google-side deletion confirmed → delete in Severa',
    heldDecision: 'confirm',
    links: [link('s1', A, { held: 'delete-severa' })],
    severa: [['s1', present(sev('s1', A))]],
    expect: ['delete-severa'],
  },
  {
    name: 'held Google-side deletion rejected → the Google copy is restored',
    heldDecision: 'reject',
    links: [link('s1', A, { held: 'delete-severa' })],
    severa: [['s1', present(sev('s1', A))]],
    expect: ['restore-google'],
  },
  {
    name: 'held Severa-side deletion rejected → the activity is re-created',
    heldDecision: 'reject',
    links: [link('s1', A, { held: 'delete-google' })],
    google: [[copyId('s1'), present(goo(copyId('s1'), A))]],
    expect: ['create-severa'],
  },
  // ---- meetings: attendees in Google ⇄ participants in Severa (one activity, the organiser's) ----
  {
    name: 'new meeting organised in Google with synced attendees → one activity, the attendees as participants (not the declined one)',
    google: [
      [
        'm1',
        present(
          goo('m1', A, {
            attendees: [
              { email: 'ilmari@firma.example', declined: false },
              { email: 'kerttu@firma.example', declined: true },
            ],
          }),
        ),
      ],
    ],
    expect: ['create-severa'],
    check: (a) => expect(a[0]).toMatchObject({ participants: ['ilmari@firma.example'] }),
  },
  {
    name: 'linked meeting gains an attendee → the attendee joins the activity',
    links: [link('s1', A, { googleId: 'm1', origin: 'google' })],
    severa: [
      ['s1', present(sev('s1', A, { participants: new Map([['ilmari@firma.example', 'p1']]) }))],
    ],
    google: [
      [
        'm1',
        present(
          goo('m1', A, {
            attendees: [
              { email: 'ilmari@firma.example', declined: false },
              { email: 'kerttu@firma.example', declined: false },
            ],
          }),
        ),
      ],
    ],
    expect: ['sync-participants'],
    check: (a) => expect(a[0]).toMatchObject({ add: ['kerttu@firma.example'], remove: [] }),
  },
  {
    name: 'an attendee declines the meeting → they leave the activity; a participant added in Severa stays',
    links: [link('s1', A, { googleId: 'm1', origin: 'google' })],
    severa: [
      [
        's1',
        present(
          sev('s1', A, {
            participants: new Map([
              ['ilmari@firma.example', 'p1'],
              ['pekka@firma.example', 'p2'],
            ]),
          }),
        ),
      ],
    ],
    google: [
      [
        'm1',
        present(goo('m1', A, { attendees: [{ email: 'ilmari@firma.example', declined: true }] })),
      ],
    ],
    expect: ['sync-participants'],
    check: (a) => expect(a[0]).toMatchObject({ add: [], remove: ['ilmari@firma.example'] }),
  },
  {
    name: 'attendees and participants agree → nothing',
    links: [link('s1', A, { googleId: 'm1', origin: 'google' })],
    severa: [
      ['s1', present(sev('s1', A, { participants: new Map([['ilmari@firma.example', null]]) }))],
    ],
    google: [
      [
        'm1',
        present(goo('m1', A, { attendees: [{ email: 'ilmari@firma.example', declined: false }] })),
      ],
    ],
    expect: [],
  },
  {
    name: "an attendee's own copy of the source meeting → adopted, never a second copy",
    severa: [
      [
        's1',
        present(sev('s1', A, { ownedByUser: false, participantGuid: 'p1', sourceEventId: 'm1' })),
      ],
    ],
    google: [['m1', present(goo('m1', A, { eligible: false }))]],
    expect: ['adopt'],
    check: (a) => expect(a[0]).toMatchObject({ google: { id: 'm1' }, origin: 'google' }),
  },
  {
    name: "an attendee's copy of the source meeting is gone → they leave the activity",
    severa: [
      [
        's1',
        present(sev('s1', A, { ownedByUser: false, participantGuid: 'p1', sourceEventId: 'm1' })),
      ],
    ],
    google: [['m1', gone]],
    expect: ['sync-participants'],
    check: (a) => expect(a[0]).toMatchObject({ remove: [USER], add: [] }),
  },
  {
    name: 'a participant added in Severa who is not an attendee (no copy of the source) → their own copy',
    severa: [
      [
        's1',
        present(sev('s1', A, { ownedByUser: false, participantGuid: 'p1', sourceEventId: 'm1' })),
      ],
    ],
    expect: ['create-google'],
  },

  // ---- occurrences of a recurring Severa activity ----
  {
    name: "the owner deletes one occurrence's copy in Google → the copy comes back (never a Severa deletion)",
    links: [link('s1', A)],
    severa: [['s1', present(sev('s1', A, { occurrence: true }))]],
    google: [[copyId('s1'), gone]],
    expect: ['restore-google'],
    check: (a) => expect(a[0]).toMatchObject({ reason: 'occurrence' }),
  },
  {
    name: "a participant deletes one occurrence's copy → they leave that occurrence only",
    links: [link('s1', A)],
    severa: [
      [
        's1',
        present(sev('s1', A, { occurrence: true, ownedByUser: false, participantGuid: 'p1' })),
      ],
    ],
    google: [[copyId('s1'), gone]],
    expect: ['delete-severa'],
    check: (a) => expect(a[0]).toMatchObject({ severa: { participantGuid: 'p1' } }),
  },
  {
    name: "an occurrence's copy edited in Google → Severa's version is put back",
    links: [link('s1', A)],
    severa: [['s1', present(sev('s1', A, { occurrence: true }))]],
    google: [[copyId('s1'), present(goo(copyId('s1'), A3))]],
    expect: ['update-google'],
    check: (a) => expect(a[0]).toMatchObject({ reason: 'occurrence', severa: { fields: A } }),
  },
  {
    name: 'an occurrence edited on both sides → Severa wins, whatever the policy',
    links: [link('s1', A)],
    severa: [['s1', present(sev('s1', A2, { occurrence: true, updated: earlier }))]],
    google: [[copyId('s1'), present(goo(copyId('s1'), A3, { updated: later }))]],
    policy: 'google-wins',
    expect: ['update-google'],
  },
  {
    name: 'an occurrence deleted in Severa → only its copy goes',
    links: [link('s1', A), link('s2', fields('Next occurrence'))],
    severa: [['s1', gone]],
    expect: ['delete-google'],
    check: (a) => expect(a[0]).toMatchObject({ link: { severaGuid: 's1' } }),
  },
];

describe('plan: the decision table', () => {
  for (const row of rows) {
    it(row.name, () => {
      const result = plan({
        user: USER,
        links: row.links ?? [],
        severa: new Map(row.severa ?? []),
        google: new Map(row.google ?? []),
        fullListingCount: row.full ?? {},
        policy: row.policy ?? 'later-wins',
        deletionThresholdPercent: 25,
        copyId,
        heldDecision: row.heldDecision,
      });
      expect(result.actions.map((a) => a.kind)).toEqual(row.expect);
      expect(result.held).toHaveLength(row.held ?? 0);
      expect(result.brake?.side ?? null).toBe(row.brake ?? null);
      row.check?.(result.actions);
    });
  }
});

describe('resolveConflict', () => {
  it('gives a tie or a missing time to Severa', () => {
    expect(resolveConflict('later-wins', later, later)).toBe('severa');
    expect(resolveConflict('later-wins', null, null)).toBe('severa');
    expect(resolveConflict('later-wins', null, later)).toBe('google');
    expect(resolveConflict('later-wins', later, null)).toBe('severa');
  });
});
