import { AppError, isAppError } from '../errors';
import { GoogleApiError } from '../google/google-errors';
import type { GoogleCalendars, GoogleEvent, UserCalendar } from '../google/types';
import { localized, type Localized } from '../localized';
import { silentLogger, type Logger } from '../log';
import type { Activity, ActivityCategory, ActivityQuery, SeveraUser } from '../severa/models';
import type { SeveraApi } from '../severa/types';
import type { Settings } from '../store/settings';
import {
  actionIds,
  actionItem,
  applyAction,
  DIRECTION,
  type AppliedChange,
  type UserContext,
} from './apply';
import { isTransient, itemKey, QUARANTINE_AFTER_RUNS } from './quarantine';
import {
  fieldsFromActivity,
  fieldsFromEvent,
  googleCopyId,
  hashFields,
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
  type PlanInput,
  type SeveraItem,
} from './plan';
import { instanceOf, pairSplit, splitFrom } from './series';
import type { ItemFailure, StateChange, SyncState } from './state';
import { storedRange, uncoveredSlices } from './window';
import { errorFields, makeEntry, unexpected, type LogEntry, type MessageFrom } from './sync-log';

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
  /** Items quarantined this run: they kept failing, so they are left alone until retried. */
  quarantined: QuarantinedItem[];
  /** In a dry run: what would be done. */
  plan: PlannedAction[];
}

/** An item this run quarantined (`item` is what a retry takes). */
export type QuarantinedItem = Pick<
  ItemFailure,
  'user' | 'item' | 'action' | 'severaGuid' | 'googleId' | 'failures' | 'errorType' | 'step'
> & { message: string };

/** What an error entry names of its item (the words come from the error). */
type ItemIds = Partial<Pick<LogEntry, 'direction' | 'severaGuid' | 'googleId' | 'title' | 'start'>>;

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
  windowStart: 'severa.windowStart',
  windowEnd: 'severa.windowEnd',
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

const HELD_TEXT = localized(
  'Pidätetty vastaustasi varten: tämä ajo poistaisi käyttäjän merkinnöistä suuremman osan kuin poistojarru sallii.',
  "Held for the admin: this run would delete more than the set share of the user's items.",
);

/** A user's reason when items failed in this run: the log has each with the server's words. */
const failedItemsText = (n: number) =>
  n === 1
    ? localized(
        '1 merkinnän synkronointi epäonnistui; katso synkronointiloki.',
        '1 item failed; see the sync log.',
      )
    : localized(
        `${n} merkinnän synkronointi epäonnistui; katso synkronointiloki.`,
        `${n} items failed; see the sync log.`,
      );

const quarantinedText = (n: number) =>
  n === 1
    ? localized(
        '1 merkintä on karanteenissa: sitä ei käsitellä, ennen kuin sitä yritetään uudelleen.',
        '1 item is quarantined: it is left alone until it is retried.',
      )
    : localized(
        `${n} merkintää on karanteenissa: niitä ei käsitellä, ennen kuin niitä yritetään uudelleen.`,
        `${n} items are quarantined: they are left alone until they are retried.`,
      );

