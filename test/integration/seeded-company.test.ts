import { afterEach, describe, expect, it } from 'vitest';
import { linksDigest, seedLinkedCompany } from '../helpers/seeded-company';
import { startWorld, type World, type WorldUser } from '../helpers/world';

/**
 * The benchmark's companies are built straight into the sandboxes and the state (a 1 000-user
 * company made by runs would cost a million requests). That is only a fair setup if it is what
 * runs would have left: a normal run over it, and a run that reads everything on both sides
 * again, find nothing to do and leave every link as it was.
 */
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const nothing = {
  ok: true,
  errors: [],
  adopted: 0,
  toGoogle: { created: 0, updated: 0, deleted: 0 },
  toSevera: { created: 0, updated: 0, deleted: 0 },
};

describe('the seeded company', () => {
  it('is what runs leave: a normal run and one reading both sides whole change nothing', async () => {
    world = await startWorld({ company: { users: 4 } });
    const seeded = seedLinkedCompany(world, 12);
    expect(seeded.links).toBe(4 * 24);
    const digest = () => {
      const state = world!.openState();
      try {
        return linksDigest(state);
      } finally {
        state.close();
      }
    };
    const before = digest();

    world.severa.control.clearRequestLog();
    expect(await world.sync()).toMatchObject(nothing);
    expect(digest()).toBe(before);

    // Every user's Google calendar listed whole (no token) and Severa window listed whole.
    const state = world.openState();
    for (const u of world.users) state.setUser(u.email, { syncToken: null, severaSweptAt: null });
    state.close();
    expect(await world.sync()).toMatchObject(nothing);
    expect(digest()).toBe(before);
  });

  it('records what a first run records of each pair', async () => {
    // One pair of each origin seeded, and one of each made by a first run in a company of its own.
    world = await startWorld({ company: { users: 1 } });
    seedLinkedCompany(world, 1);
    const ran = await startWorld({ company: { users: 1 } });
    try {
      const [user] = ran.users as [WorldUser];
      const made = new Date(Date.now() + 3 * 86_400_000).toISOString();
      const end = new Date(Date.parse(made) + 1_800_000).toISOString();
      ran.severa.control.activities.put({
        name: 'Made in Severa',
        startDateTime: made,
        endDateTime: end,
        activityType: { guid: ran.types.meeting },
        ownerUser: { guid: user.severaGuid },
      });
      ran.google.control.putEvent(user.email, {
        summary: 'Made in Google',
        start: { dateTime: made },
        end: { dateTime: end },
      });
      expect(await ran.sync()).toMatchObject({
        ok: true,
        toGoogle: { created: 1 },
        toSevera: { created: 1 },
      });
      // The same fields recorded, and the same facts of the activity.
      const shape = (w: World) => {
        const state = w.openState();
        const links = state.allLinks();
        state.close();
        return ['severa', 'google'].map((origin) => {
          const l = links.find((x) => x.origin === origin)!;
          return {
            keys: Object.keys(l).sort(),
            facts: Object.keys(l.severaFacts ?? {}).sort(),
            participants: l.severaFacts?.participants,
          };
        });
      };
      expect(shape(world)).toEqual(shape(ran));
    } finally {
      await ran.close();
    }
  });
});
