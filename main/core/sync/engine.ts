import { AppError, isAppError } from '../errors';
import type { GoogleCalendars, GoogleEvent, UserCalendar } from '../google/types';
import { localized, type Localized } from '../localized';
import { silentLogger, type Logger } from '../log';
import type { Activity, ActivityCategory, ActivityQuery, SeveraUser } from '../severa/models';
import type { SeveraApi } from '../severa/types';
import type { Settings } from '../store/settings';
import { actionIds, actionItem, applyAction, DIRECTION, type UserContext } from './apply';
import {
  fieldsFromActivity,
  fieldsFromEvent,
  googleCopyId,
  PROP_ORIGIN,
  PROP_SEVERA_GUID,
  type Origin,
  type SyncFields,
} from './mapping';
import {
  plan,
  type Action,
  type GoogleItem,
  type Link,
  type Observed,
  type Plan,
  type SeveraItem,
} from './plan';
import type { StateChange, SyncState } from './state';
import { errorFields, makeEntry, type LogEntry } from './sync-log';

/**
 * One sync run (design D6): read what changed on both sides, decide with the pure `plan`,
 * apply with per-item isolation, record each result atomically. Free of CLI and Electron
 * concerns; the app, the CLI and the daemon call `runSync` with their own deps.
 */
export interface SyncDeps {
  settings: Settings;
  severa: SeveraApi;
  google: GoogleCalendars;
  state: SyncState;
  logger?: Logger;
  /** Every log entry, live (the app's log view). Called for dry runs too, which store nothing. */
  onLogEntry?: (entry: LogEntry) => void;
  /** Checked between items: the current item finishes, then the run stops cleanly. */
  signal?: AbortSignal;
  now?: () => Date;
}

export interface SyncOptions {
  /** Plan only: nothing is written on either side or in the state. */
  dryRun?: boolean;
  /** Only these users (e-mail). The Severa watermark then stays where it was. */
  users?: string[];
  /** The admin's answer to held deletions (design D8). */
  heldDecision?: 'confirm' | 'reject';
  /** Users synced at the same time; the clients' limiters keep every budget. */
  concurrency?: number;
  /** Look for Severa deletions now, whatever the sweep intervals say ("check everything"). */
  sweep?: 'near' | 'full';
}

export interface DirectionCounts {
  created: number;
  updated: number;
  deleted: number;
}

export interface SyncError {
  user: string | null;
  /** The server's exact message (scrubbed), or ours. */
  message: string;
  step: string | null;
  /** The AppError code and its Finnish/English text, when the error has them. */
  code: string | null;
  text: Localized | null;
}

/** A `SyncError` from anything thrown: the server's words, plus our diagnosis when there is one. */
export function syncError(user: string | null, e: unknown): SyncError {
  const f = errorFields(e);
  return {
    user,
    message: f.message,
    step: f.step,
    code: isAppError(e) ? e.code : null,
    text: isAppError(e) ? e.text : null,
  };
}

export interface PlannedAction {
  user: string;
  action: Action['kind'];
  direction: string | null;
  severaGuid: string | null;
  googleId: string | null;
  title: string | null;
}

export interface SyncResult {
  ok: boolean;
  runId: number | null;
  dryRun: boolean;
  aborted: boolean;
  users: number;
  toGoogle: DirectionCounts;
  toSevera: DirectionCounts;
  adopted: number;
  conflicts: number;
  /** Deletions waiting for the admin after this run. */
  held: number;
  errors: SyncError[];
  /** Users flagged and skipped (no Google account for the Severa address: `pre.same-email`). */
  skipped: SyncError[];
  /** Users whose sync a brake stopped this run. */
  stopped: string[];
  /** In a dry run: what would be done. */
  plan: PlannedAction[];
}

/** changedSince is moved back by this much, so a clock difference never loses a change. */
export const WATERMARK_OVERLAP_MS = 10 * 60_000;

/**
 * The next `changedSince`: the newest change Severa showed (its own clock, so our clock's error
 * does not matter) minus the overlap; never backwards. With nothing listed yet, our clock.
 */