/** Our diagnosis of the failure, then what quarantine means for the item. */
const quarantineNote = (diagnosis: Localized, failures: number): Localized =>
  localized(
    `${diagnosis.fi} — Merkintä epäonnistui ${failures} ajossa peräkkäin, joten se on karanteenissa: sitä ei käsitellä (käyttäjän muut merkinnät synkronoituvat), kunnes sitä yritetään uudelleen.`,
    `${diagnosis.en} — This item failed in ${failures} runs in a row and is quarantined: it is left alone (the user's other items sync on) until it is retried.`,
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
  const recordError = (user: string | null, action: string, e: unknown, ids: ItemIds = {}) => {
    const f = errorFields(e);
    result.errors.push(syncError(user, e));
    record({ log: [makeEntry({ runId, user, action, result: 'error', ...f, ...ids })] });
    logger.warn('sync error', { user, action, errorType: f.errorType });
  };
  /** A user flagged and left out (`pre.same-email`); the others go on. */
  const recordSkipped = (s: SyncError, messageFrom: MessageFrom | null = null) => {
    result.skipped.push(s);
    const entry = { runId, user: s.user, level: 'warn' as const, message: s.message, step: s.step };
    const words = { text: s.text ?? unexpected(s.message), messageFrom };
    record({ log: [makeEntry({ ...entry, ...words, action: 'user-skipped', result: 'skipped' })] });
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
    const { synced, skipped, zones } = await selectUsers(deps, options);
    for (const s of skipped) recordSkipped(s);
    const severaRead = await readSevera(deps, synced, categories, window, now, options, (e, a) =>
      recordError(null, 'read-participants', e, {
        severaGuid: a.guid,
        title: a.name,
        start: a.startDateTime,
      }),
    );
    result.users = synced.length;

    const syncedEmails = new Set(synced.map((u) => u.email));
    const shared = {
      deps,
      options,
      window,
      now,
      runId,
      categories,
      syncedEmails,
      zones,
      result,
      record,
      recordError,
      recordSkipped,
      deleted: new Set<string>(),
      emailByGuid: new Map(synced.map((u) => [u.severa.guid, u.email])),
      guidByEmail: new Map(synced.map((u) => [u.email, u.severa.guid])),
      participantUsers: new Set(synced.map((u) => u.severa.guid)),
    };
    const userRun = (u: SyncedUser) =>
      syncUser({ ...shared, user: u, severaRead, fetched: new Map() });
    await runPool(synced, options.concurrency ?? DEFAULT_CONCURRENCY, userRun, deps.signal);
    await reachParticipants(shared, synced);

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
        // The window this run reconciled: the next lists only what comes into view after it.
        state.setMeta(META.windowStart, new Date(window.start).toISOString());
        state.setMeta(META.windowEnd, new Date(window.end).toISOString());
      }
      if (severaRead.swept)
        state.setMeta(severaRead.fullSweep ? META.fullSweep : META.nearSweep, now.toISOString());
      if (severaRead.fullSweep) state.setMeta(META.nearSweep, now.toISOString());
    }
  } catch (e) {
    recordError(null, 'run', e);
  }
  result.held = dryRun ? result.held : state.heldLinks().length;
  result.ok =
    result.errors.length === 0 &&
    result.stopped.length === 0 &&
    result.quarantined.length === 0 &&
    !result.aborted;
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
    quarantined: [],
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
): Promise<{ synced: SyncedUser[]; skipped: SyncError[]; zones: Map<string, string> }> {
  const { settings } = deps;
  const enabled = new Set(settings.users.enabled.map(normaliseEmail));
  const only = options.users ? new Set(options.users.map(normaliseEmail)) : null;
  const synced: SyncedUser[] = [];
  const skipped: SyncError[] = [];
  const seen = new Set<string>();
  /** Every active user's zone: an all-day activity is read in its owner's (see allDayDates). */
  const zones = new Map<string, string>();
  for await (const severa of deps.severa.listUsers({ isActive: true })) {
    if (severa.timezone?.ianaName) zones.set(severa.guid, severa.timezone.ianaName);
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
  return { synced, skipped, zones };
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
  onError: (e: unknown, activity: Activity) => void,
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
    // Unchanged activities that only came into view (the window moved or was widened).
    const covered = storedRange(state.getMeta(META.windowStart), state.getMeta(META.windowEnd));
    for (const slice of uncoveredSlices(covered, window))
      listed.push(...(await collect(deps.severa.listActivities(range(slice)))));
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
  /** Activities whose participants the links stood in for (not read this run). */
  const fromLinks = new Set<string>();
  for (const a of activities.values()) {
    if (!typeSelected(settings, a, categories)) continue;
    const known = linksComplete ? participantsFromLinks(state, a, guidByEmail) : null;
    if (known) {
      participants.set(a.guid, known);
      fromLinks.add(a.guid);
    } else toRead.push(a);
  }
  // Several requests in flight hide the latency; the client's limiter keeps Severa's rate. An
  // activity whose participants cannot be read is left out of this run (retried next run): a
  // failed read is never taken for "nobody takes part".
  const readParticipants = async (a: Activity) => {
    try {
      participants.set(a.guid, await participantsOf(deps.severa, a.guid, userGuids));
      fromLinks.delete(a.guid);
    } catch (e) {
      activities.delete(a.guid);
      participants.delete(a.guid);
      onError(e, a);
    }
  };
  await runPool(toRead, PARALLEL_SEVERA_READS, readParticipants);
  if (fullSweep && fromLinks.size > 0) {
    const doubtful = await doubtfulParticipations(deps, synced, range(window), {
      activities,
      participants,
      fromLinks,
      selected: (a) => typeSelected(settings, a, categories),
    });
    await runPool(doubtful, PARALLEL_SEVERA_READS, readParticipants);
  }
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
 * The check on the saving in `readSevera` (participants taken from the links, trusting that
 * Severa stamps an activity when its participants change, which its document does not say): on
 * a full sweep, each synced user's activities in the window as Severa lists them for that user
 * (`userGuids` + `includeAsMember`, one paged listing per user). Where that listing and the links
 * disagree (a participation the links did not know, or one they knew that the listing lacks), the
 * activity is returned, to have its participants read; so a missed change is repaired within one
 * full-sweep period, and a listing that ignored `includeAsMember` costs reads, never a deletion.
 */
async function doubtfulParticipations(
  deps: SyncDeps,
  synced: SyncedUser[],
  range: ActivityQuery,
  known: {
    activities: Map<string, Activity>;
    participants: Map<string, Map<string, string | null>>;
    fromLinks: ReadonlySet<string>;
    selected: (a: Activity) => boolean;
  },
): Promise<Activity[]> {
  const doubtful = new Map<string, Activity>();
  // A user without a Google account has no links to check.
  const checked = synced.filter((u) => deps.state.getUser(u.email)?.state !== 'no-google');
  await runPool(checked, PARALLEL_SEVERA_READS, async (u) => {
    const user = u.severa.guid;
    const listed = new Set<string>();
    const query = { ...range, userGuids: [user], includeAsMember: true };
    for await (const a of deps.severa.listActivities(query)) {
      if (a.recurrenceType === 'Series' || !known.selected(a)) continue;
      listed.add(a.guid);
      const current = known.activities.get(a.guid);
      if (!current) {
        // Listed for the user, not by the window listing moments ago: take it in, read it.
        known.activities.set(a.guid, a);
        doubtful.set(a.guid, a);
      } else if (
        a.ownerUser.guid !== user &&
        known.fromLinks.has(a.guid) &&
        !known.participants.get(a.guid)?.has(user)
      )
        doubtful.set(a.guid, current);
    }
    for (const guid of known.fromLinks) {
      const a = known.activities.get(guid);
      if (
        a &&
        a.ownerUser.guid !== user &&
        known.participants.get(guid)?.has(user) &&
        !listed.has(guid)
      )
        doubtful.set(guid, a);
    }
  });
  return [...doubtful.values()];
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
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
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
  zones: ReadonlyMap<string, string>;
  result: SyncResult;
  record: (change: StateChange) => void;
  recordError: (user: string | null, action: string, e: unknown, ids?: ItemIds) => void;
  recordSkipped: (s: SyncError, messageFrom?: MessageFrom | null) => void;
  /** Activities deleted in Severa by this run (their owners' deletions), for `reachParticipants`. */
  deleted: Set<string>;
  /** Synced users: Severa guid → e-mail, e-mail → guid, and the set of guids. */
  emailByGuid: ReadonlyMap<string, string>;
  guidByEmail: ReadonlyMap<string, string>;
  participantUsers: Set<string>;
  /** Activities this user's run read by id (apply reuses them instead of reading again). */
  fetched: Map<string, Activity>;
}

async function syncUser(run: UserRunContext): Promise<void> {
  const { deps, user, result, record } = run;
  const email = user.email;
  const dryRun = run.options.dryRun ?? false;
  const calendar = deps.google.forUser(email);
  const userRow = deps.state.getUser(email);
  const previousToken = userRow?.syncToken ?? null;
  const aborted = () => deps.signal?.aborted ?? false;
  let googleRead: GoogleRead;
  let zone: string;
  try {
    zone = user.severa.timezone?.ianaName ?? (await calendar.timeZone());
    const covered = storedRange(userRow?.windowStart, userRow?.windowEnd);
    googleRead = await readGoogle(calendar, previousToken, run.window, covered);
  } catch (e) {
    // A stopped run leaves the user as it was; the requests were ended on purpose.
    if (aborted()) return;
    if (isAppError(e) && e.step === 'pre.same-email') {
      // Flagged and skipped, not counted as a synced user; the others go on.
      result.users--;
      const f = errorFields(e);
      run.recordSkipped(syncError(email, e), f.messageFrom);
      if (!dryRun)
        deps.state.setUser(email, {
          state: 'no-google',
          reason: f.message,
          reasonText: f.text,
          step: 'pre.same-email',
        });
      return;
    }
    run.recordError(email, 'read-google', e);
    if (!dryRun)
      deps.state.setUser(email, {
        state: 'error',
        reason: errorFields(e).message,
        reasonText: errorFields(e).text,
        step: errorFields(e).step,
      });
    return;
  }

  const failures = new Map(
    (dryRun ? [] : deps.state.failures(email)).map((f) => [f.item, f] as const),
  );
  const retrying = [...failures.values()].filter((f) => f.retryRequested);
  let google = new Map<string, Observed<GoogleItem>>();
  const ctx: UserContext = {
    user: email,
    severaUserGuid: user.severa.guid,
    zone,
    calendar,
    severa: deps.severa,
    settings: deps.settings,
    runId: run.runId,
    categoryOf: (guid) => run.categories.get(guid),
    listedActivity: (guid) => run.severaRead.activities.get(guid) ?? run.fetched.get(guid),
    ownerZone: (a) => run.zones.get(a.ownerUser.guid) ?? zone,
    userGuidOf: (e) => run.guidByEmail.get(e),
    observedEtag: (id) => {
      const seen = google.get(id);
      return seen?.kind === 'present' ? seen.item.etag : undefined;
    },
  };
  let planned: Plan;
  let input: PlanInput;
  let readFailures = 0;
  try {
    const stored = deps.state.linksForUser(email);
    const observedGoogle = await observeGoogle(run, ctx, googleRead, stored, retrying);
    google = observedGoogle.observed;
    const links = observedGoogle.links;
    const severa = await observeSevera(run, ctx, links, google, retrying);
    readFailures = severa.failed;
    await observeSourceEvents(ctx, severa.observed, google, (event, fields) =>
      googleItem(ctx, event, fields, run),
    );
    input = {
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
    };
    planned = plan(input);
  } catch (e) {
    if (aborted()) return;
    run.recordError(email, 'read', e);
    return;
  }

  if (planned.brake) {
    const brake = emptyListingError(planned.brake.side, email, planned.brake.knownItems);
    const text = brake.text;
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
          text,
        }),
      ],
    });
    if (!dryRun)
      deps.state.setUser(email, {
        state: 'stopped',
        reason: text.en,
        reasonText: text,
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

  const applied = await applyPlan(run, ctx, planned, { input, google }, failures);
  // Aborted: nothing half-done is recorded; the token stays for the next run.
  if (aborted()) return;
  // A retried item that needs nothing any more is settled.
  for (const f of retrying) if (!applied.acted.has(f.item)) deps.state.clearFailure(email, f.item);
  // An item that could not be read counts as failed: the user's sync token waits for it.
  const failed = readFailures + applied.failed;
  // The token moves only when every change reached the other side (quarantined items aside);
  // else the next run re-reads. The window it reconciled moves with it.
  // A user's first token also waits for a run that read every participant (see readSevera).
  const firstRunOnLinks = previousToken === null && run.severaRead.linksStoodIn;
  const quarantinedCount = deps.state.failures(email).filter((f) => f.quarantinedAt).length;
  const reasonText =
    failed > 0
      ? failedItemsText(failed)
      : quarantinedCount > 0
        ? quarantinedText(quarantinedCount)
        : null;
  deps.state.setUser(email, {
    ...(failed === 0 &&
      applied.deferred === 0 &&
      !firstRunOnLinks && {
        syncToken: googleRead.nextSyncToken,
        windowStart: new Date(run.window.start).toISOString(),
        windowEnd: new Date(run.window.end).toISOString(),
      }),
    state: failed === 0 ? 'ok' : 'error',
    reason: reasonText?.en ?? null,
    reasonText,
    step: null,
    lastRunAt: run.now.toISOString(),
  });
}

/** What a run of `applyPlan` needs besides the plan to decide an item again (a 412). */
interface Decided {
  input: PlanInput;
  google: Map<string, Observed<GoogleItem>>;
}

type ApplyRun = Omit<UserRunContext, 'user' | 'severaRead' | 'fetched'>;

/**
 * Applies a plan's actions one by one and records its held deletions. Returns the failures,
 * the create-severa actions another run of this profile holds (deferred: the token waits) and
 * the items acted on.
 */
async function applyPlan(
  run: ApplyRun,
  ctx: UserContext,
  planned: Plan,
  decided: Decided,
  failures: ReadonlyMap<string, ItemFailure>,
): Promise<{ failed: number; deferred: number; acted: Set<string> }> {
  const { deps } = run;
  const email = ctx.user;
  const outcome = { failed: 0, deferred: 0, acted: new Set<string>() };
  for (const action of planned.actions) {
    if (deps.signal?.aborted) return outcome;
    const key = itemKey(action);
    outcome.acted.add(key);
    const failure = failures.get(key);
    // A quarantined item is left alone until the admin asks to retry it.
    if (failure?.quarantinedAt && !failure.retryRequested) continue;
    // Another run of this profile is making (or made) this activity: it is theirs. The token
    // waits, so that should they not finish, the next run sees the event again.
    const claim = action.kind === 'create-severa' ? action.google.id : null;
    if (
      claim &&
      !claimEvent(run, email, claim, action.kind === 'create-severa' ? action.replaces : null)
    ) {
      outcome.deferred++;
      continue;
    }
    try {
      const change = await applyDecidingAgain(run, ctx, action, decided);
      run.record(change);
      if (change.applied) count(run.result, [change.applied]);
      if (change.deletedActivity) run.deleted.add(change.deletedActivity);
      outcome.failed += change.failedParts ?? 0;
      if (failure) deps.state.clearFailure(email, key);
    } catch (e) {
      if (deps.signal?.aborted) return outcome;
      if (quarantined(run, email, action, key, e)) continue;
      outcome.failed++;
      run.recordError(email, action.kind, e, {
        direction: DIRECTION[action.kind],
        ...actionItem(action),
      });
    } finally {
      if (claim) deps.state.releaseEvent(email, claim);
    }
  }
  if (planned.held.length > 0) {
    run.record({
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
          text: HELD_TEXT,
        }),
      ),
    });
  }
  return outcome;
}

