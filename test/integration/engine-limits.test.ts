import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world';

/**
 * A run with several users at once stays inside Severa's limit (design §4): the sandbox answers
 * 429 beyond 10 requests/s, so a run that never meets one, with more requests than fit in a
 * second, kept the limit with users' listings and creates in parallel.
 */
let world: World;
const ACTIVITIES = 40;

beforeAll(async () => {
  world = await startWorld({ company: { users: 6 } });
  const start = Date.now() + 86_400_000;
  for (let i = 0; i < ACTIVITIES; i++) {
    const owner = world.users[i % world.users.length];
    world.severa.control.activities.put({
      name: `Load ${i}`,
      startDateTime: new Date(start + i * 3_600_000).toISOString(),
      endDateTime: new Date(start + i * 3_600_000 + 1_800_000).toISOString(),
      activityType: { guid: world.types.meeting },
      ownerUser: { guid: owner?.severaGuid ?? '' },
    });
    // Each becomes an activity: one create each, from six users at once.
    world.google.control.putEvent(owner?.email ?? '', {
      summary: `Event ${i}`,
      start: { dateTime: new Date(start + i * 3_600_000 + 1_800_000).toISOString() },
      end: { dateTime: new Date(start + (i + 1) * 3_600_000).toISOString() },
    });
  }
  world.severa.control.clearRequestLog();
});
afterAll(async () => world?.close());

it('syncs 6 users concurrently without one 429 from Severa', async () => {
  const started = Date.now();
  const r = await world.sync({ concurrency: 6 });
  expect(r).toMatchObject({
    ok: true,
    users: 6,
    toGoogle: { created: ACTIVITIES },
    toSevera: { created: ACTIVITIES },
  });
  const log = world.severa.control.requestLog;
  expect(log.length).toBeGreaterThan(ACTIVITIES);
  expect(log.filter((q) => q.status === 429)).toEqual([]);
  // More requests than one second allows, so the limiter had to pace them.
  expect(Date.now() - started).toBeGreaterThanOrEqual(((log.length - 10) / 10) * 1000 - 500);
  const googleErrors = world.google.control.requests().filter((q) => q.status >= 400);
  expect(googleErrors).toEqual([]);
}, 60_000);