export function nextWatermark(
  previous: string | null,
  newestChange: number | null,
  now: Date,
): string | null {
  const previousMs = previous ? Date.parse(previous) : null;
  const candidate =
    newestChange !== null
      ? newestChange - WATERMARK_OVERLAP_MS
      : previousMs === null
        ? now.getTime() - WATERMARK_OVERLAP_MS
        : null;
  if (candidate === null) return previous;
  return new Date(Math.max(candidate, previousMs ?? candidate)).toISOString();
}

const META = {
  domain: 'google.domain',
  clientId: 'google.clientId',
  watermark: 'severa.watermark',
  nearSweep: 'severa.nearSweepAt',
  fullSweep: 'severa.fullSweepAt',
} as const;

const DAY = 86_400_000;
/** Users synced at once by default; each client's limiter still caps its own request rate. */
export const DEFAULT_CONCURRENCY = 32;
const PARALLEL_SEVERA_READS = 8;

export const accountChangedError = () =>
  new AppError(
    'sync.account-changed',
    'pre.account-change',
    localized(
      'Google-tili (toimialue tai palvelutilin Client ID) on vaihtunut. Synkronointi on pysäytetty, kunnes tallennettu tila nollataan (reset).',
      "The Google account (domain or the service account's client id) has changed. Sync is stopped until the stored state is reset.",
    ),
  );

interface SyncedUser {
  email: string;
  severa: SeveraUser;
}

interface Window {
  start: number;
  end: number;
}

/** What the Severa side showed this run, for all users at once. */
interface SeveraRead {
  activities: Map<string, Activity>;
  /**
   * activity guid → participating user guid → participant record guid, or null when the
   * participation is known from the links and the record was not read (see `readSevera`).
   */
  participants: Map<string, Map<string, string | null>>;
  /** user guid → the listed activities the user owns or takes part in (one pass, not per user). */
  byUser: Map<string, Activity[]>;
  /** The latest `lastUpdatedDateTime` listed: Severa's clock, not ours. */
  newestChange: number | null;
  swept: Window | null;
  fullSweep: boolean;
  /** Whether the links stood in for the participants of unchanged activities (`readSevera`). */
  linksStoodIn: boolean;
}

export async function runSync(deps: SyncDeps, options: SyncOptions = {}): Promise<SyncResult> {
  const { settings, state } = deps;
  const logger = deps.logger ?? silentLogger;
  const now = deps.now?.() ?? new Date();
  const dryRun = options.dryRun ?? false;
  const result = emptyResult(dryRun);
  const runId = dryRun ? null : state.startRun(now.toISOString(), false);
  result.runId = runId;

  // Every entry about an item names its title and start: from the action where it has them,
  // else (a deletion, an error) from the item's latest logged entry.
  const withItemFacts = (e: LogEntry): LogEntry =>
    e.title || !e.user || (!e.severaGuid && !e.googleId)
      ? e
      : { ...e, ...state.itemFacts(e.user, e.severaGuid, e.googleId) };
  const record = (change: StateChange) => {
    const log = change.log?.map(withItemFacts);
    if (!dryRun) state.record({ ...change, log });
    for (const e of log ?? []) deps.onLogEntry?.(e);
  };
  const recordError = (
    user: string | null,
    action: string,
    e: unknown,
    ids: Partial<LogEntry> = {},
  ) => {
    const f = errorFields(e);
    result.errors.push(syncError(user, e));
    record({ log: [makeEntry({ runId, user, action, result: 'error', ...f, ...ids })] });
    logger.warn('sync error', { user, action, errorType: f.errorType });
  };
  /** A user flagged and left out (`pre.same-email`); the others go on. */
  const recordSkipped = (s: SyncError) => {
    result.skipped.push(s);
    const entry = { runId, user: s.user, level: 'warn' as const, message: s.message, step: s.step };
    record({ log: [makeEntry({ ...entry, action: 'user-skipped', result: 'skipped' })] });
  };

  record({
    log: [
      makeEntry({
        runId,
        action: 'run-start',
        result: 'ok',
        details: { dryRun, users: options.users ?? null },
      }),
    ],
  });
  try {
    checkAccount(settings, state, dryRun);
    const window = syncWindow(settings, now);
    const categories = new Map<string, ActivityCategory>();
    for await (const t of deps.severa.listActivityTypes()) categories.set(t.guid, t.category);
    const { synced, skipped } = await selectUsers(deps, options);
    for (const s of skipped) recordSkipped(s);
    const severaRead = await readSevera(deps, synced, categories, window, now, options);
    result.users = synced.length;

    const syncedEmails = new Set(synced.map((u) => u.email));
    const userRun = (u: SyncedUser) =>
      syncUser({
        deps,
        options,
        user: u,
        window,
        now,
        runId,
        severaRead,
        categories,
        syncedEmails,
        result,
        record,
        recordError,
        recordSkipped,
      });
    await runPool(synced, options.concurrency ?? DEFAULT_CONCURRENCY, userRun, deps.signal);

    result.aborted = deps.signal?.aborted ?? false;
    if (!dryRun && !result.aborted && options.users === undefined) {
      // The watermark moves only when every change of this run reached its side (else re-read).
      if (result.errors.length === 0) {
        const watermark = nextWatermark(
          state.getMeta(META.watermark),
          severaRead.newestChange,
          now,
        );
        state.setMeta(META.watermark, watermark);
      }
      if (severaRead.swept)
        state.setMeta(severaRead.fullSweep ? META.fullSweep : META.nearSweep, now.toISOString());
      if (severaRead.fullSweep) state.setMeta(META.nearSweep, now.toISOString());
    }
  } catch (e) {
    recordError(null, 'run', e);
  }
  result.held = dryRun ? result.held : state.heldLinks().length;
  result.ok = result.errors.length === 0 && result.stopped.length === 0 && !result.aborted;
  if (!dryRun && runId !== null) {
    state.pruneLog(new Date(now.getTime() - settings.sync.logRetentionDays * DAY).toISOString());
    const { plan: _plan, ...summary } = result;
    state.finishRun(runId, new Date().toISOString(), result.ok, summary);
  }
  record({
    log: [
      makeEntry({
        runId,
        action: 'run-end',
        result: result.ok ? 'ok' : 'error',
        details: summaryCounts(result),
      }),
    ],
  });
  return result;
}