/**
 * An activity its owner deleted in this run (through their Google copy) leaves the other
 * participants' calendars in the same run, not at the next sweep: each of them is planned again
 * with that activity gone (their plans were made before it went), under the same brakes.
 */
async function reachParticipants(
  run: Omit<UserRunContext, 'user' | 'severaRead' | 'fetched'>,
  synced: SyncedUser[],
): Promise<void> {
  const { deps } = run;
  const byEmail = new Map(synced.map((u) => [u.email, u]));
  const users = new Set<string>();
  for (const guid of run.deleted)
    for (const link of deps.state.linksOfActivity(guid))
      if (byEmail.has(link.user)) users.add(link.user);
  for (const email of users) {
    if (deps.signal?.aborted) return;
    const user = byEmail.get(email) as SyncedUser;
    const links = deps.state.linksForUser(email);
    const severa = new Map<string, Observed<SeveraItem>>(
      links
        .filter((l) => run.deleted.has(l.severaGuid))
        .map((l) => [l.severaGuid, { kind: 'gone' }]),
    );
    const input: PlanInput = {
      user: email,
      links,
      severa,
      google: new Map(),
      fullListingCount: {},
      policy: deps.settings.sync.conflictPolicy,
      deletionThresholdPercent: deps.settings.sync.deletionThresholdPercent,
      copyId: (guid) => googleCopyId(guid, email),
    };
    const planned = plan(input);
    const zone = user.severa.timezone?.ianaName ?? 'UTC';
    const ctx: UserContext = {
      user: email,
      severaUserGuid: user.severa.guid,
      zone,
      calendar: deps.google.forUser(email),
      severa: deps.severa,
      settings: deps.settings,
      runId: run.runId,
      categoryOf: (guid) => run.categories.get(guid),
      listedActivity: () => undefined,
      ownerZone: (a) => run.zones.get(a.ownerUser.guid) ?? zone,
      userGuidOf: (e) => run.guidByEmail.get(e),
    };
    const failures = new Map(deps.state.failures(email).map((f) => [f.item, f] as const));
    await applyPlan(run, ctx, planned, { input, google: new Map() }, failures);
  }
}

