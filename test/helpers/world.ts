import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createGoogleCalendars,
  type GoogleCalendarsClient,
} from '../../main/core/google/calendar-client';
import { createSeveraClient, type SeveraClient } from '../../main/core/severa/client';
import { parseGoogleKey } from '../../main/core/google/key-import';
import { createLogger, silentLogger } from '../../main/core/log';
import { DEMO_GOOGLE_USERS } from '../../main/core/sandbox/demo-company';
import { startGoogleSandbox, type GoogleSandbox } from '../../main/core/sandbox/google-sandbox';
import {
  startSeveraSandbox,
  type SeveraSandbox,
  type SeveraSandboxOptions,
} from '../../main/core/sandbox/severa-sandbox';
import { MemorySecretStore } from '../../main/core/service/memory-secrets';
import { connectGoogle, connectSevera } from '../../main/core/service/connect';
import type { ProfileEnv } from '../../main/core/service/backends';
import type { GoogleEvent } from '../../main/core/google/types';
import type { Activity, ActivityCategory, SeveraUser } from '../../main/core/severa/models';
import { fieldsFromActivity, fieldsFromEvent, hashFields } from '../../main/core/sync/mapping';
import { SEVERA_SCOPES } from '../../main/core/severa/types';
import { GOOGLE_CALENDAR_SCOPE } from '../../main/core/setup/steps';
import { KeychainSecretStore } from '../../main/core/store/keychain';
import { profilePaths } from '../../main/core/store/profile';
import type { SecretStore } from '../../main/core/store/secrets';
import { FileSettingsStore, type DeepPartial, type Settings } from '../../main/core/store/settings';
import {
  runSync,
  type SyncDeps,
  type SyncOptions,
  type SyncResult,
} from '../../main/core/sync/engine';
import { SyncState } from '../../main/core/sync/state';
import type { LogEntry } from '../../main/core/sync/sync-log';
import { expectEngineTexts } from './engine-texts';
import { generateKeyPair } from './google';

/**
 * A whole company on loopback for reliability tests, the benchmark and anyone else: both
 * sandboxes, a temp profile configured for them (settings file + secrets, in the real keychain
 * when the built CLI must read them), and direct access to both sides' data. Two shapes:
 * `company: 'demo'` is the Kalevala demo company both sandboxes seed (configured from the demo
 * P12, like a newcomer would); `company: { users: n }` is n people present on both sides with
 * empty calendars, for tests that build their own data.
 */
export interface WorldOptions {
  company?: 'demo' | { users: number };
  /** Added to every API answer of both sandboxes. */
  latencyMs?: number;
  /** Store the secrets in the OS keychain (needed by `node dist/cli.js`); else in memory. */
  keychain?: boolean;
  settings?: DeepPartial<Settings>;
  /** Severa's limit in the sandbox and the client (default 10/s, the real one). */
  severaRequestsPerSecond?: number;
  /**
   * Build the clients directly with retry waits of a few milliseconds instead of through the
   * profile's connect path: for tests that inject hundreds of faults and must stay fast.
   */
  fastRetries?: boolean;
  /** More options for the Severa sandbox (its zone, how it keeps all-day times, the nulls mode). */
  severa?: Omit<SeveraSandboxOptions, 'seedDemo' | 'latencyMs' | 'requestsPerSecond'>;
}

export interface WorldUser {
  email: string;
  severaGuid: string;
  timeZone: string;
}

export interface WorldTypes {
  meeting: string;
  personal: string;
  task: string;
  holiday: string;
}

export interface World {
  google: GoogleSandbox;
  severa: SeveraSandbox;
  profileDir: string;
  /** Synced people (on both sides). */
  users: WorldUser[];
  types: WorldTypes;
  secrets: SecretStore;
  settings(): Settings;
  updateSettings(patch: DeepPartial<Settings>): Settings;
  /** What a command gets: the profile's settings, secrets and debug log. */
  env(): ProfileEnv;
  /** The profile's sync state (state.db); close it before a CLI process writes to it. */
  openState(): SyncState;
  /** One in-process run through the real clients (as the CLI wires them), state opened and closed. */
  sync(options?: SyncOptions, deps?: Partial<SyncDeps>): Promise<SyncResult>;
  /** The clients a run uses (for tests that wrap them); close the Google one after use. */
  clients(): Promise<{ severa: SeveraClient; google: GoogleCalendarsClient }>;
  close(): Promise<void>;
}

const WORLD_DOMAIN = 'world.example';
const WORLD_SERVICE_ACCOUNT = 'sync@world-project.iam.gserviceaccount.com';
const WORLD_CLIENT_ID = '900000000000000000001';
const WORLD_SEVERA_CLIENT = 'world-severa-client';
const DAY = 86_400_000;
const ZONES = ['Europe/Helsinki', 'Europe/Stockholm', 'Europe/Berlin'];