const counts = (): DirectionCounts => ({ created: 0, updated: 0, deleted: 0 });

function emptyResult(dryRun: boolean): SyncResult {
  return {
    ok: true,
    runId: null,
    dryRun,
    aborted: false,
    users: 0,
    toGoogle: counts(),
    toSevera: counts(),
    adopted: 0,
    conflicts: 0,
    held: 0,
    errors: [],
    skipped: [],
    stopped: [],
    plan: [],
  };
}

const summaryCounts = (r: SyncResult) => ({
  users: r.users,
  toGoogle: r.toGoogle,
  toSevera: r.toSevera,
  adopted: r.adopted,
  conflicts: r.conflicts,
  held: r.held,
  errors: r.errors.length,
});

const ACCOUNT_KEYS = [
  [META.domain, (s: Settings) => s.google.domain],
  [META.clientId, (s: Settings) => s.google.clientId],
] as const;

/**
 * `pre.account-change`: the Google domain or client id differs from the one synced so far. A
 * value that was not known then (set up later) is not a change.
 */
export function accountChanged(settings: Settings, state: SyncState): boolean {
  return ACCOUNT_KEYS.some(([key, read]) => {
    const stored = state.getMeta(key);
    const current = read(settings);
    return Boolean(stored && current && stored !== current);
  });
}

/** Another Google account stops sync until `reset`; runs remember the account they synced. */
function checkAccount(settings: Settings, state: SyncState, dryRun: boolean): void {
  if (accountChanged(settings, state)) throw accountChangedError();
  for (const [key, read] of ACCOUNT_KEYS) {
    const current = read(settings);
    if (!dryRun && current && !state.getMeta(key)) state.setMeta(key, current);
  }
}

function syncWindow(settings: Settings, now: Date): Window {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return {
    start: today - settings.sync.windowPastDays * DAY,
    end: today + (settings.sync.windowFutureDays + 1) * DAY,
  };
}

const normaliseEmail = (email: string) => email.trim().toLowerCase();