/**
 * Applies an action; when Google answers 412 (the event changed after the plan was made: an
 * edit made during the run), reads the event again and decides that pair anew, so the
 * conflict policy applies instead of an overwrite. A deletion in Severa because the event
 * went from Google is confirmed the same way first (it may be back: undone, or restored by
 * another run): a deletion is never made on a stale reading. A second 412 fails the item.
 */
async function applyDecidingAgain(
  run: ApplyRun,
  ctx: UserContext,
  action: Action,
  decided: Decided,
): Promise<AppliedChange> {
  const { input } = decided;
  if (action.kind === 'delete-severa' && input.google.get(action.link.googleId)?.kind === 'gone') {
    const again = await decideAgain(run, ctx, action.link, decided);
    if (again.kind !== 'delete-severa')
      return again.kind === 'none' ? nothingToDo : applyAction(ctx, again);
  }
  try {
    return await applyAction(ctx, action);
  } catch (e) {
    if (!(e instanceof GoogleApiError && e.status === 412) || !('link' in action)) throw e;
    const again = await decideAgain(run, ctx, action.link, decided);
    return again.kind === 'none' ? nothingToDo : applyAction(ctx, again);
  }
}

const nothingToDo: AppliedChange = { applied: null, log: [] };

/** The pair decided again on a fresh reading of its Google event. */
async function decideAgain(
  run: ApplyRun,
  ctx: UserContext,
  link: Link,
  { input, google }: Decided,
): Promise<Action | { kind: 'none' }> {
  const event = await ctx.calendar.getEvent(link.googleId);
  const fields = event && event.status !== 'cancelled' ? fieldsFromEvent(event, ctx.zone) : null;
  const fresh: Observed<GoogleItem> = fields
    ? { kind: 'present', item: googleItem(ctx, { ...event, id: link.googleId }, fields, run) }
    : { kind: 'gone' };
  google.set(link.googleId, fresh);
  const severa = input.severa.get(link.severaGuid);
  const again = plan({
    ...input,
    links: [link],
    severa: new Map(severa ? [[link.severaGuid, severa]] : []),
    google: new Map([[link.googleId, fresh]]),
    fullListingCount: {},
    deletionThresholdPercent: 100,
  });
  return again.actions[0] ?? { kind: 'none' };
}

