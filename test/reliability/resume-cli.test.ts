import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { besideProgress, CLI, REPO, runCli } from '../helpers/cli';
import { convergenceReport, startWorld, type World } from '../helpers/world';

/*
 * A first sync that stops midway resumes (issue 12): the built CLI `sync` (one user at a time)
 * is killed with SIGKILL once some users are finished; the next `sync` finishes the others
 * without listing the finished users' windows again on either side, and its log says it
 * resumed. Real keychain: run under `bash scripts/with-keyring.sh`.
 */

const USERS = 6;
const ITEMS = 6;
const DAY = 86_400_000;
const HOUR = 3_600_000;

let world: World;

beforeAll(async () => {
  world = await startWorld({ company: { users: USERS }, keychain: true, latencyMs: 3 });
  const base = Math.floor(Date.now() / DAY) * DAY;
  for (const [u, user] of world.users.entries())
    for (let i = 0; i < ITEMS; i++) {
      const start = base + (1 + i) * DAY + 9 * HOUR;
      world.severa.control.activities.put({
        name: `Activity ${i} of ${u}`,
        startDateTime: new Date(start).toISOString(),
        endDateTime: new Date(start + HOUR).toISOString(),
        activityType: { guid: world.types.meeting },
        ownerUser: { guid: user.severaGuid },
      });
      world.google.control.putEvent(user.email, {
        summary: `Event ${i} of ${u}`,
        start: { dateTime: new Date(start + 2 * HOUR).toISOString() },
        end: { dateTime: new Date(start + 3 * HOUR).toISOString() },
      });
    }
});
afterAll(async () => world?.close());

interface UserRow {
  email: string;
  lastRunAt: string | null;
  syncToken: string | null;
}

/** Users the state has finished (a run recorded them with their sync token). */
function finishedUsers(): UserRow[] {
  const state = world.openState();
  try {
    return state.listUsers().filter((u) => u.lastRunAt !== null && u.syncToken !== null);
  } finally {
    state.close();
  }
}

/** `sync` one user at a time, killed with SIGKILL once `finished` users are done. */
function syncKilledAfter(finished: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'node',
      [CLI, '--profile', world.profileDir, 'sync', '--concurrency', '1', '--json'],
      { cwd: REPO, stdio: 'ignore' },
    );
    const poll = setInterval(() => {
      if (finishedUsers().length >= finished) child.kill('SIGKILL');
    }, 5);
    child.once('error', reject);
    child.once('exit', (_code, signal) => {
      clearInterval(poll);
      resolve(signal === 'SIGKILL');
    });
  });
}

describe('a first sync killed midway', () => {
  it('finishes on the next run without listing the users it completed again, and says so', async () => {
    expect(await syncKilledAfter(2)).toBe(true);
    const done = finishedUsers().map((u) => u.email);
    expect(done.length).toBeGreaterThanOrEqual(2);
    expect(done.length).toBeLessThan(USERS);
    const severaGuid = new Map(world.users.map((u) => [u.email, u.severaGuid]));

    world.severa.control.clearRequestLog();
    const googleFrom = world.google.control.requests().length;
    const next = await runCli(world.profileDir, ['sync', '--json'], { timeoutMs: 60_000 });
    expect(besideProgress(next.stderr)).toBe('');
    expect(JSON.parse(next.stdout)).toMatchObject({ ok: true, users: USERS, errors: [] });
    // Its progress says so too: every event after the first names the run it goes on from.
    const events = next.stderr
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { resumed: { usersDone: number } | null });
    expect(events.at(-1)?.resumed?.usersDone).toBe(done.length);

    // Severa: the unfinished users' windows listed (userGuids over the window), none of the
    // finished users' (their changes come with everyone's, `changedSince`).
    const listedUsers = world.severa.control.requestLog
      .filter((r) => r.method === 'GET' && r.path === '/v1/activities')
      .map((r) => new URLSearchParams(r.query))
      .filter((q) => !q.has('changedSince'))
      .flatMap((q) => q.getAll('userGuids'));
    for (const email of done) expect(listedUsers).not.toContain(severaGuid.get(email));
    for (const u of world.users)
      if (!done.includes(u.email)) expect(listedUsers).toContain(u.severaGuid);
    // Google: a finished user's calendar is read with its sync token (changes only), not whole.
    const listings = world.google.control
      .requests()
      .slice(googleFrom)
      .filter((r) => r.method === 'GET' && r.path.endsWith('/events'));
    for (const email of done) {
      const own = listings.filter((r) => r.user === email);
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((r) => r.query.syncToken !== undefined)).toBe(true);
    }

    // It says so: the run's log names the stopped run and the users it had finished.
    const log = await runCli(world.profileDir, ['log', '--json']);
    const entries = JSON.parse(log.stdout) as { action: string; details?: object }[];
    const resumed = entries.filter((e) => e.action === 'run-resumed');
    expect(resumed).toHaveLength(1);
    expect(resumed[0]?.details).toMatchObject({ usersDone: done.length, users: USERS });

    // And nothing is missing or doubled: every item on both sides, each once.
    const { problems, users } = await convergenceReport(world);
    expect(problems).toEqual([]);
    for (const u of users) {
      expect(u.severa).toHaveLength(2 * ITEMS);
      expect(u.google).toHaveLength(2 * ITEMS);
    }
  }, 120_000);
});