async function selectUsers(
  deps: SyncDeps,
  options: SyncOptions,
): Promise<{ synced: SyncedUser[]; skipped: SyncError[] }> {
  const { settings } = deps;
  const enabled = new Set(settings.users.enabled.map(normaliseEmail));
  const only = options.users ? new Set(options.users.map(normaliseEmail)) : null;
  const synced: SyncedUser[] = [];
  const skipped: SyncError[] = [];
  const seen = new Set<string>();
  for await (const severa of deps.severa.listUsers({ isActive: true })) {
    const email = severa.email ? normaliseEmail(severa.email) : null;
    if (email) seen.add(email);
    if (email && settings.users.mode === 'selected' && !enabled.has(email)) continue;
    if (email && only && !only.has(email)) continue;
    if (!email) {
      if (!only)
        skipped.push(syncError(null, noEmailError(`${severa.firstName} ${severa.lastName}`)));
      continue;
    }
    synced.push({ email, severa });
  }
  for (const email of only ?? (settings.users.mode === 'selected' ? enabled : [])) {
    if (!seen.has(email)) skipped.push(syncError(email, noSeveraUserError(email)));
  }
  return { synced, skipped };
}

const noEmailError = (name: string) =>
  new AppError(
    'sync.no-email',
    'pre.same-email',
    localized(
      `Käyttäjällä ${name} ei ole Severassa sähköpostiosoitetta, joten häntä ei synkronoida.`,
      `${name} has no e-mail address in Severa and is not synced.`,
    ),
  );

const noSeveraUserError = (email: string) =>
  new AppError(
    'sync.no-severa-user',
    'pre.same-email',
    localized(
      `Osoitteella ${email} ei ole aktiivista Severa-käyttäjää.`,
      `No active Severa user has the address ${email}.`,
    ),
  );

const emptyListingError = (side: Origin, email: string, items: number) => {
  const name = side === 'google' ? 'Google' : 'Severa';
  return new AppError(
    'sync.empty-listing',
    null,
    localized(
      `${name} ei listannut yhtään merkintää käyttäjälle ${email}, jolla oli ${items} synkronoitua merkintää. Käyttäjän synkronointi on pysäytetty, jotta mitään ei poisteta.`,
      `${name} listed nothing for ${email}, who had ${items} synced items; this user's sync is stopped so nothing is deleted.`,
    ),
  );
};

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * Severa has no feed of deletions (severa-api.md §2.8): changes come from `changedSince`, and
 * deletions from sweeps that list a window and compare it with the links — the near future
 * often, the whole window less often (both intervals are settings).
 */
async function readSevera(
  deps: SyncDeps,
  synced: SyncedUser[],
  categories: Map<string, ActivityCategory>,
  window: Window,
  now: Date,
  options: SyncOptions,
): Promise<SeveraRead> {
  const { settings, state } = deps;
  const watermark = state.getMeta(META.watermark);
  const age = (key: string) => {
    const at = state.getMeta(key);
    return at ? now.getTime() - Date.parse(at) : Number.POSITIVE_INFINITY;
  };
  // A run for some users only lists the window: the shared watermark is not theirs to use.
  const fullSweep =
    options.sweep === 'full' ||
    !watermark ||
    options.users !== undefined ||
    age(META.fullSweep) >= settings.sync.fullSweepHours * 3_600_000;
  const nearSweep =
    !fullSweep &&
    (options.sweep === 'near' || age(META.nearSweep) >= settings.sync.nearSweepMinutes * 60_000);
  const range = (w: Window): ActivityQuery => ({
    startDateTime: new Date(w.start).toISOString(),
    endDateTime: new Date(w.end).toISOString(),
  });
  const nearWindow: Window = {
    start: Math.max(window.start, now.getTime() - DAY),
    end: now.getTime() + settings.sync.nearSweepDays * DAY,
  };

  const listed: Activity[] = [];
  if (fullSweep) listed.push(...(await collect(deps.severa.listActivities(range(window)))));
  else {
    listed.push(
      ...(await collect(deps.severa.listActivities({ changedSince: watermark ?? undefined }))),
    );
    if (nearSweep) listed.push(...(await collect(deps.severa.listActivities(range(nearWindow)))));
  }
  const activities = new Map<string, Activity>();
  for (const a of listed) if (a.recurrenceType !== 'Series') activities.set(a.guid, a);

  const userGuids = new Set(synced.map((u) => u.severa.guid));
  const guidByEmail = new Map(synced.map((u) => [u.email, u.severa.guid]));
  const participants = new Map<string, Map<string, string | null>>();
  // Participants cost a request per activity (Severa has no bulk list). They are read only where
  // they may have changed: an activity new to us, or one whose lastUpdatedDateTime differs from
  // what a link recorded (Severa bumps it when participants change). Elsewhere the links say who
  // takes part — unless a user may lack a link they should have (new, failed or stopped last run).
  // A user without a Google account has no links to lack; when one gets an account, their first
  // run keeps no sync token (see syncUser), so the run after it reads every participant again.
  const linksComplete = synced.every((u) => {
    const row = state.getUser(u.email);
    return (
      row !== null && (row.state === 'no-google' || (row.state === 'ok' && row.syncToken !== null))
    );
  });
  const toRead: Activity[] = [];
  for (const a of activities.values()) {
    if (!typeSelected(settings, a, categories)) continue;
    const known = linksComplete ? participantsFromLinks(state, a, guidByEmail) : null;
    if (known) participants.set(a.guid, known);
    else toRead.push(a);
  }
  // Several requests in flight hide the latency; the client's limiter keeps Severa's rate.
  const readParticipants = async (a: Activity) => {
    participants.set(a.guid, await participantsOf(deps.severa, a.guid, userGuids));
  };
  await runPool(toRead, PARALLEL_SEVERA_READS, readParticipants);
  const byUser = new Map<string, Activity[]>();
  for (const a of activities.values()) {
    for (const user of new Set([a.ownerUser.guid, ...(participants.get(a.guid)?.keys() ?? [])])) {
      const list = byUser.get(user);
      if (list) list.push(a);
      else byUser.set(user, [a]);
    }
  }
  const newestChange = listed.reduce<number | null>((newest, a) => {
    const t = Date.parse(a.lastUpdatedDateTime ?? '');
    return Number.isFinite(t) && (newest === null || t > newest) ? t : newest;
  }, null);
  return {
    activities,
    participants,
    byUser,
    newestChange,
    swept: fullSweep ? window : nearSweep ? nearWindow : null,
    fullSweep,
    linksStoodIn: linksComplete,
  };
}