export const worldEmail = (index: number) => `user${index}@${WORLD_DOMAIN}`;

type RunCounts = Pick<SyncResult, 'toGoogle' | 'toSevera' | 'adopted'>;

/** Every item a run wrote or adopted, on both sides (0: the run changed nothing). */
export const itemsChanged = (r: RunCounts) =>
  r.toGoogle.created +
  r.toGoogle.updated +
  r.toGoogle.deleted +
  r.toSevera.created +
  r.toSevera.updated +
  r.toSevera.deleted +
  r.adopted;

interface Configured {
  users: WorldUser[];
  types: WorldTypes;
  privateKeyPem: string;
  severaSecret: string;
  settings: DeepPartial<Settings>;
}

function typeGuid(severa: SeveraSandbox, category: string): string {
  const t = severa.control.activityTypes
    .listAll()
    .find((x) => x.category === category && x.isActive);
  if (!t) throw new Error(`no active ${category} type in the Severa sandbox`);
  return t.guid;
}

function typesOf(severa: SeveraSandbox): WorldTypes {
  return {
    meeting: typeGuid(severa, 'CalendarEntry'),
    personal: typeGuid(severa, 'Personal'),
    task: typeGuid(severa, 'Task'),
    holiday: typeGuid(severa, 'Absences'),
  };
}

const worldUser = (u: SeveraUser): WorldUser => ({
  email: (u.email ?? '').toLowerCase(),
  severaGuid: u.guid,
  timeZone: u.timezone?.ianaName ?? 'Europe/Helsinki',
});

function configureDemo(google: GoogleSandbox, severa: SeveraSandbox): Configured {
  const demo = google.demo!;
  const key = parseGoogleKey({
    bytes: readFileSync(demo.p12Path),
    password: demo.p12Password,
  });
  const inGoogle = new Set(DEMO_GOOGLE_USERS);
  const users = severa.control.users
    .listAll()
    .filter((u) => u.isActive && u.email)
    .map(worldUser)
    .filter((u) => inGoogle.has(u.email));
  return {
    users,
    types: typesOf(severa),
    privateKeyPem: key.privateKeyPem,
    severaSecret: severa.demo!.clientSecret,
    settings: {
      google: {
        serviceAccountEmail: demo.serviceAccountEmail,
        clientId: demo.clientId,
        domain: demo.domain,
        testUser: demo.testUser,
      },
      severa: { clientId: severa.demo!.clientId },
    },
  };
}

function configureGenerated(
  google: GoogleSandbox,
  severa: SeveraSandbox,
  count: number,
): Configured {
  const key = generateKeyPair();
  google.control.registerServiceAccount(WORLD_SERVICE_ACCOUNT, WORLD_CLIENT_ID, key.publicKeyPem);
  google.control.authorize(WORLD_CLIENT_ID, [GOOGLE_CALENDAR_SCOPE]);
  const severaSecret = `world-secret-${Math.random().toString(36).slice(2)}`;
  severa.control.addClient(WORLD_SEVERA_CLIENT, severaSecret, SEVERA_SCOPES);
  const put = (name: string, category: 'CalendarEntry' | 'Personal' | 'Task' | 'Absences') =>
    severa.control.activityTypes.put({
      name,
      category,
      isActive: true,
      isDefault: category === 'CalendarEntry',
    }).guid;
  const types: WorldTypes = {
    meeting: put('Meeting', 'CalendarEntry'),
    personal: put('Personal', 'Personal'),
    task: put('Task', 'Task'),
    holiday: put('Holiday', 'Absences'),
  };
  const users: WorldUser[] = [];
  for (let i = 0; i < count; i++) {
    const timeZone = ZONES[i % ZONES.length] as string;
    const email = worldEmail(i);
    google.control.addUser(email, { timeZone });
    const u = severa.control.users.put({
      firstName: 'User',
      lastName: String(i),
      email,
      isActive: true,
      timezone: { ianaName: timeZone, name: timeZone },
    });
    users.push(worldUser(u));
  }
  return {
    users,
    types,
    privateKeyPem: key.privateKeyPem,
    severaSecret,
    settings: {
      google: {
        serviceAccountEmail: WORLD_SERVICE_ACCOUNT,
        clientId: WORLD_CLIENT_ID,
        domain: WORLD_DOMAIN,
        testUser: users[0]?.email ?? null,
      },
      severa: { clientId: WORLD_SEVERA_CLIENT },
    },
  };
}

const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 40 };

