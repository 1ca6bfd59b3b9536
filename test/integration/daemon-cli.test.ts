import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO, runCli } from '../helpers/cli';
import { startWorld, type World } from '../helpers/world';

/*
 * `daemon` and `demo` through the built CLI. The daemon runs at start, keeps one daemon per
 * profile, and on SIGTERM lets the item in progress finish, then exits 0. Real keychain: run
 * under `bash scripts/with-keyring.sh`.
 */

let world: World;

beforeAll(async () => {
  world = await startWorld({ company: { users: 2 }, keychain: true, latencyMs: 20 });
  const start = Date.now() + 86_400_000;
  for (let i = 0; i < 12; i++)
    world.google.control.putEvent(world.users[0]!.email, {
      summary: `Planning ${i}`,
      start: { dateTime: new Date(start + i * 3_600_000).toISOString() },
      end: { dateTime: new Date(start + (i + 1) * 3_600_000).toISOString() },
    });
});
afterAll(async () => world?.close());

function startDaemon(): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn('node', [CLI, '--profile', world.profileDir, 'daemon', '--json'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, lines };
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

describe('daemon', () => {
  it('syncs at start, refuses a second daemon on the profile, and stops cleanly on SIGTERM mid-run', async () => {
    const first = startDaemon();
    const line = await first.lines.next();
    expect(JSON.parse(line.value as string)).toMatchObject({
      ok: true,
      users: 2,
      toSevera: { created: 12 },
    });

    const second = await runCli(world.profileDir, ['daemon'], { timeoutMs: 20_000 });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/already running for this profile/);

    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toEqual({ code: 0, signal: null });

    // Another daemon, stopped with SIGTERM while its first run writes.
    for (let i = 0; i < 12; i++)
      world.severa.control.activities.put({
        name: `Review ${i}`,
        startDateTime: new Date(Date.now() + (2 + i) * 86_400_000).toISOString(),
        endDateTime: new Date(Date.now() + (2 + i) * 86_400_000 + 3_600_000).toISOString(),
        activityType: { guid: world.types.meeting },
        ownerUser: { guid: world.users[1]!.severaGuid },
      });
    const inserts = () =>
      world.google.control
        .requests()
        .filter((r) => r.method === 'POST' && r.path.endsWith('/events')).length;
    const insertsBefore = inserts();
    const again = startDaemon();
    while (inserts() <= insertsBefore) await new Promise((resolve) => setTimeout(resolve, 2));
    again.child.kill('SIGTERM');
    const stopped = JSON.parse((await again.lines.next()).value as string) as {
      aborted: boolean;
      toGoogle: { created: number };
    };
    expect(await exited(again.child)).toEqual({ code: 0, signal: null });
    expect(stopped.aborted).toBe(true);
    expect(stopped.toGoogle.created).toBeGreaterThan(0);
    expect(stopped.toGoogle.created).toBeLessThan(12);

    // Everything the stopped run wrote was recorded: the next run makes only the rest.
    const rest = JSON.parse(
      (await runCli(world.profileDir, ['sync', '--json'], { timeoutMs: 30_000 })).stdout,
    ) as { ok: boolean; toGoogle: { created: number }; adopted: number };
    expect(rest.ok).toBe(true);
    expect(rest.toGoogle.created + stopped.toGoogle.created).toBe(12);
    expect(rest.adopted).toBe(0);
  }, 60_000);
});

describe('demo', () => {
  it('starts the sandboxes, passes the Test, syncs and says what it did on each side', async () => {
    const r = await runCli(world.profileDir, ['demo', '--json'], { timeoutMs: 50_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      test: { ok: boolean };
      sync: { ok: boolean; toGoogle: { created: number }; toSevera: { created: number } };
      changes: { side: string; title: string }[];
    };
    expect(out.test.ok).toBe(true);
    expect(out.sync.ok).toBe(true);
    expect(out.changes.filter((c) => c.side === 'google')).toHaveLength(out.sync.toGoogle.created);
    expect(out.changes.filter((c) => c.side === 'severa')).toHaveLength(out.sync.toSevera.created);
    expect(out.changes.map((c) => c.title)).toContain('Viikkopalaveri');
  }, 60_000);
});