/**
 * The synced users linked to an unchanged activity, as its participants (record guid not read);
 * null when no synced user has a link to it or a link recorded another lastUpdatedDateTime.
 */
function participantsFromLinks(
  state: SyncState,
  a: Activity,
  guidByEmail: ReadonlyMap<string, string>,
): Map<string, string | null> | null {
  const links = state.linksOfActivity(a.guid).filter((l) => guidByEmail.has(l.user));
  if (links.length === 0 || links.some((l) => l.severaUpdated !== a.lastUpdatedDateTime))
    return null;
  return new Map(links.map((l) => [guidByEmail.get(l.user) as string, null]));
}

async function participantsOf(
  severa: SeveraApi,
  guid: string,
  userGuids: Set<string>,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const p of await severa.listParticipants(guid)) {
    if (p.type === 'User' && userGuids.has(p.participantGuid) && p.status !== 'Declined')
      out.set(p.participantGuid, p.guid);
  }
  return out;
}

/** "Of an activity type the admin selected"; with none selected, every type but project tasks. */
function typeSelected(
  settings: Settings,
  a: Activity,
  categories: Map<string, ActivityCategory>,
): boolean {
  const selected = settings.severa.activityTypeGuids;
  if (selected.length > 0) return selected.includes(a.activityType.guid);
  return (categories.get(a.activityType.guid) ?? a.activityType.category) !== 'Task';
}

/** Runs `work` for each item, at most `limit` at a time; stops starting new ones once aborted. */
async function runPool<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

interface UserRunContext {
  deps: SyncDeps;
  options: SyncOptions;
  user: SyncedUser;
  window: Window;
  now: Date;
  runId: number | null;
  severaRead: SeveraRead;
  categories: Map<string, ActivityCategory>;
  syncedEmails: ReadonlySet<string>;
  result: SyncResult;
  record: (change: StateChange) => void;
  recordError: (user: string | null, action: string, e: unknown, ids?: Partial<LogEntry>) => void;
  recordSkipped: (s: SyncError) => void;
}