/** A claim older than this is a crashed run's: creating an activity takes seconds. */
const CLAIM_EXPIRY_MS = 10 * 60_000;

/** Whether a process still runs (EPERM: it does, as another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function claimEvent(
  run: ApplyRun,
  email: string,
  googleId: string,
  replacing: Link | null,
): boolean {
  const now = Date.now();
  return run.deps.state.claimEvent(
    { user: email, googleId, at: new Date(now).toISOString(), pid: process.pid },
    new Date(now - CLAIM_EXPIRY_MS).toISOString(),
    processAlive,
    replacing?.severaGuid ?? null,
  );
}

/**
 * Counts the failure against its item; an item that keeps failing for a reason retrying will
 * not cure is quarantined (true), so it no longer holds the user's token or the watermark.
 */
function quarantined(
  run: ApplyRun,
  email: string,
  action: Action,
  key: string,
  e: unknown,
): boolean {
  const { deps } = run;
  const f = errorFields(e);
  const ids = actionIds(action);
  const item = actionItem(action);
  const at = run.now.toISOString();
  const row: ItemFailure = deps.state.recordFailure(
    { user: email, item: key, action: action.kind, ...ids, ...f },
    at,
  );
  if (isTransient(e) || row.failures < QUARANTINE_AFTER_RUNS) return false;
  deps.state.quarantine(email, key, at);
  run.result.quarantined.push({
    user: email,
    item: key,
    action: action.kind,
    ...ids,
    failures: row.failures,
    message: f.message,
    errorType: f.errorType,
    step: f.step,
  });
  run.record({
    log: [
      makeEntry({
        runId: run.runId,
        user: email,
        level: 'error',
        direction: DIRECTION[action.kind],
        action: 'quarantined',
        ...item,
        result: 'error',
        ...f,
        text: quarantineNote(f.text, row.failures),
        details: { item: key, failedAction: action.kind, failures: row.failures },
      }),
    ],
  });
  return true;
}

