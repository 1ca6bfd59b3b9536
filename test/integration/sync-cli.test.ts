import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { besideProgress, CLI, REPO, runCli } from '../helpers/cli';
import { pemFragments } from '../helpers/leaks';
import { startWorld, type World, type WorldUser } from '../helpers/world';

/*
 * `sync`, `status`, `log` and `reset` through the built CLI, with the secrets in the real
 * keychain and both sandboxes on loopback: run under `bash scripts/with-keyring.sh`.
 */
let world: World;
let aino: WorldUser;

const cli = (args: string[]) => runCli(world.profileDir, args);

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

beforeAll(async () => {
  world = await startWorld({ company: { users: 2 }, keychain: true });
  aino = world.users[0] as WorldUser;
  world.severa.control.activities.put({
    name: 'Quarterly review',
    startDateTime: new Date(Date.now() + 86_400_000).toISOString(),
    endDateTime: new Date(Date.now() + 90_000_000).toISOString(),
    activityType: { guid: world.types.meeting },
    ownerUser: { guid: aino.severaGuid },
  });
});
afterAll(async () => world?.close());

describe('the sync commands', () => {
  it('sync --dry-run --json prints the plan and writes nothing', async () => {
    const r = await cli(['sync', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const out = json(r.stdout);
    expect(out).toMatchObject({
      ok: true,
      dryRun: true,
      users: 2,
      toGoogle: { created: 1, updated: 0, deleted: 0 },
      toSevera: { created: 0, updated: 0, deleted: 0 },
      conflicts: 0,
      held: 0,
      errors: [],
      plan: [
        expect.objectContaining({
          user: aino.email,
          action: 'create-google',
          title: 'Quarterly review',
        }),
      ],
    });
    expect(world.google.control.listAll(aino.email)).toHaveLength(0);
    expect(json((await cli(['status', '--json'])).stdout)).toMatchObject({
      lastRun: null,
      users: [],
    });
  });

  it('sync --json runs; status and log show it; secrets appear nowhere', async () => {
    const r = await cli(['sync', '--json']);
    expect(json(r.stdout)).toMatchObject({ ok: true, users: 2, toGoogle: { created: 1 } });
    // stderr carries nothing but the run's JSON progress events, one a line, the last at done.
    expect(besideProgress(r.stderr)).toBe('');
    const events = r.stderr.trimEnd().split('\n').map(json);
    expect(events.every((e) => typeof e.time === 'string')).toBe(true);
    expect(events.at(-1)).toMatchObject({
      phase: 'done',
      usersDone: 2,
      usersTotal: 2,
      written: { toGoogle: 1, toSevera: 0 },
      etaSeconds: null,
    });
    expect(world.google.control.listAll(aino.email).map((e) => e.summary)).toEqual([
      'Quarterly review',
    ]);

    const status = json((await cli(['status', '--json'])).stdout);
    expect(status).toMatchObject({
      lastRun: { ok: true, dryRun: false },
      nextRunAt: expect.any(String),
      accountChanged: false,
      held: [],
    });
    expect(status.users).toContainEqual(
      expect.objectContaining({ email: aino.email, state: 'ok', items: 1 }),
    );

    const log = (await cli(['log', '--json', '--user', aino.email])).stdout;
    const entries = JSON.parse(log) as {
      action: string;
      result: string;
      direction: string | null;
    }[];
    expect(entries).toContainEqual(
      expect.objectContaining({ action: 'create-google', result: 'ok', direction: 'to-google' }),
    );
    expect(JSON.parse((await cli(['log', '--json', '--level', 'error'])).stdout)).toEqual([]);
    const pem = await world.secrets.get('google-private-key');
    const severaSecret = (await world.secrets.get('severa-client-secret')) as string;
    for (const text of [r.stdout, r.stderr, log]) {
      expect(text).not.toContain(severaSecret);
      for (const fragment of pemFragments(pem as string)) expect(text).not.toContain(fragment);
    }
  });

  it('log refuses a bad level; reset asks unless --yes', async () => {
    const bad = await cli(['log', '--level', 'loud']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--level');
    const refused = await cli(['reset']);
    expect(refused.code).toBe(2);
    expect(json((await cli(['status', '--json'])).stdout).users).toHaveLength(2);
    const reset = await cli(['reset', '--yes', '--json']);
    expect(json(reset.stdout)).toEqual({ ok: true, forgotLinks: 1 });
    const again = json((await cli(['sync', '--json'])).stdout);
    expect(again).toMatchObject({ ok: true, adopted: 1, toGoogle: { created: 0 } });
  });

  it('on a terminal, sync rewrites one progress line on stderr; stdout keeps only the result', async () => {
    // A real pseudo-terminal (util-linux's script): stderr is the terminal, stdout a file.
    const out = join(world.profileDir, 'sync-out.txt');
    const command = `stty cols 160; node '${CLI}' --profile '${world.profileDir}' sync > '${out}'`;
    const terminal = await new Promise<string>((done, fail) =>
      execFile('script', ['-qefc', command, '/dev/null'], { cwd: REPO, timeout: 30_000 }, (e, o) =>
        e ? fail(e) : done(o),
      ),
    );
    const rewrites = terminal.split('\r\x1b[2K');
    expect(rewrites[0]).toBe('');
    expect(rewrites.at(-1)).toBe(''); // erased before the result was printed
    expect(rewrites).toContain('reading Severa · → Google 0, → Severa 0 · 0 items/s');
    expect(rewrites.filter(Boolean).at(-1)).toMatch(/^2 of 2 users · → Google 0, → Severa 0 · /);
    expect(terminal).not.toContain('\n');
    const result = readFileSync(out, 'utf8');
    expect(result).toMatch(/^Sync ok: 2 users\n/);
    expect(result).not.toContain('\x1b');
    // Not a terminal (a pipe, cron): no progress at all.
    const piped = await cli(['sync']);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toMatch(/^Sync ok: 2 users\n/);
  });
});