async function syncUser(run: UserRunContext): Promise<void> {
  const { deps, user, result, record } = run;
  const email = user.email;
  const dryRun = run.options.dryRun ?? false;
  const calendar = deps.google.forUser(email);
  const previousToken = deps.state.getUser(email)?.syncToken ?? null;
  let googleRead: GoogleRead;
  let zone: string;
  try {
    zone = user.severa.timezone?.ianaName ?? (await calendar.timeZone());
    googleRead = await readGoogle(calendar, previousToken, run.window);
  } catch (e) {
    if (isAppError(e) && e.step === 'pre.same-email') {
      // Flagged and skipped, not counted as a synced user; the others go on.
      result.users--;
      run.recordSkipped(syncError(email, e));
      if (!dryRun)
        deps.state.setUser(email, {
          state: 'no-google',
          reason: errorFields(e).message,
          step: 'pre.same-email',
        });
      return;
    }
    run.recordError(email, 'read-google', e);
    if (!dryRun)
      deps.state.setUser(email, {
        state: 'error',
        reason: errorFields(e).message,
        step: errorFields(e).step,
      });
    return;
  }

  const ctx: UserContext = {
    user: email,
    severaUserGuid: user.severa.guid,
    zone,
    calendar,
    severa: deps.severa,
    settings: deps.settings,
    runId: run.runId,
    categoryOf: (guid) => run.categories.get(guid),
    listedActivity: (guid) => run.severaRead.activities.get(guid),
  };
  let planned: Plan;
  try {
    const links = deps.state.linksForUser(email);
    const google = await observeGoogle(run, calendar, googleRead, links);
    const severa = await observeSevera(run, ctx, links, google);
    planned = plan({
      user: email,
      links,
      severa: severa.observed,
      google,
      fullListingCount: {
        google: googleRead.full ? googleRead.events.length : undefined,
        severa: severa.fullCount,
      },
      policy: deps.settings.sync.conflictPolicy,
      deletionThresholdPercent: deps.settings.sync.deletionThresholdPercent,
      copyId: (guid) => googleCopyId(guid, email),
      heldDecision: run.options.heldDecision,
    });
  } catch (e) {
    run.recordError(email, 'read', e);
    return;
  }

  if (planned.brake) {
    const brake = emptyListingError(planned.brake.side, email, planned.brake.knownItems);
    const message = brake.text.en;
    result.stopped.push(email);
    result.errors.push(syncError(email, brake));
    record({
      log: [
        makeEntry({
          runId: run.runId,
          user: email,
          level: 'error',
          action: 'brake',
          result: 'stopped',
          errorType: 'empty-listing',
          message,
        }),
      ],
    });
    if (!dryRun)
      deps.state.setUser(email, {
        state: 'stopped',
        reason: message,
        step: null,
        lastRunAt: run.now.toISOString(),
      });
    return;
  }

  if (dryRun) {
    for (const a of [...planned.actions, ...planned.held]) result.plan.push(describe(email, a));
    result.held += planned.held.length;
    count(result, planned.actions);
    return;
  }

  let failed = 0;
  for (const action of planned.actions) {
    if (deps.signal?.aborted) return;
    try {
      const change = await applyAction(ctx, action);
      record(change);
      count(result, [change.applied]);
    } catch (e) {
      failed++;
      run.recordError(email, action.kind, e, {
        direction: DIRECTION[action.kind],
        ...actionItem(action),
      });
    }
  }
  if (planned.held.length > 0) {
    record({
      upsert: planned.held.map((a) => ({ ...a.link, held: a.kind })),
      log: planned.held.map((a) =>
        makeEntry({
          runId: run.runId,
          user: email,
          level: 'warn',
          direction: DIRECTION[a.kind],
          action: a.kind,
          result: 'held',
          ...actionItem(a),
          message:
            "Held for the admin: this run would delete more than the set share of the user's items.",
        }),
      ),
    });
  }
  // The token moves only when every change reached the other side; else the next run re-reads.
  // A user's first token also waits for a run that read every participant (see readSevera).
  const firstRunOnLinks = previousToken === null && run.severaRead.linksStoodIn;
  deps.state.setUser(email, {
    ...(failed === 0 && !firstRunOnLinks && { syncToken: googleRead.nextSyncToken }),
    state: failed === 0 ? 'ok' : 'error',
    reason: failed === 0 ? null : `${failed} item(s) failed; see the sync log.`,
    step: null,
    lastRunAt: run.now.toISOString(),
  });
}