function count(result: SyncResult, actions: Action[]): void {
  for (const a of actions) {
    if (a.kind === 'create-google' || a.kind === 'restore-google') result.toGoogle.created++;
    if (a.kind === 'update-google') result.toGoogle.updated++;
    if (a.kind === 'delete-google') result.toGoogle.deleted++;
    if (a.kind === 'create-severa') result.toSevera.created++;
    if (a.kind === 'update-severa') result.toSevera.updated++;
    if (a.kind === 'delete-severa') result.toSevera.deleted++;
    if (a.kind === 'sync-participants') result.toSevera.updated++;
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
    a.kind === 'restore-google' ||
    a.kind === 'sync-participants'
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

/**
 * The sync token's changes, plus the parts of the window not reconciled yet (`covered` is the
 * window of the run that stored the token): an unchanged event that only came into view is
 * in no incremental listing.
 */
async function readGoogle(
  calendar: UserCalendar,
  syncToken: string | null,
  window: Window,
  covered: Window | null,
): Promise<GoogleRead> {
  const range = (w: Window) => ({
    timeMin: new Date(w.start).toISOString(),
    timeMax: new Date(w.end).toISOString(),
  });
  if (syncToken) {
    try {
      const listing = await calendar.listEvents({ syncToken });
      const events = new Map(listing.events.map((e) => [e.id ?? '', e]));
      for (const slice of uncoveredSlices(covered, window))
        for (const e of (await calendar.listEvents(range(slice))).events) events.set(e.id ?? '', e);
      return { events: [...events.values()], nextSyncToken: listing.nextSyncToken, full: false };
    } catch (e) {
      // 410: list in full and reconcile against the links; the links themselves are kept.
      if (!isTokenExpired(e)) throw e;
    }
  }
  const listing = await calendar.listEvents(range(window));
  return { ...listing, full: true };
}

const inWindow = (fields: SyncFields, window: Window) => {
  const start = Date.parse(fields.start);
  const end = Date.parse(fields.end);
  return end >= window.start && start <= window.end;
};

/** What the engine needs of an event to decide. */
function googleItem(
  ctx: UserContext,
  event: GoogleEvent,
  fields: SyncFields,
  run: Pick<UserRunContext, 'syncedEmails' | 'window'>,
): GoogleItem {
  const props = event.extendedProperties?.private ?? {};
  const origin = props[PROP_ORIGIN];
  const organizer = event.organizer?.email ? normaliseEmail(event.organizer.email) : null;
  const declined = (event.attendees ?? []).some((a) => a.self && a.responseStatus === 'declined');
  // A meeting organised by another synced user becomes an activity from the organiser's calendar.
  const organisedByOther =
    event.organizer?.self === false &&
    organizer !== null &&
    organizer !== ctx.user &&
    run.syncedEmails.has(organizer);
  const plainEvent = !event.eventType || event.eventType === 'default';
  const organisedByUser = event.organizer?.self === true || organizer === ctx.user;
  // The other synced users invited to a meeting this user organises become its participants.
  const attendees = organisedByUser
    ? (event.attendees ?? []).flatMap((a) => {
        const email = a.email ? normaliseEmail(a.email) : null;
        return email && email !== ctx.user && !a.resource && run.syncedEmails.has(email)
          ? [{ email, declined: a.responseStatus === 'declined' }]
          : [];
      })
    : [];
  return {
    id: event.id ?? '',
    fields,
    updated: event.updated ?? null,
    etag: event.etag ?? null,
    severaGuid: props[PROP_SEVERA_GUID] ?? null,
    origin: origin === 'severa' || origin === 'google' ? (origin as Origin) : null,
    eligible: !declined && !organisedByOther && plainEvent,
    inWindow: inWindow(fields, run.window),
    organizer: event.organizer?.self === false ? (organizer ?? 'unknown') : null,
    seriesId: event.recurringEventId ?? null,
    ...(attendees.length > 0 && { attendees }),
  };
}

async function observeGoogle(
  run: UserRunContext,
  ctx: UserContext,
  read: GoogleRead,
  stored: Link[],
  retrying: ItemFailure[],
): Promise<{ observed: Map<string, Observed<GoogleItem>>; links: Link[] }> {
  const { calendar } = ctx;
  const observed = new Map<string, Observed<GoogleItem>>();
  const observe = (event: GoogleEvent) => {
    if (!event.id) return;
    const fields = event.status === 'cancelled' ? null : fieldsFromEvent(event, ctx.zone);
    observed.set(
      event.id,
      fields ? { kind: 'present', item: googleItem(ctx, event, fields, run) } : { kind: 'gone' },
    );
  };
  for (const event of read.events) observe(event);
  const linkedIds = new Set(stored.map((l) => l.googleId));
  // A series deleted as a whole may be reported by its own id only: its instances go with it.
  for (const event of read.events) {
    if (event.status !== 'cancelled' || !event.id || event.recurringEventId) continue;
    if (linkedIds.has(event.id)) continue;
    for (const link of stored)
      if (!observed.has(link.googleId) && instanceOf(link.googleId)?.seriesId === event.id)
        observed.set(link.googleId, { kind: 'gone' });
  }
  const needed = stored.filter(
    (l) =>
      !observed.has(l.googleId) &&
      ((read.full && read.events.length > 0) ||
        (l.held === 'delete-google' && run.options.heldDecision === 'reject') ||
        retrying.some((f) => f.googleId === l.googleId)),
  );
  // A full listing covers only the window: a linked event missing from it is asked for by id.
  const fetchById = async (id: string) => {
    const event = await calendar.getEvent(id);
    if (event) observe({ ...event, id });
    else observed.set(id, { kind: 'gone' });
  };
  for (const link of needed) await fetchById(link.googleId);
  for (const f of retrying)
    if (f.googleId && !observed.has(f.googleId) && !linkedIds.has(f.googleId))
      await fetchById(f.googleId);
  const links = await followSplitSeries(run, ctx, stored, observed);
  return { observed, links };
}

/**
 * "This and following": Google ends the series and starts `<id>_R<start>`. The activities of
 * the ended instances move to the new series' instances, in order, instead of being deleted and
 * made again (which would lose what Severa holds about them). The moves are recorded at once.
 */
async function followSplitSeries(
  run: UserRunContext,
  ctx: UserContext,
  stored: Link[],
  observed: Map<string, Observed<GoogleItem>>,
): Promise<Link[]> {
  const linked = new Set(stored.map((l) => l.googleId));
  const fresh = new Map<string, { from: string; atMs: number; instances: GoogleItem[] }>();
  for (const [id, seen] of observed) {
    const seriesId = seen.kind === 'present' ? seen.item.seriesId : null;
    const split = seriesId ? splitFrom(seriesId) : null;
    if (!seriesId || !split || linked.has(id) || seen.kind !== 'present') continue;
    const entry = fresh.get(seriesId) ?? { ...split, instances: [] };
    entry.instances.push(seen.item);
    fresh.set(seriesId, entry);
  }
  if (fresh.size === 0) return stored;
  const moved = new Map<string, Link>();
  for (const [seriesId, split] of fresh) {
    const ended: Link[] = [];
    for (const link of stored) {
      const instance = instanceOf(link.googleId);
      if (instance?.seriesId !== split.from || instance.startMs < split.atMs - DAY) continue;
      if (!observed.has(link.googleId)) {
        const event = await ctx.calendar.getEvent(link.googleId);
        if (event && event.status !== 'cancelled') continue;
      } else if (observed.get(link.googleId)?.kind !== 'gone') continue;
      ended.push(link);
    }
    const replacements = split.instances.map((item) => ({
      id: item.id,
      originalStartMs: instanceOf(item.id)?.startMs ?? Date.parse(item.fields.start),
    }));
    const moves = pairSplit(ended, replacements).map((move) => {
      observed.delete(move.link.googleId);
      return { ...move.link, googleId: move.googleId, googleEtag: null };
    });
    for (const link of moves) moved.set(link.severaGuid, link);
    if (moves.length > 0 && !run.options.dryRun)
      run.record({
        upsert: moves,
        log: [
          makeEntry({
            runId: run.runId,
            user: ctx.user,
            action: 'series-split',
            result: 'ok',
            googleId: seriesId,
            title: split.instances[0]?.fields.title,
            start: moves[0]?.start,
            text: localized(
              `Toistuva tapahtumasarja jaettiin Googlessa ("Tämä ja seuraavat tapahtumat"): sen aktiviteetit seuraavat tästä eteenpäin uutta sarjaa ${seriesId}.`,
              `A recurring series was split in Google ("this and following"): its activities from then on follow the new series ${seriesId}.`,
            ),
          }),
        ],
      });
  }
  return stored.map((l) => moved.get(l.severaGuid) ?? l);
}

/**
 * An attendee's own copy of a meeting an activity was made from (same event id on their
 * calendar, design D7) is looked up when their listing did not show it, so that it is adopted
 * rather than copied again; a cancelled copy means they left. Not found: not an attendee.
 */
async function observeSourceEvents(
  ctx: UserContext,
  severa: Map<string, Observed<SeveraItem>>,
  google: Map<string, Observed<GoogleItem>>,
  toItem: (event: GoogleEvent, fields: SyncFields) => GoogleItem,
): Promise<void> {
  for (const seen of severa.values()) {
    const id = seen.kind === 'present' && seen.item.eligible ? seen.item.sourceEventId : null;
    if (!id || google.has(id)) continue;
    const event = await ctx.calendar.getEvent(id);
    if (!event) continue;
    const fields = event.status === 'cancelled' ? null : fieldsFromEvent(event, ctx.zone);
    google.set(
      id,
      fields ? { kind: 'present', item: toItem({ ...event, id }, fields) } : { kind: 'gone' },
    );
  }
}

async function observeSevera(
  run: UserRunContext,
  ctx: UserContext,
  links: Link[],
  google: Map<string, Observed<GoogleItem>>,
  retrying: ItemFailure[] = [],
): Promise<{
  observed: Map<string, Observed<SeveraItem>>;
  fullCount: number | undefined;
  /** Links whose activity could not be read: left as they were, both sides, until a later run. */
  failed: number;
}> {
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
    const fields = fieldsFromActivity(a, ctx.ownerZone(a), run.categories.get(a.activityType.guid));
    // An activity made from a Google event stays in sync whatever its type.
    const selected = link?.origin === 'google' || typeSelected(deps.settings, a, run.categories);
    const others = participants
      ? new Map(
          [...participants].flatMap(([guid, record]) => {
            const email = run.emailByGuid.get(guid);
            return email && guid !== a.ownerUser.guid ? [[email, record] as const] : [];
          }),
        )
      : undefined;
    return {
      guid: a.guid,
      fields,
      updated: a.lastUpdatedDateTime,
      hasHours: a.hasHours ?? false,
      ownedByUser: owned,
      participantGuid,
      eligible: (owned || takesPart) && selected,
      inWindow: inWindow(fields, run.window),
      occurrence: a.recurrenceType === 'Occurrence' || a.recurrenceType === 'Exception',
      participants: others,
      // Where the meeting came from, for an attendee who holds their own copy of it.
      sourceEventId:
        !owned && !link
          ? (deps.state.linksOfActivity(a.guid).find((l) => l.origin === 'google')?.googleId ??
            null)
          : null,
    };
  };

  let failed = 0;
  /**
   * Reads one activity's current state. Only a 404 is a deletion: any other failure is logged and
   * the link is left alone on both sides this run (retried next run), while the user's other items go on.
   */
  const readOne = async (link: Link, read: () => Promise<Observed<SeveraItem>>) => {
    try {
      observed.set(link.severaGuid, await read());
    } catch (e) {
      failed++;
      observed.delete(link.severaGuid);
      google.delete(link.googleId);
      run.recordError(run.user.email, 'read-severa', e, {
        severaGuid: link.severaGuid,
        googleId: link.googleId,
      });
    }
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
    await readOne(link, async () => {
      const item = toItem(
        activity,
        await participantsOf(deps.severa, activity.guid, new Set([userGuid])),
      );
      return item ? { kind: 'present', item } : { kind: 'gone' };
    });
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
  // A Google edit is decided on Severa's current state (an occurrence is not changed from Google;
  // a meeting's participants follow its attendees). apply reads it for an update anyway.
  const googleChanged = links.filter((l) => {
    const g = google.get(l.googleId);
    return (
      !observed.has(l.severaGuid) &&
      g?.kind === 'present' &&
      hashFields(g.item.fields) !== l.googleHash
    );
  });
  // Listed nothing for a user with items: the plan brakes; asking for each one by id is pointless.
  const listedNothing = sweptMissing.length > 0 && fullCount === 0 && severaRead.fullSweep;
  if (listedNothing) return { observed, fullCount: 0, failed };

  // Items the admin asked to retry are read again, linked or not.
  const retried = new Set(retrying.flatMap((f) => (f.severaGuid ? [f.severaGuid] : [])));
  const retriedLinks = links.filter((l) => retried.has(l.severaGuid));
  for (const link of new Set([...sweptMissing, ...googleGone, ...heldSurvivors, ...retriedLinks])) {
    if (observed.has(link.severaGuid)) continue;
    await readOne(link, async () => {
      const activity = await deps.severa.getActivity(link.severaGuid);
      const item = activity
        ? toItem(activity, await participantsOf(deps.severa, activity.guid, new Set([userGuid])))
        : null;
      return item ? { kind: 'present', item } : { kind: 'gone' };
    });
  }
  for (const guid of retried) {
    if (observed.has(guid) || linkByGuid.has(guid)) continue;
    const activity = await deps.severa.getActivity(guid);
    const item = activity
      ? toItem(activity, await participantsOf(deps.severa, activity.guid, new Set([userGuid])))
      : null;
    if (item) observed.set(guid, { kind: 'present', item });
  }
  for (const link of googleChanged) {
    if (observed.has(link.severaGuid)) continue;
    await readOne(link, async () => {
      const activity = await deps.severa.getActivity(link.severaGuid);
      if (!activity) return { kind: 'gone' };
      run.fetched.set(activity.guid, activity);
      const g = google.get(link.googleId);
      const meeting = g?.kind === 'present' && g.item.attendees !== undefined;
      const owned = activity.ownerUser.guid === userGuid;
      // The user's link stands in for their participation; a meeting's owner reads who takes part.
      const participants =
        owned && meeting
          ? await participantsOf(deps.severa, activity.guid, run.participantUsers)
          : new Map([[userGuid, null]]);
      const item = toItem(activity, participants);
      return item ? { kind: 'present', item } : { kind: 'gone' };
    });
  }
  return { observed, fullCount: severaRead.fullSweep ? fullCount : undefined, failed };
}
