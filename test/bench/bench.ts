import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { todayAndTomorrow } from '../../main/core/sync/engine';
import {
  activitiesOverlapping,
  itemStart,
  linksDigest,
  seedLinkedCompany,
  settledWatermark,
} from '../helpers/seeded-company';
import { itemsChanged, startWorld, type World } from '../helpers/world';

/**
 * `npm run bench`: the engine against both sandboxes with realistic latency and the real limits
 * at one or more scales. Per scenario it prints the requests made on each side, the floor (the
 * fewest requests the design allows, docs/benchmark.md), wall time against the floor's time,
 * the engine's CPU time and peak RSS. The engine runs in a child process (engine-run.ts, bundled
 * like the CLI) so its CPU and memory are its own; the sandboxes run here. The companies of
 * S2–S5 are seeded straight into the sandboxes and the state (test/helpers/seeded-company.ts),
 * and the first measured run over them must change nothing (the seed check).
 *
 *   npm run bench [-- --json] [--scenario S2,S3] [--users N] [--s1-users M] [--latency 30] [--scale 10,1]
 */

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    scenario: { type: 'string' },
    users: { type: 'string' },
    's1-users': { type: 'string' },
    latency: { type: 'string', default: '30' },
    scale: { type: 'string', default: '10' },
  },
});

type ScenarioId = 'S1' | 'S2' | 'S3' | 'S4' | 'S5';
const ALL: ScenarioId[] = ['S1', 'S2', 'S3', 'S4', 'S5'];
/** Full sizes: a first run of 200 people, the others a 1 000-person company. */
const FULL_S1_USERS = 200;
const FULL_USERS = 1000;
/** Items per user: S1 100 on each side unlinked; S2–S5 150 made on each side, linked. */
const S1_PER_SIDE = 100;
const LINKED_PER_SIDE = 150;

const LATENCY_MS = Number(args.latency);
const SCALES = (args.scale ?? '10').split(',').map(Number);
const chosen = args.scenario
  ? args.scenario.split(',').map((s) => s.trim().toUpperCase() as ScenarioId)
  : ALL;
for (const id of chosen)
  if (!ALL.includes(id)) throw new Error(`--scenario takes S1…S5 (comma-separated), not ${id}`);
for (const s of SCALES) if (!(s > 0)) throw new Error(`--scale takes positive numbers, not ${s}`);
const companyUsers = args.users ? Number(args.users) : FULL_USERS;
const s1Users = args['s1-users'] ? Number(args['s1-users']) : Math.min(companyUsers, FULL_S1_USERS);

/** Real limits (design §4), multiplied by the scale. */
const limits = (scale: number) => ({
  scale,
  severaPerSecond: 10 * scale,
  googleUserPerMinute: 600 * scale,
  googleProjectPerMinute: 10_000 * scale,
});
type Limits = ReturnType<typeof limits>;
/** Between measured runs the sandboxes are not limited (the setup makes no requests anyway). */
const UNLIMITED = { ...limits(10_000), scale: 0 };
const DAY = 86_400_000;
const HOUR = 3_600_000;
const PAGE = 100;

interface Sides {
  google: number;
  severa: number;
}

interface ScenarioResult {
  id: ScenarioId;
  users: number;
  scale: number;
  requests: Sides;
  /** Google Calendar API requests alone (the project and per-user quotas count these). */
  googleApiRequests: number;
  floorRequests: Sides;
  wallSeconds: number;
  floorSeconds: number;
  cpuSeconds: number;
  /** CPU the sandboxes spent answering the run (this process): on 2 cores they compete. */
  sandboxCpuSeconds: number;
  peakRssMb: number;
  ok: boolean;
  written: number;
  /** Of the Severa floor: the pages of the today-and-tomorrow sweep (S2, S3, S5). */
  sweepPages?: number;
  /** Answers that refused a request over a limit (Severa 429; Google 403/429 rate limits). */
  limited: Sides;
}