function count(result: SyncResult, actions: Action[]): void {
  for (const a of actions) {
    if (a.kind === 'create-google' || a.kind === 'restore-google') result.toGoogle.created++;
    if (a.kind === 'update-google') result.toGoogle.updated++;
    if (a.kind === 'delete-google') result.toGoogle.deleted++;
    if (a.kind === 'create-severa') result.toSevera.created++;
    if (a.kind === 'update-severa') result.toSevera.updated++;
    if (a.kind === 'delete-severa') result.toSevera.deleted++;
    if (a.kind === 'adopt') {
      result.adopted++;
      if (a.then === 'update-google') result.toGoogle.updated++;
      if (a.then === 'update-severa') result.toSevera.updated++;
    }
    if ((a.kind === 'update-google' || a.kind === 'update-severa') && a.conflict)
      result.conflicts++;
  }
}

function describe(user: string, a: Action): PlannedAction {
  const title =
    a.kind === 'create-google' ||
    a.kind === 'adopt' ||
    a.kind === 'update-google' ||
    a.kind === 'restore-google'
      ? a.severa.fields.title
      : a.kind === 'create-severa' || a.kind === 'update-severa'
        ? a.google.fields.title
        : null;
  return { user, action: a.kind, direction: DIRECTION[a.kind], ...actionIds(a), title };
}

interface GoogleRead {
  events: GoogleEvent[];
  nextSyncToken: string | null;
  /** A complete window listing (first run, or after the token expired). */
  full: boolean;
}

const isTokenExpired = (e: unknown) =>
  (e as { reason?: string }).reason === 'fullSyncRequired' ||
  (e as { status?: number }).status === 410;

async function readGoogle(
  calendar: UserCalendar,
  syncToken: string | null,
  window: Window,
): Promise<GoogleRead> {
  if (syncToken) {
    try {
      const listing = await calendar.listEvents({ syncToken });
      return { ...listing, full: false };
    } catch (e) {
      // 410: list in full and reconcile against the links; the links themselves are kept.
      if (!isTokenExpired(e)) throw e;
    }
  }
  const listing = await calendar.listEvents({
    timeMin: new Date(window.start).toISOString(),
    timeMax: new Date(window.end).toISOString(),
  });
  return { ...listing, full: true };
}

const inWindow = (fields: SyncFields, window: Window) => {
  const start = Date.parse(fields.start);
  const end = Date.parse(fields.end);
  return end >= window.start && start <= window.end;
};

function googleItem(run: UserRunContext, event: GoogleEvent, fields: SyncFields): GoogleItem {
  const props = event.extendedProperties?.private ?? {};
  const origin = props[PROP_ORIGIN];
  const organizer = event.organizer?.email ? normaliseEmail(event.organizer.email) : null;
  const declined = (event.attendees ?? []).some((a) => a.self && a.responseStatus === 'declined');
  // A meeting organised by another synced user becomes an activity from the organiser's calendar.
  const organisedByOther =
    event.organizer?.self === false &&
    organizer !== null &&
    organizer !== run.user.email &&
    run.syncedEmails.has(organizer);
  const plainEvent = !event.eventType || event.eventType === 'default';
  return {
    id: event.id ?? '',
    fields,
    updated: event.updated ?? null,
    etag: event.etag ?? null,
    severaGuid: props[PROP_SEVERA_GUID] ?? null,
    origin: origin === 'severa' || origin === 'google' ? (origin as Origin) : null,
    eligible: !declined && !organisedByOther && plainEvent,
    inWindow: inWindow(fields, run.window),
  };
}

async function observeGoogle(
  run: UserRunContext,
  calendar: UserCalendar,
  read: GoogleRead,
  links: Link[],
): Promise<Map<string, Observed<GoogleItem>>> {
  const observed = new Map<string, Observed<GoogleItem>>();
  const observe = (event: GoogleEvent) => {
    if (!event.id) return;
    const fields = event.status === 'cancelled' ? null : fieldsFromEvent(event);
    observed.set(
      event.id,
      fields ? { kind: 'present', item: googleItem(run, event, fields) } : { kind: 'gone' },
    );
  };
  for (const event of read.events) observe(event);
  const needed = links.filter(
    (l) =>
      !observed.has(l.googleId) &&
      ((read.full && read.events.length > 0) ||
        (l.held === 'delete-google' && run.options.heldDecision === 'reject')),
  );
  // A full listing covers only the window: a linked event missing from it is asked for by id.
  for (const link of needed) {
    const event = await calendar.getEvent(link.googleId);
    if (event) observe({ ...event, id: link.googleId });
    else observed.set(link.googleId, { kind: 'gone' });
  }
  return observed;
}

