import Database from 'libsql';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profilePaths } from '../../main/core/store/profile';
import { besideProgress, CLI, REPO, runCli } from '../helpers/cli';
import { convergenceReport, startWorld, type World } from '../helpers/world';

/*
 * The crash test (issue 4 §6): the built CLI `sync` is killed with SIGKILL at random moments
 * in 26 trials, with new and edited items on both sides before each; every few trials (and at
 * the end) the next uninterrupted runs must leave zero duplicates, zero lost items and a
 * consistent state. Real keychain: run under `bash scripts/with-keyring.sh`.
 * CRASH_SEED=<n> replays a failing sequence of kill times and changes.
 */

const TRIALS = 26;
const CHECK_EVERY = 6;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

let world: World;
const labels = new Map<string, string>(); // label → the user's e-mail
let next = 0;

beforeAll(async () => {
  // A few ms per answer keeps every run long enough for kills to land inside it.
  world = await startWorld({
    company: { users: 3 },
    keychain: true,
    latencyMs: 4,
    severaRequestsPerSecond: 50,
  });
});
afterAll(async () => world?.close());

/** New items on both sides and an edit of an existing one, as people keep working meanwhile. */
function change(rand: () => number): void {
  const base = Date.UTC(
    new Date().getUTCFullYear(),
    new Date().getUTCMonth(),
    new Date().getUTCDate(),
  );
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)] as T;
  for (let n = 0; n < 4; n++) {
    const user = pick(world.users);
    const label = `c${next++}`;
    labels.set(label, user.email);
    const start = base + (1 + Math.floor(rand() * 30)) * DAY + (7 + Math.floor(rand() * 9)) * HOUR;
    if (rand() < 0.5)
      world.severa.control.activities.put({
        name: label,
        startDateTime: new Date(start).toISOString(),
        endDateTime: new Date(start + HOUR).toISOString(),
        activityType: { guid: world.types.meeting },
        ownerUser: { guid: user.severaGuid },
      });
    else
      world.google.control.putEvent(user.email, {
        summary: label,
        start: { dateTime: new Date(start).toISOString() },
        end: { dateTime: new Date(start + HOUR).toISOString() },
      });
  }
  const user = pick(world.users);
  const activity = pick(
    world.severa.control.activities.listAll().filter((a) => a.ownerUser.guid === user.severaGuid),
  );
  if (activity)
    world.severa.control.activities.edit(activity.guid, {
      name: `${activity.name.split('~')[0]}~${next}`,
    });
}

/** Writes either sandbox has answered so far (creates, patches, deletes). */
const writes = () =>
  world.google.control.requests().filter((r) => r.method !== 'GET').length +
  world.severa.control.requestLog.filter((r) => r.method !== 'GET' && r.path !== '/v1/token')
    .length;

/** Requests both sandboxes have answered so far. */
const answered = () => world.google.control.requestCount() + world.severa.control.requestCount();

/**
 * Starts `sync` and kills it with SIGKILL once `due()` says so (polled every millisecond), so
 * the moment is random but inside the run proper: a timer would mostly hit Node's start-up.
 * Resolves true when the kill hit a running process.
 */
function syncKilledWhen(due: () => boolean): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', [CLI, '--profile', world.profileDir, 'sync', '--json'], {
      cwd: REPO,
      stdio: 'ignore',
    });
    const poll = setInterval(() => {
      if (due()) child.kill('SIGKILL');
    }, 1);
    child.once('error', reject);
    child.once('exit', (_code, signal) => {
      clearInterval(poll);
      resolve(signal === 'SIGKILL');
    });
  });
}

async function expectRecovered(): Promise<void> {
  const first = await runCli(world.profileDir, ['sync', '--sweep', 'full', '--json'], {
    timeoutMs: 60_000,
  });
  expect(besideProgress(first.stderr)).toBe('');
  expect(JSON.parse(first.stdout)).toMatchObject({ ok: true, errors: [] });
  const second = JSON.parse(
    (await runCli(world.profileDir, ['sync', '--json'], { timeoutMs: 60_000 })).stdout,
  ) as { ok: boolean; toGoogle: Record<string, number>; toSevera: Record<string, number> };
  expect(second).toMatchObject({
    ok: true,
    toGoogle: { created: 0, updated: 0, deleted: 0 },
    toSevera: { created: 0, updated: 0, deleted: 0 },
  });

  // The state file survived every kill: SQLite's own check, then links = union of what exists.
  const db = new Database(profilePaths(world.profileDir).state, { readonly: true });
  expect(db.prepare('PRAGMA integrity_check').get()).toMatchObject({ integrity_check: 'ok' });
  db.close();
  const { problems, users } = await convergenceReport(world);
  // Nothing lost: every item made on either side is on both sides of its user.
  for (const [label, email] of labels) {
    const seen = users.find((u) => u.email === email)!;
    const is = (title: string | null | undefined) => title?.split('~')[0] === label;
    if (!seen.severa.some((a) => is(a.name))) problems.push(`${label} lost in Severa`);
    if (!seen.google.some((e) => is(e.summary))) problems.push(`${label} lost in Google`);
  }
  expect(problems).toEqual([]);
}

describe('crash safety', () => {
  it(`sync killed with SIGKILL in ${TRIALS} trials, then run again: no duplicate, nothing lost, state consistent`, async () => {
    const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const rand = random(seed);
    let killedMidRun = 0;
    let killedWhileWriting = 0;
    try {
      for (let trial = 1; trial <= TRIALS; trial++) {
        change(rand);
        // Odd trials kill while it reads, even ones among its writes (each trial brings ≥ 4).
        const writesBefore = writes();
        const readsBefore = answered();
        const afterReads = 1 + Math.floor(rand() * 20);
        const afterWrites = 1 + Math.floor(rand() * 4);
        const killed = await syncKilledWhen(
          trial % 2 === 1
            ? () => answered() - readsBefore >= afterReads
            : () => writes() - writesBefore >= afterWrites,
        );
        if (killed) killedMidRun++;
        if (killed && writes() > writesBefore) killedWhileWriting++;
        if (trial % CHECK_EVERY === 0 || trial === TRIALS) await expectRecovered();
      }
    } catch (e) {
      throw new Error(`crash test failed (CRASH_SEED=${seed}): ${(e as Error).message}`, {
        cause: e,
      });
    }
    // Most kills must land inside a run, and many after it began writing, or it proves nothing.
    console.log(
      `crash test: ${killedMidRun} kills inside a run, ${killedWhileWriting} after writes began`,
    );
    expect(killedMidRun).toBeGreaterThanOrEqual(20);
    expect(killedWhileWriting).toBeGreaterThanOrEqual(10);
  }, 170_000);
});