interface EngineRun {
  ok: boolean;
  errors: unknown[];
  toGoogle: { created: number; updated: number; deleted: number };
  toSevera: { created: number; updated: number; deleted: number };
  adopted: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

const repo = resolve(import.meta.dirname, '../..');
// Inside the repository, so that its external dependencies resolve from node_modules.
const runner = join(repo, 'dist/bench/engine-run.mjs');
await build({
  entryPoints: [join(repo, 'test/bench/engine-run.ts')],
  outfile: runner,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});

async function engineRun(
  world: World,
  l: Limits,
  options: { sweep?: 'full' } = {},
): Promise<EngineRun> {
  const input = JSON.stringify({
    profileDir: world.profileDir,
    privateKeyPem: await world.secrets.get('google-private-key'),
    severaSecret: await world.secrets.get('severa-client-secret'),
    severaRequestsPerSecond: l.severaPerSecond,
    googleUserPerMinute: l.googleUserPerMinute,
    googleProjectPerMinute: l.googleProjectPerMinute,
    sweep: options.sweep,
  });
  return new Promise((done, fail) => {
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of each engine run (open in Chrome DevTools);
    // BENCH_NODE_FLAGS: more flags for the engine's node (`--max-old-space-size=64`: its live heap).
    const profile = process.env.BENCH_CPU_PROF;
    const flags = [
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
      ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
    ];
    const child = spawn('node', [...flags, runner], {
      cwd: repo,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', fail);
    child.once('exit', (code) =>
      code === 0
        ? done(JSON.parse(out) as EngineRun)
        : fail(new Error(`engine run exited ${code}`)),
    );
    child.stdin.end(input);
  });
}

function setLimits(world: World, l: Limits | null): void {
  world.google.control.setLatency(l ? LATENCY_MS : 0);
  world.severa.control.setLatency(l ? LATENCY_MS : 0);
  const g = l ?? UNLIMITED;
  world.google.control.setRateLimits({
    perUserPerMinute: g.googleUserPerMinute,
    perProjectPerMinute: g.googleProjectPerMinute,
  });
  world.severa.control.setRequestsPerSecond(g.severaPerSecond);
}

const googleApi = (w: World) => w.google.control.requestCount();
const googleAll = (w: World) => googleApi(w) + w.google.control.tokenRequestCount();

/**
 * Requests that must follow one another in any run: Severa's token, then the types and the user
 * pages (a cursor: one after another), then a user's Google token and listing (the company-wide
 * Severa listing goes beside them).
 */
const chainedRoundTrips = (users: number) => 1 + Math.ceil(users / PAGE) + 2;

/** How long N requests take under a budget of B per sliding minute: none while N ≤ B. */
const perMinute = (n: number, budget: number) =>
  n <= budget ? 0 : (Math.ceil(n / budget) - 1) * 60;

/** Floor time: the slowest limit for the floor's requests, plus the chained round trips. */
function floorSeconds(floor: Sides, users: number, l: Limits): number {
  const api = floor.google - users; // a token per user is not a Calendar request
  const severa = floor.severa / l.severaPerSecond;
  const project = perMinute(api, l.googleProjectPerMinute);
  const perUser = perMinute(api / users, l.googleUserPerMinute);
  return Math.max(severa, project, perUser) + (chainedRoundTrips(users) * LATENCY_MS) / 1000;
}

async function measure(
  world: World,
  id: ScenarioId,
  l: Limits,
  floor: Sides,
  options: { sweep?: 'full'; sweepPages?: number } = {},
): Promise<ScenarioResult> {
  // As a later run: the sandboxes' last second of requests (the run before) is behind it.
  await sleep(1100);
  setLimits(world, l);
  world.severa.control.clearRequestLog();
  const startedAt = new Date().toISOString();
  const apiBefore = googleApi(world);
  const googleBefore = googleAll(world);
  const sandboxCpu = process.cpuUsage();
  const run = await engineRun(world, l, { sweep: options.sweep });
  const sandbox = process.cpuUsage(sandboxCpu);
  if (process.env.BENCH_TIMELINE) {
    const log = world.severa.control.requestLog;
    const t0 = log[0]?.time ?? 0;
    const g = world.google.control.requests().filter((r) => r.at >= startedAt);
    const gt = g.map((r) => Date.parse(r.at));
    console.error(
      'severa',
      log.map((r) => Math.round(r.time - t0) + (r.path.includes('users') ? 'u' : '')).join(','),
    );
    console.error('google first/last', Math.min(...gt) - t0, Math.max(...gt) - t0);
  }
  setLimits(world, null);
  // A long benchmark says what each run measured as it goes (the summary comes at the end).
  process.stderr.write(
    `${id} (×${l.scale}): wall ${run.wallSeconds.toFixed(1)} s, CPU ${run.cpuSeconds.toFixed(1)} s, peak RSS ${run.peakRssMb.toFixed(0)} MB\n`,
  );
  if (!run.ok)
    process.stderr.write(`${id}: the run reported errors ${JSON.stringify(run.errors)}\n`);
  const users = world.users.length;
  return {
    id,
    users,
    scale: l.scale,
    requests: {
      google: googleAll(world) - googleBefore,
      severa: world.severa.control.requestCount(),
    },
    googleApiRequests: googleApi(world) - apiBefore,
    floorRequests: floor,
    // The engine's run, from the child's clock: Node's own start is not the engine's time.
    wallSeconds: run.wallSeconds,
    floorSeconds: floorSeconds(floor, users, l),
    cpuSeconds: run.cpuSeconds,
    sandboxCpuSeconds: (sandbox.user + sandbox.system) / 1e6,
    peakRssMb: run.peakRssMb,
    ok: run.ok,
    written: itemsChanged(run),
    ...(options.sweepPages !== undefined && { sweepPages: options.sweepPages }),
    limited: {
      severa: world.severa.control.requestLog.filter((r) => r.status === 429).length,
      google: world.google.control
        .requests()
        .filter((r) => r.at >= startedAt && (r.status === 429 || r.status === 403)).length,
    },
  };
}

/** Fixed Severa reads of every run: a token, the user pages, the activity types. */
const severaFixed = (users: number) => 1 + Math.ceil(users / PAGE) + 1;
const pages = (rows: number) => Math.max(1, Math.ceil(rows / PAGE));

/** The pages of the today-and-tomorrow sweep every incremental run lists. */
function sweepPages(world: World): number {
  const w = todayAndTomorrow(
    new Date(),
    world.users.map((u) => u.timeZone),
  );
  return pages(activitiesOverlapping(world, w.start, w.end));
}

async function scenarioS1(users: number, l: Limits): Promise<ScenarioResult> {
  const world = await startWorld({ company: { users } });
  try {
    const now = Date.now();
    for (const user of world.users)
      for (let i = 0; i < S1_PER_SIDE; i++) {
        const start = itemStart(i, now);
        world.severa.control.activities.put({
          name: `Activity ${i}`,
          startDateTime: new Date(start).toISOString(),
          endDateTime: new Date(start + HOUR / 2).toISOString(),
          activityType: { guid: world.types.meeting },
          ownerUser: { guid: user.severaGuid },
        });
        world.google.control.putEvent(user.email, {
          summary: `Event ${i}`,
          start: { dateTime: new Date(start + HOUR / 2).toISOString() },
          end: { dateTime: new Date(start + HOUR).toISOString() },
        });
      }
    const items = users * S1_PER_SIDE;
    // Severa: each user's window listed (a page per 100), one create per Google event. Google: a
    // token and a listing per user, an insert per activity, and per event made into an activity
    // the read-back (is it linked already?) and the mark.
    return await measure(world, 'S1', l, {
      severa: severaFixed(users) + users * pages(S1_PER_SIDE) + items,
      google: 2 * users + items + 2 * items,
    });
  } finally {
    await world.close();
  }
}

/** The company's state must be what runs leave: the first run over it writes nothing. */
function seedCheck(result: ScenarioResult, before: string, after: string, links: number): string {
  const ok = result.ok && result.written === 0 && before === after;
  const line = `seed check: the first run over the seeded company (${result.id}, ${links} links) wrote ${result.written} items and left the links ${before === after ? 'unchanged' : 'CHANGED'}${ok ? '' : ' — FAILED'}`;
  if (!ok) process.exitCode = 1;
  return line;
}

function digest(world: World): string {
  const state = world.openState();
  try {
    return linksDigest(state);
  } finally {
    state.close();
  }
}

/** As a run ten minutes after the last finds it: the last run's own writes are behind it. */
function tenMinutesLater(world: World): void {
  const state = world.openState();
  state.setMeta('severa.watermark', settledWatermark(world));
  state.close();
}

function changeOnePercent(world: World): number {
  const byOwner = new Map<string, { guid: string; name: string }[]>();
  for (const a of world.severa.control.activities.listAll()) {
    const list = byOwner.get(a.ownerUser.guid) ?? [];
    list.push({ guid: a.guid, name: a.name });
    byOwner.set(a.ownerUser.guid, list);
  }
  let changed = 0;
  for (const user of world.users) {
    const activities = byOwner.get(user.severaGuid) ?? [];
    const n = Math.ceil(activities.length / 100);
    for (const a of activities.slice(0, n))
      world.severa.control.activities.edit(a.guid, { name: `${a.name} (moved)` });
    const events = world.google.control.listAll(user.email).filter((e) => e.status !== 'cancelled');
    for (const e of events.slice(-n))
      world.google.control.editEvent(user.email, e.id!, { summary: `${e.summary} (renamed)` });
    changed += n;
  }
  return changed;
}

/**
 * S5: the window moved on by a day since the last run (what every first run of a day meets):
 * each user's Google side and the Severa side list the new day at the far edge. The stored
 * windows are moved back a day, as the run a day later finds them.
 */
function windowMovedADay(world: World): { start: number; end: number } {
  const state = world.openState();
  let day = { start: 0, end: 0 };
  for (const u of state.listUsers()) {
    const end = Date.parse(u.windowEnd ?? '');
    day = { start: end - DAY, end };
    state.setUser(u.email, {
      windowStart: new Date(Date.parse(u.windowStart ?? '') - DAY).toISOString(),
      windowEnd: new Date(end - DAY).toISOString(),
    });
  }
  state.setMeta('severa.watermark', settledWatermark(world));
  state.close();
  return day;
}

async function companyScenarios(users: number): Promise<ScenarioResult[]> {
  const world = await startWorld({ company: { users } });
  const results: ScenarioResult[] = [];
  const lines: string[] = [];
  try {
    const setupStarted = performance.now();
    const seeded = seedLinkedCompany(world, LINKED_PER_SIDE);
    lines.push(
      `setup: ${users} users × ${2 * LINKED_PER_SIDE} linked items seeded in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`,
    );
    const lists = 2 * users; // a Google token and one incremental listing per user
    const fixed = severaFixed(users);
    let checked = false;
    const check = (r: ScenarioResult, before: string) => {
      if (checked) return;
      checked = true;
      lines.push(seedCheck(r, before, digest(world), seeded.links));
    };
    // S2 at the real limits comes along whenever S2 is asked for: its wall time and quota
    // shares there decide the interval.
    const scales = chosen.includes('S2') && !SCALES.includes(1) ? [...SCALES, 1] : SCALES;
    for (const scale of scales) {
      const l = limits(scale);
      const only = !SCALES.includes(scale) ? ['S2'] : chosen;
      if (only.includes('S2')) {
        tenMinutesLater(world);
        const before = checked ? '' : digest(world);
        const sweep = sweepPages(world);
        const r = await measure(
          world,
          'S2',
          l,
          { severa: fixed + 1 + sweep, google: lists },
          { sweepPages: sweep },
        );
        check(r, before);
        results.push(r);
      }
      if (only.includes('S3')) {
        tenMinutesLater(world);
        const changed = changeOnePercent(world);
        const sweep = sweepPages(world);
        // The changed activities listed, who takes part in them (a listing per user, or a read
        // per activity, whichever is fewer), a patch per changed event; a patch per changed
        // activity on Google.
        results.push(
          await measure(
            world,
            'S3',
            l,
            {
              severa: fixed + pages(changed) + sweep + Math.min(changed, users) + changed,
              google: lists + changed,
            },
            { sweepPages: sweep },
          ),
        );
      }
      if (only.includes('S4')) {
        tenMinutesLater(world);
        const before = checked ? '' : digest(world);
        // Every user's window listed on its own (their items and those they take part in).
        const r = await measure(
          world,
          'S4',
          l,
          { severa: fixed + 1 + users * pages(2 * LINKED_PER_SIDE), google: lists },
          { sweep: 'full' },
        );
        check(r, before);
        results.push(r);
      }
      if (only.includes('S5')) {
        const day = windowMovedADay(world);
        const sweep = sweepPages(world);
        // Beside S2's floor: one listing of the new day per user, and the new day's Severa pages.
        results.push(
          await measure(
            world,
            'S5',
            l,
            {
              severa: fixed + 1 + sweep + pages(activitiesOverlapping(world, day.start, day.end)),
              google: lists + users,
            },
            { sweepPages: sweep },
          ),
        );
      }
    }
  } finally {
    await world.close();
  }
  for (const line of lines) process.stderr.write(`${line}\n`);
  return results;
}

const scenarios: ScenarioResult[] = [];
const started = performance.now();
if (chosen.includes('S1'))
  for (const scale of SCALES) scenarios.push(await scenarioS1(s1Users, limits(scale)));
if (chosen.some((id) => id !== 'S1')) scenarios.push(...(await companyScenarios(companyUsers)));
const totalMinutes = (performance.now() - started) / 60_000;

const round = (x: number) => Math.round(x * 100) / 100;
const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** What S2 at the real limits takes of each quota when it runs every minute. */
function quotaShare(s: ScenarioResult) {
  const l = limits(1);
  return {
    users: s.users,
    wallSeconds: round(s.wallSeconds),
    googleProject: s.googleApiRequests / l.googleProjectPerMinute,
    googlePerUser: s.googleApiRequests / s.users / l.googleUserPerMinute,
    severa: s.requests.severa / (l.severaPerSecond * 60),
  };
}
const realS2 = scenarios.find((s) => s.id === 'S2' && s.scale === 1);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}`;

if (args.json) {
  process.stdout.write(
    JSON.stringify({
      machine,
      latencyMs: LATENCY_MS,
      minutes: round(totalMinutes),
      scenarios: scenarios.map((s) => ({
        ...s,
        wallSeconds: round(s.wallSeconds),
        floorSeconds: round(s.floorSeconds),
        cpuSeconds: round(s.cpuSeconds),
        sandboxCpuSeconds: round(s.sandboxCpuSeconds),
        peakRssMb: round(s.peakRssMb),
      })),
      ...(realS2 && { s2RealLimits: quotaShare(realS2) }),
    }) + '\n',
  );
} else {
  process.stdout.write(
    `${machine}; latency ${LATENCY_MS} ms; ${totalMinutes.toFixed(1)} min in all\n`,
  );
  for (const s of scenarios) {
    const x = (a: number, b: number) => `×${ratio(a, b).toFixed(2)}`;
    process.stdout.write(
      `${s.id} (${s.users} users, limits ×${s.scale}${s.ok ? '' : ', errors'}): Google ${s.requests.google} requests (floor ${s.floorRequests.google}, ${x(s.requests.google, s.floorRequests.google)}), ` +
        `Severa ${s.requests.severa} (floor ${s.floorRequests.severa}, ${x(s.requests.severa, s.floorRequests.severa)}); ` +
        `wall ${s.wallSeconds.toFixed(1)} s vs floor ${s.floorSeconds.toFixed(1)} s (${x(s.wallSeconds, s.floorSeconds)}); ` +
        `CPU ${s.cpuSeconds.toFixed(1)} s (sandboxes ${s.sandboxCpuSeconds.toFixed(1)} s); peak RSS ${s.peakRssMb.toFixed(0)} MB; ${s.written} items written` +
        `${s.limited.severa + s.limited.google > 0 ? `; refused over a limit: Severa ${s.limited.severa}, Google ${s.limited.google}` : ''}\n`,
    );
  }
  if (realS2) {
    const q = quotaShare(realS2);
    process.stdout.write(
      `S2 at the real limits (${q.users} users): wall ${q.wallSeconds.toFixed(1)} s; a run every minute uses ${pct(q.googleProject)} of Google's 10 000/min per project, ` +
        `${pct(q.googlePerUser)} of 600/min per user and ${pct(q.severa)} of Severa's 10/s\n`,
    );
  }
  const slice = scenarios.find((s) => s.id === 'S5');
  const steady = scenarios.find((s) => s.id === 'S2' && s.scale === slice?.scale);
  if (slice && steady)
    process.stdout.write(
      `window-slice reconciliation (once a day, the run after midnight UTC) at ${slice.users} users: Google +${slice.requests.google - steady.requests.google} requests, Severa +${slice.requests.severa - steady.requests.severa}; wall ${slice.wallSeconds.toFixed(1)} s (S2 ${steady.wallSeconds.toFixed(1)} s)\n`,
    );
}