async function observeSevera(
  run: UserRunContext,
  ctx: UserContext,
  links: Link[],
  google: Map<string, Observed<GoogleItem>>,
): Promise<{ observed: Map<string, Observed<SeveraItem>>; fullCount: number | undefined }> {
  const { deps, severaRead } = run;
  const userGuid = run.user.severa.guid;
  const linkByGuid = new Map(links.map((l) => [l.severaGuid, l]));
  const observed = new Map<string, Observed<SeveraItem>>();
  const toItem = (
    a: Activity,
    participants: Map<string, string | null> | undefined,
  ): SeveraItem | null => {
    const owned = a.ownerUser.guid === userGuid;
    const takesPart = participants?.has(userGuid) ?? false;
    const participantGuid = participants?.get(userGuid) ?? null;
    const link = linkByGuid.get(a.guid);
    if (!owned && !takesPart && !link) return null;
    const fields = fieldsFromActivity(a, ctx.zone, run.categories.get(a.activityType.guid));
    // An activity made from a Google event stays in sync whatever its type.
    const selected = link?.origin === 'google' || typeSelected(deps.settings, a, run.categories);
    return {
      guid: a.guid,
      fields,
      updated: a.lastUpdatedDateTime,
      hasHours: a.hasHours ?? false,
      ownedByUser: owned,
      participantGuid,
      eligible: (owned || takesPart) && selected,
      inWindow: inWindow(fields, run.window),
    };
  };

  let fullCount = 0;
  const linkedListed = links.flatMap((l) => severaRead.activities.get(l.severaGuid) ?? []);
  for (const a of new Set([...(severaRead.byUser.get(userGuid) ?? []), ...linkedListed])) {
    const item = toItem(a, severaRead.participants.get(a.guid));
    if (!item) continue;
    observed.set(a.guid, { kind: 'present', item });
    if (item.eligible) fullCount++;
  }

  // A participant leaving removes only their participant record: where the links stood in for
  // the participants and a deletion may follow, that record is read now.
  for (const link of links) {
    const seen = observed.get(link.severaGuid);
    if (seen?.kind !== 'present' || seen.item.ownedByUser || seen.item.participantGuid) continue;
    const g = google.get(link.googleId);
    const mayDelete =
      link.held !== null || g?.kind === 'gone' || (g?.kind === 'present' && !g.item.eligible);
    const activity = severaRead.activities.get(link.severaGuid);
    if (!mayDelete || !seen.item.eligible || !activity) continue;
    const item = toItem(
      activity,
      await participantsOf(deps.severa, activity.guid, new Set([userGuid])),
    );
    observed.set(link.severaGuid, item ? { kind: 'present', item } : { kind: 'gone' });
  }

  // Deletions: a linked activity a sweep should have listed, asked for by id (404 = deleted).
  const swept = severaRead.swept;
  const sweptMissing = swept
    ? links.filter(
        (l) =>
          !observed.has(l.severaGuid) &&
          Date.parse(l.start) >= swept.start &&
          Date.parse(l.start) <= swept.end,
      )
    : [];
  // A Google deletion needs the activity's current state (work hours, edits since).
  const googleGone = links.filter(
    (l) => !observed.has(l.severaGuid) && google.get(l.googleId)?.kind === 'gone',
  );
  const heldSurvivors = run.options.heldDecision
    ? links.filter((l) => l.held !== null && !observed.has(l.severaGuid))
    : [];
  // Listed nothing for a user with items: the plan brakes; asking for each one by id is pointless.
  const listedNothing = sweptMissing.length > 0 && fullCount === 0 && severaRead.fullSweep;
  if (listedNothing) return { observed, fullCount: 0 };

  for (const link of new Set([...sweptMissing, ...googleGone, ...heldSurvivors])) {
    if (observed.has(link.severaGuid)) continue;
    const activity = await deps.severa.getActivity(link.severaGuid);
    const item = activity
      ? toItem(activity, await participantsOf(deps.severa, activity.guid, new Set([userGuid])))
      : null;
    observed.set(link.severaGuid, item ? { kind: 'present', item } : { kind: 'gone' });
  }
  return { observed, fullCount: severaRead.fullSweep ? fullCount : undefined };
}
