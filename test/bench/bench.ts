import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startWorld, type World } from '../helpers/world';

/**
 * `npm run bench`: the engine against both sandboxes with realistic latency and the real limits
 * scaled by a stated factor (issue 4 §5). Per scenario it prints the requests made on each side,
 * the floor (the fewest requests design §4 allows), wall time against the floor's time, the
 * engine's CPU time and peak RSS. The engine runs in a child process (engine-run.ts, bundled
 * like the CLI) so its CPU and memory are its own; the sandboxes run here.
 *
 *   npm run bench [-- --json] [--scenario S2] [--users N] [--latency 30] [--scale 10]
 *
 * See docs/benchmark.md for the figures and what they mean.
 */

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    scenario: { type: 'string' },
    users: { type: 'string' },
    latency: { type: 'string', default: '30' },
    scale: { type: 'string', default: '10' },
  },
});

const LATENCY_MS = Number(args.latency);
/** The real limits are multiplied by this so that the big scenarios finish in minutes. */
const SCALE = Number(args.scale);
const SEVERA_RPS = 10 * SCALE;
const GOOGLE_USER_PER_MIN = 600 * SCALE;
const GOOGLE_PROJECT_PER_MIN = 10_000 * SCALE;
/** Setup runs are not measured: no latency, practically no limits. */
const UNLIMITED_RPS = 100_000;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const PAGE = 100;

type ScenarioId = 'S1' | 'S2' | 'S3' | 'S4' | 'S5';
const DEFAULT_USERS: Record<ScenarioId, number> = {
  S1: 200,
  S2: 1000,
  S3: 1000,
  S4: 1000,
  S5: 1000,
};

interface Sides {
  google: number;
  severa: number;
}

interface ScenarioResult {
  id: ScenarioId;
  users: number;
  requests: Sides;
  floorRequests: Sides;
  wallSeconds: number;
  floorSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  ok: boolean;
  changes: { toGoogle: unknown; toSevera: unknown };
  /** Full sweeps: the participant verification's listings (`userGuids` + `includeAsMember`). */
  verificationRequests: number;
}