function fastClients(settings: Settings, configured: Configured) {
  return {
    severaClient: createSeveraClient({
      apiRoot: settings.severa.apiRoot,
      clientId: settings.severa.clientId ?? '',
      clientSecret: configured.severaSecret,
      requestsPerSecond: settings.severa.requestsPerSecond,
      retry: FAST_RETRY,
      timeoutMs: settings.sync.requestTimeoutSeconds * 1000,
    }),
    googleClient: createGoogleCalendars({
      settings: settings.google,
      privateKeyPem: configured.privateKeyPem,
      retry: FAST_RETRY,
      requestTimeoutMs: settings.sync.requestTimeoutSeconds * 1000,
    }),
  };
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const demo = options.company === 'demo' || options.company === undefined;
  const latencyMs = options.latencyMs ?? 0;
  const google = await startGoogleSandbox({ seedDemo: demo, latencyMs });
  const severa = await startSeveraSandbox({
    ...options.severa,
    seedDemo: demo,
    latencyMs,
    requestsPerSecond: options.severaRequestsPerSecond,
  });
  const company = options.company;
  const configured = demo
    ? configureDemo(google, severa)
    : configureGenerated(google, severa, typeof company === 'object' ? company.users : 0);

  const profileDir = mkdtempSync(join(tmpdir(), 'severa-world-'));
  const paths = profilePaths(profileDir);
  const store = new FileSettingsStore(paths.settings);
  store.update({
    ...configured.settings,
    google: { ...configured.settings.google, apiRoot: google.apiRoot, tokenUrl: google.tokenUrl },
    severa: {
      ...configured.settings.severa,
      apiRoot: severa.apiRoot,
      defaultActivityTypeGuid: configured.types.meeting,
      personalActivityTypeGuid: configured.types.personal,
      ...(options.severaRequestsPerSecond && {
        requestsPerSecond: options.severaRequestsPerSecond,
      }),
    },
  });
  if (options.settings) store.update(options.settings);
  const secrets: SecretStore = options.keychain
    ? new KeychainSecretStore(profileDir)
    : new MemorySecretStore();
  await secrets.set('google-private-key', configured.privateKeyPem);
  await secrets.set('severa-client-secret', configured.severaSecret);
  const logger = options.keychain ? createLogger(paths.debugLog, 'world') : silentLogger;

  const env = (): ProfileEnv => ({ dir: profileDir, settings: store.get(), secrets, logger });
  const openState = () => SyncState.open(paths.state);
  const clients = async () => {
    const profile = env();
    if (!options.fastRetries)
      return { severa: await connectSevera(profile), google: await connectGoogle(profile) };
    const fast = fastClients(profile.settings, configured);
    return { severa: fast.severaClient, google: fast.googleClient };
  };

  return {
    google,
    severa,
    profileDir,
    users: configured.users,
    types: configured.types,
    secrets,
    settings: () => store.get(),
    updateSettings: (patch) => store.update(patch),
    env,
    openState,
    clients,
    async sync(syncOptions = {}, deps = {}) {
      const profile = env();
      const { severa: severaClient, google: googleClient } = await clients();
      const state = openState();
      const entries: LogEntry[] = [];
      try {
        const result = await runSync(
          {
            settings: profile.settings,
            severa: severaClient,
            google: googleClient,
            state,
            ...deps,
            onLogEntry: (e) => {
              entries.push(e);
              deps.onLogEntry?.(e);
            },
          },
          syncOptions,
        );
        // Every run of every scenario: the engine's own words reach the Finnish UI in Finnish.
        expectEngineTexts(entries, state.listUsers());
        return result;
      } finally {
        googleClient.close();
        state.close();
      }
    },
    async close() {
      // Every request the product sent in this world conformed to Google's discovery document.
      const departures = google.control.contractDepartures().filter((d) => d.kind === 'request');
      try {
        await Promise.all([google.close(), severa.close()]);
      } finally {
        if (options.keychain) {
          await secrets.delete('google-private-key');
          await secrets.delete('severa-client-secret');
        }
        rmSync(profileDir, { recursive: true, force: true });
      }
      if (departures.length > 0)
        throw new Error(
          `Requests outside the Calendar v3 discovery document: ${JSON.stringify(departures.slice(0, 5))}`,
        );
    },
  };
}

export interface UserSnapshot {
  email: string;
  /** Live events in the user's window, recurring ones expanded: what the engine sees. */
  google: GoogleEvent[];
  /** Live activities the user owns (series masters left out: they are not synced). */
  severa: Activity[];
}

