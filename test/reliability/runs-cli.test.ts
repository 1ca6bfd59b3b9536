import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { besideProgress, CLI, REPO, runCli } from '../helpers/cli';
import { convergenceReport, startWorld, type World } from '../helpers/world';

/*
 * One run per profile and stopping, through the built CLI with the real keychain (run under
 * `bash scripts/with-keyring.sh`): two `sync` started together, and a `sync` beside a running
 * daemon, each ten times, leave no duplicate on either side; SIGTERM ends `sync` and `daemon`
 * within a bounded time even while their Google connection stalls.
 */
let world: World;
const DAY = 86_400_000;
const HOUR = 3_600_000;

beforeAll(async () => {
  world = await startWorld({ company: { users: 2 }, keychain: true });
});
afterAll(async () => world?.close());

const json = (text: string) => JSON.parse(text) as { ok: boolean; aborted?: boolean };

/** New items on both sides for a round: two Google events and an activity per user. */
function addItems(round: number): void {
  // Whole minutes, as calendars hold them (Google answers times to the second).
  const base = Math.floor(Date.now() / 60_000) * 60_000 + (1 + round) * DAY;
  for (const [i, u] of world.users.entries()) {
    for (const n of [0, 1])
      world.google.control.putEvent(u.email, {
        summary: `R${round} event ${n} of ${i}`,
        start: { dateTime: new Date(base + (8 + n) * HOUR).toISOString() },
        end: { dateTime: new Date(base + (9 + n) * HOUR).toISOString() },
      });
    world.severa.control.activities.put({
      name: `R${round} activity of ${i}`,
      startDateTime: new Date(base + 14 * HOUR).toISOString(),
      endDateTime: new Date(base + 15 * HOUR).toISOString(),
      activityType: { guid: world.types.meeting },
      ownerUser: { guid: u.severaGuid },
    });
  }
}

async function expectNoDuplicates(rounds: number): Promise<void> {
  const last = await runCli(world.profileDir, ['sync', '--sweep', 'full', '--json']);
  expect(json(last.stdout).ok).toBe(true);
  const { problems } = await convergenceReport(world);
  expect(problems).toEqual([]);
  const named = (prefix: string) =>
    world.severa.control.activities.listAll().filter((a) => a.name.startsWith(prefix)).length;
  for (let round = 0; round < rounds; round++) expect(named(`R${round} `)).toBe(6);
}

function startDaemon(): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(
    'node',
    [CLI, '--profile', world.profileDir, 'daemon', '--json', '--interval', '60'],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, lines };
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.exitCode !== null
      ? resolve({ code: child.exitCode, signal: null })
      : child.once('exit', (code, signal) => resolve({ code, signal })),
  );

const waitFor = async (condition: () => boolean, ms = 20_000) => {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('one run per profile', () => {
  it('two `sync` started together leave no duplicate on either side (10 rounds)', async () => {
    for (let round = 0; round < 10; round++) {
      addItems(round);
      const [a, b] = await Promise.all([
        runCli(world.profileDir, ['sync', '--json']),
        runCli(world.profileDir, ['sync', '--json']),
      ]);
      expect([a.code, b.code, besideProgress(a.stderr), besideProgress(b.stderr)]).toEqual([
        0,
        0,
        '',
        '',
      ]);
    }
    await expectNoDuplicates(10);
  }, 180_000);

  it('`sync` beside a running daemon waits for its run and leaves no duplicate (10 rounds)', async () => {
    for (let round = 10; round < 20; round++) {
      addItems(round);
      const daemon = startDaemon();
      const sync = await runCli(world.profileDir, ['sync', '--json']);
      expect([sync.code, besideProgress(sync.stderr)]).toEqual([0, '']);
      expect(json((await daemon.lines.next()).value as string).ok).toBe(true);
      daemon.child.kill('SIGTERM');
      expect(await exited(daemon.child)).toEqual({ code: 0, signal: null });
    }
    await expectNoDuplicates(20);
  }, 180_000);

  it('`sync --wait 0` beside a run in progress refuses, naming the other process', async () => {
    // A daemon run with writes to make, each answered after 2 s: it is still going below.
    addItems(99);
    world.google.control.setLatency(2000);
    const before = world.google.control.requestCount();
    const daemon = startDaemon();
    try {
      // The daemon's run is under way: it sent a Calendar request.
      await waitFor(() => world.google.control.requestCount() > before);
      const refused = await runCli(world.profileDir, ['sync', '--wait', '0']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/already running: daemon \(process \d+ on /);
      const reset = await runCli(world.profileDir, ['reset', '--yes']);
      expect(reset.code).toBe(2);
      expect(reset.stderr).toMatch(/already running: daemon/);
    } finally {
      world.google.control.setLatency(0);
      daemon.child.kill('SIGTERM');
      await exited(daemon.child);
    }
  }, 60_000);
});

describe('SIGTERM while the Google connection stalls', () => {
  for (const command of ['sync', 'daemon'] as const) {
    it(`ends \`${command}\` within a bounded time`, async () => {
      world.google.control.injectFaults({ stall: 10_000 });
      const tokensBefore = world.google.control.tokenRequestCount();
      const child = spawn('node', [CLI, '--profile', world.profileDir, command, '--json'], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        // A token was minted: the next request is the stalled listing.
        await waitFor(() => world.google.control.tokenRequestCount() > tokensBefore);
        await new Promise((r) => setTimeout(r, 500));
        const killedAt = Date.now();
        child.kill('SIGTERM');
        const exit = await exited(child);
        // Requests in flight get 5 s to answer, then they are ended.
        expect((Date.now() - killedAt) / 1000).toBeLessThan(9);
        expect(exit.signal).toBeNull();
      } finally {
        world.google.control.clearFaults();
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }, 40_000);
  }
});