interface EngineRun {
  ok: boolean;
  errors: unknown[];
  toGoogle: unknown;
  toSevera: unknown;
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
  options: { severaRps: number; sweep?: 'full' },
): Promise<EngineRun> {
  const input = JSON.stringify({
    profileDir: world.profileDir,
    privateKeyPem: await world.secrets.get('google-private-key'),
    severaSecret: await world.secrets.get('severa-client-secret'),
    severaRequestsPerSecond: options.severaRps,
    sweep: options.sweep,
  });
  return new Promise((done, fail) => {
    const child = spawn('node', [runner], {
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

function setLimits(world: World, scaled: boolean): void {
  world.google.control.setLatency(scaled ? LATENCY_MS : 0);
  world.severa.control.setLatency(scaled ? LATENCY_MS : 0);
  world.google.control.setRateLimits(
    scaled
      ? { perUserPerMinute: GOOGLE_USER_PER_MIN, perProjectPerMinute: GOOGLE_PROJECT_PER_MIN }
      : { perUserPerMinute: 1e9, perProjectPerMinute: 1e9 },
  );
  world.severa.control.setRequestsPerSecond(scaled ? SEVERA_RPS : UNLIMITED_RPS);
}

const googleRequests = (w: World) =>
  w.google.control.requestCount() + w.google.control.tokenRequestCount();

/**
 * Requests that must follow one another in any run: Severa's token, users, types and listing,
 * then a user's Google token and listing.
 */
const CHAINED_ROUND_TRIPS = 6;

/** Floor time: the slowest limit for the floor's requests, plus the chained round trips. */
function floorSeconds(floor: Sides, users: number): number {
  const severa = floor.severa / SEVERA_RPS;
  const project = floor.google / (GOOGLE_PROJECT_PER_MIN / 60);
  const perUser = floor.google / users / (GOOGLE_USER_PER_MIN / 60);
  return Math.max(severa, project, perUser) + (CHAINED_ROUND_TRIPS * LATENCY_MS) / 1000;
}

async function measure(
  world: World,
  id: ScenarioId,
  floor: Sides,
  sweep?: 'full',
): Promise<ScenarioResult> {
  setLimits(world, true);
  world.severa.control.clearRequestLog();
  const googleBefore = googleRequests(world);
  const run = await engineRun(world, { severaRps: SEVERA_RPS, sweep });
  setLimits(world, false);
  const verificationRequests = world.severa.control.requestLog.filter(
    (r) => r.path === '/v1/activities' && r.query.includes('includeAsMember=true'),
  ).length;
  if (!run.ok)
    process.stderr.write(`${id}: the run reported errors ${JSON.stringify(run.errors)}\n`);
  return {
    id,
    users: world.users.length,
    requests: {
      google: googleRequests(world) - googleBefore,
      severa: world.severa.control.requestCount(),
    },
    floorRequests: floor,
    // The engine's run, from the child's clock: Node's own start is not the engine's time.
    wallSeconds: run.wallSeconds,
    floorSeconds: floorSeconds(floor, world.users.length),
    cpuSeconds: run.cpuSeconds,
    peakRssMb: run.peakRssMb,
    ok: run.ok,
    changes: { toGoogle: run.toGoogle, toSevera: run.toSevera },
    verificationRequests,
  };
}

/** What the participant verification costs a full sweep at 5 000 users, at Severa's real 10/s. */
function verificationCost(s: ScenarioResult): string {
  const perUser = s.verificationRequests / s.users;
  const at5000 = Math.ceil(perUser * 5000);
  return (
    `  participant verification: ${s.verificationRequests} Severa requests (${perUser.toFixed(2)} per user: one userGuids+includeAsMember listing, pages of 100); ` +
    `at 5 000 users ${at5000} requests = ${(at5000 / 10 / 60).toFixed(1)} min at Severa's 10/s, once per full sweep (default every 24 h: ${((at5000 / (10 * 86_400)) * 100).toFixed(2)} % of a day's budget)\n`
  );
}

/** `perUser` Severa activities and as many Google events for every user, over the next weeks. */
function seed(world: World, severaPerUser: number, googlePerUser: number): void {
  const base = Date.UTC(
    new Date().getUTCFullYear(),
    new Date().getUTCMonth(),
    new Date().getUTCDate(),
  );
  const at = (i: number) => base + (1 + (i % 90)) * DAY + (7 + (i % 10)) * HOUR;
  for (const user of world.users) {
    for (let i = 0; i < severaPerUser; i++)
      world.severa.control.activities.put({
        name: `Activity ${i}`,
        startDateTime: new Date(at(i)).toISOString(),
        endDateTime: new Date(at(i) + HOUR / 2).toISOString(),
        activityType: { guid: world.types.meeting },
        ownerUser: { guid: user.severaGuid },
      });
    for (let i = 0; i < googlePerUser; i++)
      world.google.control.putEvent(user.email, {
        summary: `Event ${i}`,
        start: { dateTime: new Date(at(i) + HOUR / 2).toISOString() },
        end: { dateTime: new Date(at(i) + HOUR).toISOString() },
      });
  }
}

/** Fixed Severa reads of every run: a token, the user pages, the activity types. */
const severaFixed = (users: number) => 1 + Math.ceil(users / PAGE) + 1;

async function scenarioS1(users: number): Promise<ScenarioResult> {
  const world = await startWorld({ company: { users } });
  try {
    seed(world, 100, 100);
    const items = users * 100;
    // Design §4: pages of the listing, one create per Google event; on Google, a token and a
    // listing per user, an insert per activity and a link mark per event made into an activity.
    return await measure(world, 'S1', {
      severa: severaFixed(users) + Math.ceil(items / PAGE) + items,
      google: 2 * users + 2 * items,
    });
  } finally {
    await world.close();
  }
}

/** The S2 company: 300 linked items per user (150 made on each side), settled, as after a day. */
async function linkedCompany(users: number): Promise<World> {
  const world = await startWorld({ company: { users } });
  seed(world, 150, 150);
  setLimits(world, false);
  for (let i = 0; i < 2; i++) {
    const run = await engineRun(world, { severaRps: UNLIMITED_RPS });
    if (!run.ok) throw new Error(`setup run failed: ${JSON.stringify(run.errors)}`);
  }
  // The settled company as a run ten minutes later finds it: the stored Severa watermark is
  // moved past the setup's own writes (the sandbox's clock cannot be moved instead).
  const state = world.openState();
  state.setMeta('severa.watermark', new Date().toISOString());
  state.close();
  return world;
}

function changeOnePercent(world: World): number {
  let changed = 0;
  for (const user of world.users) {
    const activities = world.severa.control.activities
      .listAll()
      .filter((a) => a.ownerUser.guid === user.severaGuid);
    for (const a of activities.slice(0, Math.ceil(activities.length / 100)))
      world.severa.control.activities.edit(a.guid, { name: `${a.name} (moved)` });
    const events = world.google.control.listAll(user.email).filter((e) => e.status !== 'cancelled');
    for (const e of events.slice(-Math.ceil(events.length / 100)))
      world.google.control.editEvent(user.email, e.id!, { summary: `${e.summary} (renamed)` });
    changed += Math.ceil(activities.length / 100);
  }
  return changed;
}

/**
 * S5: the window moved on by a day since the last run (what every first run of a day meets):
 * each user's Google side and the Severa side list the new day at the far edge. The stored
 * window edges are moved back a day, as the run a day later finds them.
 */
function windowMovedADay(world: World): void {
  const state = world.openState();
  const back = (iso: string | null | undefined) =>
    iso ? new Date(Date.parse(iso) - DAY).toISOString() : null;
  for (const u of state.listUsers())
    state.setUser(u.email, { windowStart: back(u.windowStart), windowEnd: back(u.windowEnd) });
  for (const key of ['severa.windowStart', 'severa.windowEnd'])
    state.setMeta(key, back(state.getMeta(key)));
  state.setMeta('severa.watermark', new Date().toISOString());
  state.close();
}

async function scenariosS2toS4(users: number, which: Set<ScenarioId>): Promise<ScenarioResult[]> {
  const world = await linkedCompany(users);
  const results: ScenarioResult[] = [];
  const lists = 2 * users; // a token and one incremental listing per user
  try {
    if (which.has('S2'))
      results.push(await measure(world, 'S2', { severa: severaFixed(users) + 1, google: lists }));
    if (which.has('S3')) {
      const perSide = changeOnePercent(world);
      results.push(
        await measure(world, 'S3', {
          severa: severaFixed(users) + Math.max(1, Math.ceil(perSide / PAGE)) + perSide,
          google: lists + perSide,
        }),
      );
    }
    if (which.has('S4'))
      results.push(
        await measure(
          world,
          'S4',
          { severa: severaFixed(users) + Math.ceil((users * 300) / PAGE), google: lists },
          'full',
        ),
      );
    if (which.has('S5')) {
      windowMovedADay(world);
      // Beside S2's floor: one listing of the new day per user, and one Severa page for it.
      results.push(
        await measure(world, 'S5', { severa: severaFixed(users) + 2, google: lists + users }),
      );
    }
  } finally {
    await world.close();
  }
  return results;
}

const chosen = new Set<ScenarioId>(
  args.scenario ? [args.scenario.toUpperCase() as ScenarioId] : ['S1', 'S2', 'S3', 'S4', 'S5'],
);
for (const id of chosen)
  if (!(id in DEFAULT_USERS)) throw new Error(`--scenario must be S1…S5, not ${id}`);
const usersFor = (id: ScenarioId) => (args.users ? Number(args.users) : DEFAULT_USERS[id]);

const scenarios: ScenarioResult[] = [];
if (chosen.has('S1')) scenarios.push(await scenarioS1(usersFor('S1')));
const rest = [...chosen].filter((id) => id !== 'S1');
if (rest.length > 0) scenarios.push(...(await scenariosS2toS4(usersFor(rest[0]!), chosen)));

const round = (x: number) => Math.round(x * 100) / 100;
if (args.json) {
  process.stdout.write(
    JSON.stringify({
      latencyMs: LATENCY_MS,
      scale: SCALE,
      scenarios: scenarios.map((s) => ({
        id: s.id,
        users: s.users,
        requests: s.requests,
        floorRequests: s.floorRequests,
        wallSeconds: round(s.wallSeconds),
        floorSeconds: round(s.floorSeconds),
        cpuSeconds: round(s.cpuSeconds),
        peakRssMb: round(s.peakRssMb),
        ok: s.ok,
        verificationRequests: s.verificationRequests,
      })),
    }) + '\n',
  );
} else {
  process.stdout.write(
    `latency ${LATENCY_MS} ms, limits ×${SCALE} (Severa ${SEVERA_RPS}/s, Google ${GOOGLE_USER_PER_MIN}/min/user, ${GOOGLE_PROJECT_PER_MIN}/min/project)\n`,
  );
  for (const s of scenarios) {
    const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '–');
    process.stdout.write(
      `${s.id} (${s.users} users${s.ok ? '' : ', errors'}): Google ${s.requests.google} requests (floor ${s.floorRequests.google}, ×${ratio(s.requests.google, s.floorRequests.google)}), ` +
        `Severa ${s.requests.severa} (floor ${s.floorRequests.severa}, ×${ratio(s.requests.severa, s.floorRequests.severa)}); ` +
        `wall ${s.wallSeconds.toFixed(1)} s vs floor ${s.floorSeconds.toFixed(1)} s (×${ratio(s.wallSeconds, s.floorSeconds)}); ` +
        `CPU ${s.cpuSeconds.toFixed(1)} s; peak RSS ${s.peakRssMb.toFixed(0)} MB\n`,
    );
    if (s.id === 'S4') process.stdout.write(verificationCost(s));
  }
  const slice = scenarios.find((s) => s.id === 'S5');
  const steady = scenarios.find((s) => s.id === 'S2');
  if (slice) {
    // The slice's own cost: S5 beyond S2 (same company, nothing changed), per user.
    const extra = (side: keyof Sides) =>
      steady ? slice.requests[side] - steady.requests[side] : slice.requests[side];
    const at1000 = (n: number) => Math.round((n / slice.users) * 1000);
    const measured = slice.users === 1000 ? 'measured' : `extrapolated from ${slice.users} users`;
    process.stdout.write(
      `window-slice reconciliation at 1 000 users (${measured}): Google +${at1000(extra('google'))} requests, ` +
        `Severa +${steady ? extra('severa') : slice.requests.severa} (once a day, the run after midnight UTC); ` +
        `wall ${slice.wallSeconds.toFixed(1)} s at ${slice.users} users${steady ? ` (S2 ${steady.wallSeconds.toFixed(1)} s)` : ''}\n`,
    );
  }
}