/**
 * What must hold after a clean full-sweep run, read from both sandboxes and the state: no
 * duplicate on either side, every live item of a synced user inside the window linked, every
 * link between two live items that agree on every synced field (except a meeting the user
 * does not organise: Severa may hold notes the organiser's copy never takes), nothing held.
 * `nowMs` is the engine's clock when a test moves it (the window moves with it). Returns the
 * problems found (empty when converged) and what each user has, for checks of the caller's own.
 */
export async function convergenceReport(
  world: World,
  options: { nowMs?: number } = {},
): Promise<{ problems: string[]; users: UserSnapshot[] }> {
  const categories = new Map<string, ActivityCategory>(
    world.severa.control.activityTypes.listAll().map((t) => [t.guid, t.category]),
  );
  const state = world.openState();
  const links = state.allLinks();
  state.close();
  const { windowPastDays, windowFutureDays } = world.settings().sync;
  const now = options.nowMs ?? Date.now();
  const window = {
    timeMin: new Date(now - windowPastDays * DAY).toISOString(),
    timeMax: new Date(now + windowFutureDays * DAY).toISOString(),
  };
  const inWindow = (start: string, end: string) =>
    Date.parse(end) >= Date.parse(window.timeMin) &&
    Date.parse(start) <= Date.parse(window.timeMax);
  const severaLive = new Map(
    world.severa.control.activities
      .listAll()
      .filter((a) => a.recurrenceType !== 'Series')
      .map((a) => [a.guid, a]),
  );
  const client = createGoogleCalendars({
    settings: world.settings().google,
    privateKeyPem: (await world.secrets.get('google-private-key')) ?? '',
  });
  const problems: string[] = [];
  const users: UserSnapshot[] = [];
  try {
    for (const user of world.users) {
      const who = user.email;
      const calendar = client.forUser(who);
      const { events } = await calendar.listEvents(window);
      const google = new Map(
        events.filter((e) => e.status !== 'cancelled').map((e) => [e.id ?? '', e]),
      );
      const mine = links.filter((l) => l.user === who);
      // A linked pair follows its items anywhere: those outside the window are read by id.
      for (const l of mine)
        if (!google.has(l.googleId)) {
          const e = await calendar.getEvent(l.googleId);
          if (e && e.status !== 'cancelled') google.set(l.googleId, e);
        }
      const owned = [...severaLive.values()].filter((a) => a.ownerUser.guid === user.severaGuid);
      users.push({ email: who, google: [...google.values()], severa: owned });

      const repeated = (keys: string[]) => keys.filter((k, i) => keys.indexOf(k) !== i);
      const googleTwice = repeated(
        [...google.values()].map((e) => `${e.summary}|${fieldsFromEvent(e)?.start}`),
      );
      const severaTwice = repeated(
        owned.map((a) => `${a.name}|${fieldsFromActivity(a, user.timeZone, undefined).start}`),
      );
      if (googleTwice.length)
        problems.push(`${who}: duplicate Google events ${googleTwice.join(', ')}`);
      if (severaTwice.length)
        problems.push(`${who}: duplicate Severa activities ${severaTwice.join(', ')}`);

      const linkedGoogle = new Set(mine.map((l) => l.googleId));
      const linkedSevera = new Set(mine.map((l) => l.severaGuid));
      for (const [id, e] of google)
        if (!linkedGoogle.has(id)) problems.push(`${who}: Google "${e.summary}" not linked`);
      for (const a of owned) {
        const f = fieldsFromActivity(a, user.timeZone, undefined);
        if (!linkedSevera.has(a.guid) && inWindow(f.start, f.end))
          problems.push(`${who}: Severa "${a.name}" not linked`);
      }
      for (const l of mine) {
        const a = severaLive.get(l.severaGuid);
        const e = google.get(l.googleId);
        if (!a || !e) {
          problems.push(
            `${who}: a link to a missing ${a ? 'Google' : 'Severa'} item (${a?.name ?? e?.summary})`,
          );
          continue;
        }
        const fromSevera = fieldsFromActivity(
          a,
          user.timeZone,
          categories.get(a.activityType.guid),
        );
        const fromGoogle = fieldsFromEvent(e);
        const organisersOwn = e.organizer?.self === false;
        const agree =
          fromGoogle &&
          (organisersOwn
            ? fromSevera.private === fromGoogle.private
            : hashFields(fromSevera) === hashFields(fromGoogle));
        if (!agree)
          problems.push(
            `${who}: "${a.name}" differs: Severa ${JSON.stringify(fromSevera)} Google ${JSON.stringify(fromGoogle)}`,
          );
        if (l.held) problems.push(`${who}: "${a.name}" has a held ${l.held}`);
      }
    }
  } finally {
    client.close();
  }
  return { problems, users };
}
