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
  severaFacts,
  type AppliedChange,
  type UserContext,
} from './apply';
import { isTransient, itemKey, QUARANTINE_AFTER_RUNS } from './quarantine';
import {
  addDays,
  fieldsFromActivity,
  fieldsFromEvent,
  googleCopyId,
  hashFields,
  localDate,
  zonedInstant,
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
import type { ItemFailure, StateChange, SyncState, UserRow } from './state';
import { storedRange, uncoveredSlices } from './window';
import { errorFields, makeEntry, unexpected, type LogEntry, type MessageFrom } from './sync-log';
import { ProgressTracker, type SyncProgress } from './progress';

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
  /** How far the run has come, at most twice a second and at each phase (`progress.ts`). */
  onProgress?: (progress: SyncProgress) => void;
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

export const META = {
  domain: 'google.domain',
  clientId: 'google.clientId',
  watermark: 'severa.watermark',
  nearSweep: 'severa.nearSweepAt',
  fullSweep: 'severa.fullSweepAt',
  /** The synced users' zones of the last run (the sweep of today and tomorrow starts with them). */
  zones: 'severa.zones',
} as const;

const DAY = 86_400_000;
/**
 * Users synced at once by default; each client's limiter still caps its own request rate. A
 * steady-state user is a token and a listing, so many fit; of them, users whose whole window is
 * listed (`sweepDue`, a first run) hold both sides' listings, so fewer of those at a time.
 */
export const DEFAULT_CONCURRENCY = 128;
const WHOLE_WINDOW_CONCURRENCY = 32;
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

export async function runSync(deps: SyncDeps, options: SyncOptions = {}): Promise<SyncResult> {
  const { settings, state } = deps;
  const logger = deps.logger ?? silentLogger;
  const now = deps.now?.() ?? new Date();
  const dryRun = options.dryRun ?? false;
  const result = emptyResult(dryRun);
  const previous = dryRun ? null : state.lastRun();
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
    const watermark = state.getMeta(META.watermark);
    const early = startCompanyListings(deps, { window, now, watermark, options });
    early.listed.catch(() => undefined); // awaited by readSevera, where a failure is recorded
    // A first run notes where Severa's changes are read from before it lists anything, so that
    // a run that stops midway resumes from there (users it finished are not listed again).
    if (!watermark && !dryRun && options.users === undefined)
      state.setMeta(META.watermark, new Date(now.getTime() - WATERMARK_OVERLAP_MS).toISOString());
    const listingsFrom = Date.now();

    // Each user starts on Google as soon as Severa's user page naming them arrives (a company of
    // 5 000 has 50 pages, one after another); what they decide waits for every user and for
    // the company-wide Severa listings.
    const synced: SyncedUser[] = [];
    const sweptUsers = new Set<string>();
    const categories = new Map<string, ActivityCategory>();
    const zones = new Map<string, string>();
    const company = deferred<SeveraRead>();
    const progress = new ProgressTracker(
      {
        runId,
        usersTotal: () => result.users,
        severaRequestsPerSecond: settings.severa.requestsPerSecond,
        severaRequests: () => deps.severa.requestCount?.() ?? null,
        written: () => ({ toGoogle: written(result.toGoogle), toSevera: written(result.toSevera) }),
      },
      (p) => deps.onProgress?.(p),
    );
    const ownNewest = { value: null as number | null };
    const shared = {
      deps,
      options,
      window,
      now,
      runId,
      companyRead: company.promise,
      sweptUsers,
      reads: severaReads(deps.severa, new Set<string>()),
      ownNewest,
      categories,
      syncedEmails: new Set<string>(),
      zones,
      result,
      record: (change: StateChange) => {
        record(change);
        progress.wrote();
      },
      recordError,
      recordSkipped,
      deleted: new Set<string>(),
      emailByGuid: new Map<string, string>(),
      guidByEmail: new Map<string, string>(),
      participantUsers: new Set<string>(),
    };
    shared.reads = severaReads(deps.severa, shared.participantUsers);
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    const pool = slots(concurrency);
    const wholeWindow = slots(Math.min(concurrency, WHOLE_WINDOW_CONCURRENCY));
    const userRun = async (u: SyncedUser) => {
      const heavy = sweptUsers.has(u.email) ? await wholeWindow() : () => undefined;
      let release = await pool();
      // A user waiting for the company-wide Severa listings gives its slot to the next user's
      // Google listing, so that all of them are read while Severa's are (its limit binds).
      const meanwhile = async <T>(wait: Promise<T>): Promise<T> => {
        release();
        try {
          return await wait;
        } finally {
          release = await pool();
        }
      };
      try {
        if (deps.signal?.aborted) return;
        await syncUser({ ...shared, user: u, fetched: new Map(), meanwhile });
        // A user left out (no Google account) left the total too: not counted as done.
        if (!result.skipped.some((s) => s.user === u.email)) progress.userDone();
      } finally {
        release();
        heavy();
      }
    };
    const running: Promise<void>[] = [];
    const start = (u: SyncedUser) => {
      synced.push(u);
      result.users++;
      if (sweepDue(deps, u.email, options, now, watermark)) sweptUsers.add(u.email);
      shared.syncedEmails.add(u.email);
      shared.emailByGuid.set(u.severa.guid, u.email);
      shared.guidByEmail.set(u.email, u.severa.guid);
      shared.participantUsers.add(u.severa.guid);
      running.push(userRun(u));
    };
    progress.usersStarted();
    let severaRead: SeveraRead;
    try {
      // The types and the users do not depend on each other: one round trip, not two.
      const [types, listed] = await Promise.all([
        collect(deps.severa.listActivityTypes()),
        selectUsers(deps, options, start),
      ]);
      for (const t of types) categories.set(t.guid, t.category);
      for (const [guid, zone] of listed.zones) zones.set(guid, zone);
      for (const s of listed.skipped) recordSkipped(s);
      const resumed = resumedRun(state, previous, synced, sweptUsers);
      if (resumed) {
        record({ log: [resumedEntry(runId, resumed, synced.length)] });
        progress.resumed({ previousRunStartedAt: resumed.startedAt, usersDone: resumed.done });
      }
      const read = readSevera(
        deps,
        { synced, sweptUsers, categories, window, now, watermark, reads: shared.reads, early },
        (e, a) =>
          recordError(null, 'read-participants', e, {
            severaGuid: a.guid,
            title: a.name,
            start: a.startDateTime,
          }),
      );
      read.then(company.resolve, company.reject);
      severaRead = await read;
    } catch (e) {
      company.reject(e);
      throw e;
    } finally {
      await Promise.all(running);
    }
    await reachParticipants(shared, synced);

    result.aborted = deps.signal?.aborted ?? false;
    if (!dryRun && !result.aborted && options.users === undefined) {
      // The watermark moves only when every change of this run reached its side (else re-read),
      // to the newest change listed, but not past the run's first listing: a user listed early
      // may have changed after it.
      if (result.errors.length === 0) {
        const newest = [severaRead.newestChange, ownNewest.value].reduce<number | null>(
          (n, t) => (t === null ? n : n === null ? t : Math.max(n, t)),
          null,
        );
        state.setMeta(
          META.watermark,
          nextWatermark(
            state.getMeta(META.watermark),
            newest === null ? null : Math.min(newest, listingsFrom),
            now,
          ),
        );
      }
      state.setMeta(
        META.zones,
        JSON.stringify([...new Set(synced.map((u) => u.severa.timezone?.ianaName ?? 'UTC'))]),
      );
      const everyone = synced.length > 0 && synced.every((u) => sweptUsers.has(u.email));
      if (severaRead.nearSweep || everyone) state.setMeta(META.nearSweep, now.toISOString());
      if (everyone) state.setMeta(META.fullSweep, now.toISOString());
    }
    progress.finished();
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
const written = (c: DirectionCounts) => c.created + c.updated + c.deleted;

interface Resumed {
  startedAt: string;
  /** Users the stopped run had reconciled: this run does not list their whole window again. */
  done: number;
}

/**
 * The run before this one stopped midway (killed, the app quit, the machine slept through it):
 * no finish recorded, or recorded as aborted. Its users that were reconciled keep their token
 * and their Severa listing; the others are listed again.
 */
function resumedRun(
  state: SyncState,
  previous: ReturnType<SyncState['lastRun']>,
  synced: SyncedUser[],
  sweptUsers: ReadonlySet<string>,
): Resumed | null {
  const stopped =
    previous !== null &&
    (previous.finishedAt === null || (previous.summary as { aborted?: boolean })?.aborted === true);
  if (!stopped || previous === null) return null;
  const done = synced.filter((u) => {
    const row = state.getUser(u.email);
    return !sweptUsers.has(u.email) && (row?.lastRunAt ?? '') >= previous.startedAt;
  }).length;
  return { startedAt: previous.startedAt, done };
}

const resumedEntry = (runId: number | null, r: Resumed, users: number): LogEntry =>
  makeEntry({
    runId,
    action: 'run-resumed',
    result: 'ok',
    text: localized(
      `Edellinen ajo (alkoi ${r.startedAt}) keskeytyi ennen kuin se valmistui. Tämä ajo jatkaa siitä: sen valmiiksi saamia käyttäjiä (${r.done}/${users}) ei lueta uudelleen kokonaan.`,
      `The previous run (started ${r.startedAt}) stopped before it finished. This run goes on from where it was: ${r.done} of ${users} users it had finished are not read again in full.`,
    ),
    details: { previousRunStartedAt: r.startedAt, usersDone: r.done, users },
  });

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

/** The window a run at `now` reconciles (days as settings say, whole UTC days). */
export function syncWindow(settings: Settings, now: Date): Window {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return {
    start: today - settings.sync.windowPastDays * DAY,
    end: today + (settings.sync.windowFutureDays + 1) * DAY,
  };
}

const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** The synced users, each passed to `onSynced` as soon as Severa's page naming them is in. */
async function selectUsers(
  deps: SyncDeps,
  options: SyncOptions,
  onSynced: (user: SyncedUser) => void,
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
    const user = { email, severa };
    synced.push(user);
    onSynced(user);
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

/** What the company-wide Severa listings showed this run (every user at once). */
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
  /** The window a sweep listed whole (a linked activity missing from it is asked for by id). */
  swept: Window | null;
  /** Whether the near sweep ran (its time is recorded). */
  nearSweep: boolean;
  /** The `changedSince` listed (null: none, a first run). */
  changedSince: string | null;
  /** user e-mail → the listed activities they have a link to. */
  linkedBy: Map<string, Set<string>>;
  /**
   * Who takes part in the changed activities is learnt from each user's own `changedSince`
   * listing (`userGuids` + `includeAsMember`) instead of one read per activity: fewer requests
   * when more activities changed than there are users to ask about.
   */
  membershipByListing: boolean;
}

/** The shared reads of one run: participants of an activity are read at most once. */
interface SeveraReads {
  participants(activityGuid: string): Promise<Map<string, string | null>>;
  /** Whether this run has read (or is reading) the activity's participants. */
  has(activityGuid: string): boolean;
}

function severaReads(severa: SeveraApi, userGuids: Set<string>): SeveraReads {
  const cache = new Map<string, Promise<Map<string, string | null>>>();
  return {
    participants(guid) {
      let read = cache.get(guid);
      if (!read) cache.set(guid, (read = participantsOf(severa, guid, userGuids)));
      return read;
    },
    has: (guid) => cache.has(guid),
  };
}

/** Today and tomorrow in every synced user's zone: from the earliest midnight to the latest. */
export function todayAndTomorrow(now: Date, zones: Iterable<string>): Window {
  const all = [...new Set(zones)];
  const day = (zone: string, offset: number) =>
    zonedInstant(addDays(localDate(now.getTime(), zone), offset), '00:00:00', zone);
  const list = all.length > 0 ? all : ['UTC'];
  return {
    start: Math.min(...list.map((z) => day(z, 0))),
    end: Math.max(...list.map((z) => day(z, 2))),
  };
}

/**
 * Rows per page of a Severa listing, and pages one cursor should have before a listing splits
 * (each slice ends on a part page: at 20 pages a slice, at most 5 % more requests).
 */
const SEVERA_PAGE = 100;
const PAGES_PER_SLICE = 20;
const MAX_SLICES = 8;

/**
 * A window listed in up to `MAX_SLICES` time slices at once: Severa's pages follow one another
 * (each cursor comes with the page before it), so a long listing is bound by round trips, not by
 * the limit; slices of it are not. `expectedRows` (the links starting in it) sets how many; an
 * activity overlapping two slices is listed twice and kept once.
 */
async function listWindow(
  deps: SyncDeps,
  w: Window,
  expectedRows: number,
  query: Omit<ActivityQuery, 'startDateTime' | 'endDateTime'> = {},
): Promise<Activity[]> {
  const slices = Math.max(
    1,
    Math.min(MAX_SLICES, Math.floor(expectedRows / SEVERA_PAGE / PAGES_PER_SLICE)),
  );
  const step = (w.end - w.start) / slices;
  const parts = await Promise.all(
    Array.from({ length: slices }, (_, i) =>
      collect(
        deps.severa.listActivities({
          ...query,
          startDateTime: new Date(Math.round(w.start + i * step)).toISOString(),
          endDateTime: new Date(
            i === slices - 1 ? w.end : Math.round(w.start + (i + 1) * step),
          ).toISOString(),
        }),
      ),
    ),
  );
  const byGuid = new Map<string, Activity>();
  for (const part of parts) for (const a of part) byGuid.set(a.guid, a);
  return [...byGuid.values()];
}

/**
 * The company-wide part of the Severa side (Severa has no feed of deletions, severa-api.md
 * §2.8): changes since the watermark, and sweeps that list a window and compare it with the
 * links — today and tomorrow on every run, the near future every `nearSweepMinutes` — plus the
 * parts of the window not reconciled yet. A user whose whole window is listed this run
 * (`sweptUsers`, see `sweepDue`) needs none of it but the changes outside the window; with no
 * watermark yet (a first run), every user is and nothing is listed here.
 */
/** The company-wide listings of a run (see `readSevera`), started as early as they can be. */
interface CompanyListings {
  listed: Promise<Activity[]>;
  /** The sweep window being listed (null: none), and whether it is the near sweep. */
  swept: Window | null;
  nearSweep: boolean;
}

/**
 * Starts the listings that need only the state, beside Severa's user pages: the changes since
 * the watermark, and the sweep (today and tomorrow in the zones the users had last run, or the
 * near future when it is due) unless every user known is listed whole this run.
 */
function startCompanyListings(
  deps: SyncDeps,
  at: { window: Window; now: Date; watermark: string | null; options: SyncOptions },
): CompanyListings {
  const { settings, state } = deps;
  const { window, now, watermark, options } = at;
  if (!watermark) return { listed: Promise.resolve([]), swept: null, nearSweep: false };
  const enabled = new Set(settings.users.enabled.map(normaliseEmail));
  const relying = state
    .listUsers()
    .some(
      (row) =>
        (settings.users.mode === 'all' || enabled.has(row.email)) &&
        !sweepDueRow(deps, row, options, now, watermark),
    );
  const lastNear = state.getMeta(META.nearSweep);
  const nearSweep =
    options.sweep === 'near' ||
    !lastNear ||
    now.getTime() - Date.parse(lastNear) >= settings.sync.nearSweepMinutes * 60_000;
  const zones = JSON.parse(state.getMeta(META.zones) ?? '["UTC"]') as string[];
  const swept = relying
    ? clampTo(
        window,
        nearSweep
          ? { start: now.getTime() - DAY, end: now.getTime() + settings.sync.nearSweepDays * DAY }
          : todayAndTomorrow(now, zones),
      )
    : null;
  const listings = [collect(deps.severa.listActivities({ changedSince: watermark }))];
  if (swept) listings.push(listWindow(deps, swept, expectedRows(state, swept)));
  return { listed: Promise.all(listings).then((l) => l.flat()), swept, nearSweep };
}

const clampTo = (window: Window, w: Window): Window => ({
  start: Math.max(window.start, w.start),
  end: Math.min(window.end, w.end),
});

/** The linked activities starting in `w`: how many rows a listing of it will have. */
const expectedRows = (state: SyncState, w: Window) =>
  state.activitiesStartingIn(new Date(w.start).toISOString(), new Date(w.end).toISOString());

/**
 * The company-wide part of the Severa side (Severa has no feed of deletions, severa-api.md
 * §2.8): changes since the watermark, and sweeps that list a window and compare it with the
 * links — today and tomorrow on every run, the near future every `nearSweepMinutes` — plus the
 * parts of the window not reconciled yet. A user whose whole window is listed this run
 * (`sweptUsers`, see `sweepDue`) needs none of it but the changes outside the window; with no
 * watermark yet (a first run), every user is and nothing is listed here.
 */
async function readSevera(
  deps: SyncDeps,
  read: {
    synced: SyncedUser[];
    sweptUsers: ReadonlySet<string>;
    categories: Map<string, ActivityCategory>;
    window: Window;
    now: Date;
    watermark: string | null;
    reads: SeveraReads;
    early: CompanyListings;
  },
  onError: (e: unknown, activity: Activity) => void,
): Promise<SeveraRead> {
  const { settings, state } = deps;
  const { synced, window, now, watermark, categories, early } = read;
  const out: SeveraRead = {
    activities: new Map(),
    participants: new Map(),
    byUser: new Map(),
    newestChange: null,
    swept: null,
    nearSweep: false,
    changedSince: watermark,
    linkedBy: new Map(),
    membershipByListing: false,
  };
  if (!watermark) return out;
  const everyoneSwept = synced.every((u) => read.sweptUsers.has(u.email));
  // The window the company-wide listings have reconciled: the one every user relying on them
  // was last reconciled over (it moves with each user's token).
  let covered: Window | null = null;
  for (const u of synced) {
    if (read.sweptUsers.has(u.email)) continue;
    const row = state.getUser(u.email);
    const range = storedRange(row?.windowStart, row?.windowEnd);
    if (!range) continue;
    covered = covered
      ? { start: Math.max(covered.start, range.start), end: Math.min(covered.end, range.end) }
      : range;
  }
  const listings: Promise<Activity[]>[] = [early.listed];
  if (!everyoneSwept) {
    // Today and tomorrow in the zones users have now, beyond the zones of the last run.
    if (!early.nearSweep) {
      const zones = synced.map((u) => u.severa.timezone?.ianaName ?? 'UTC');
      const sweep = clampTo(window, todayAndTomorrow(now, zones));
      for (const slice of early.swept ? uncoveredSlices(early.swept, sweep) : [sweep])
        listings.push(listWindow(deps, slice, expectedRows(state, slice)));
      out.swept = early.swept
        ? {
            start: Math.min(early.swept.start, sweep.start),
            end: Math.max(early.swept.end, sweep.end),
          }
        : sweep;
    } else out.swept = early.swept;
    // Unchanged activities that only came into view (the window moved or was widened).
    for (const slice of uncoveredSlices(covered, window))
      listings.push(listWindow(deps, slice, expectedRows(state, slice)));
  }
  const listed = (await Promise.all(listings)).flat();
  out.nearSweep = out.swept !== null && early.nearSweep;
  for (const a of listed) if (a.recurrenceType !== 'Series') out.activities.set(a.guid, a);

  // Participants cost a request per activity (Severa has no bulk list). They are read only where
  // they may have changed: an activity new to us, or one whose lastUpdatedDateTime differs from
  // what a link recorded (Severa bumps it when participants change). Elsewhere the links say who
  // takes part. A user whose window is listed this run needs none of this: their own listing
  // says what they take part in.
  const guidByEmail = new Map(synced.map((u) => [u.email, u.severa.guid]));
  const toRead: Activity[] = [];
  const linksByActivity = state.linksOfActivities(out.activities.keys());
  for (const a of out.activities.values()) {
    const links = linksByActivity.get(a.guid) ?? [];
    for (const l of links) {
      const linked = out.linkedBy.get(l.user);
      if (linked) linked.add(a.guid);
      else out.linkedBy.set(l.user, new Set([a.guid]));
    }
    if (!typeSelected(settings, a, categories)) continue;
    const known = participantsFromLinks(links, a, guidByEmail);
    if (known) out.participants.set(a.guid, known);
    else if (!everyoneSwept) toRead.push(a);
  }
  // One listing per user relying on these costs less than one read per changed activity.
  const asked = synced.filter((u) => !read.sweptUsers.has(u.email)).length;
  out.membershipByListing = asked < toRead.length;
  // Several requests in flight hide the latency; the client's limiter keeps Severa's rate. An
  // activity whose participants cannot be read is left out of this run (retried next run): a
  // failed read is never taken for "nobody takes part".
  await runPool(out.membershipByListing ? [] : toRead, PARALLEL_SEVERA_READS, async (a) => {
    try {
      out.participants.set(a.guid, await read.reads.participants(a.guid));
    } catch (e) {
      out.activities.delete(a.guid);
      onError(e, a);
    }
  });
  for (const a of out.activities.values()) {
    for (const user of new Set([
      a.ownerUser.guid,
      ...(out.participants.get(a.guid)?.keys() ?? []),
    ])) {
      const list = out.byUser.get(user);
      if (list) list.push(a);
      else out.byUser.set(user, [a]);
    }
  }
  out.newestChange = newestChangeOf(listed);
  return out;
}

const newestChangeOf = (listed: Iterable<Activity>): number | null => {
  let newest: number | null = null;
  for (const a of listed) {
    const t = Date.parse(a.lastUpdatedDateTime ?? '');
    if (Number.isFinite(t) && (newest === null || t > newest)) newest = t;
  }
  return newest;
};

/**
 * Whether this run lists the user's whole Severa window (`userGuids` + `includeAsMember`, pages
 * of 100) instead of relying on the company-wide changes: on the user's first run, after a run
 * that left them failing or stopped, when their last such listing is `fullSweepHours` old (the
 * full sweep, which also finds deletions anywhere in the window and participations the
 * company-wide reading could not see), on `--sweep full`, and in a run for some users only.
 */
function sweepDue(
  deps: SyncDeps,
  email: string,
  options: SyncOptions,
  now: Date,
  watermark: string | null,
): boolean {
  return sweepDueRow(deps, deps.state.getUser(email), options, now, watermark);
}

function sweepDueRow(
  deps: SyncDeps,
  row: UserRow | null,
  options: SyncOptions,
  now: Date,
  watermark: string | null,
): boolean {
  const sweptAt = row?.severaSweptAt ? Date.parse(row.severaSweptAt) : NaN;
  return (
    !watermark ||
    options.sweep === 'full' ||
    options.users !== undefined ||
    row === null ||
    row.state !== 'ok' ||
    row.syncToken === null ||
    !row.windowStart ||
    !Number.isFinite(sweptAt) ||
    now.getTime() - sweptAt >= deps.settings.sync.fullSweepHours * 3_600_000
  );
}

/**
 * The synced users linked to an unchanged activity, as its participants (record guid not read);
 * null when no synced user has a link to it or a link recorded another lastUpdatedDateTime.
 */
function participantsFromLinks(
  linksOfActivity: Link[],
  a: Activity,
  guidByEmail: ReadonlyMap<string, string>,
): Map<string, string | null> | null {
  const links = linksOfActivity.filter((l) => guidByEmail.has(l.user));
  if (links.length === 0 || links.some((l) => l.severaUpdated !== a.lastUpdatedDateTime))
    return null;
  const known = new Map<string, string | null>(
    links.map((l) => [guidByEmail.get(l.user) as string, null]),
  );
  // The records the links recorded, where they did (a participant leaving needs theirs).
  for (const l of links)
    for (const [user, record] of Object.entries(l.severaFacts?.participants ?? {}))
      if (known.has(user) && record) known.set(user, record);
  return known;
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

/** A promise settled from outside. */
function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
} {
  let resolve: (value: T) => void = () => undefined;
  let reject: (reason: unknown) => void = () => undefined;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  promise.catch(() => undefined); // whoever awaits it sees the failure; nobody may
  return { promise, resolve, reject };
}

/** A counting semaphore: resolves with the release once one of `n` slots is free. */
function slots(n: number): () => Promise<() => void> {
  let free = n;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return async () => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    return release;
  };
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
  /** The company-wide Severa listings (users start on Google while they are read). */
  companyRead: Promise<SeveraRead>;
  /** Users whose whole Severa window this run lists (`sweepDue`). */
  sweptUsers: ReadonlySet<string>;
  reads: SeveraReads;
  /** The newest `lastUpdatedDateTime` the users' own listings showed (for the watermark). */
  ownNewest: { value: number | null };
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
  /** Waits for `wait` without holding one of the run's user slots. */
  meanwhile: <T>(wait: Promise<T>) => Promise<T>;
}

async function syncUser(run: UserRunContext): Promise<void> {
  const { deps, user, result, record } = run;
  const email = user.email;
  const dryRun = run.options.dryRun ?? false;
  const calendar = deps.google.forUser(email);
  const userRow = deps.state.getUser(email);
  const previousToken = userRow?.syncToken ?? null;
  const aborted = () => deps.signal?.aborted ?? false;
  const swept = run.sweptUsers.has(email);
  /** A read the user's run cannot go on without failed: logged, and the user left in error. */
  const readFailed = (action: string, e: unknown) => {
    run.recordError(email, action, e);
    if (dryRun) return;
    const f = errorFields(e);
    deps.state.setUser(email, {
      state: 'error',
      reason: f.message,
      reasonText: f.text,
      step: f.step,
    });
  };
  // The user's own Severa listing goes beside their Google listing (a user known to have no
  // Google account is asked Google first: their listing would be for nothing).
  const listOwn = () => ownListing(deps, user.severa.guid, run.window);
  let ownRead: Promise<Activity[]> | null =
    swept && userRow?.state !== 'no-google' ? listOwn() : null;
  ownRead?.catch(() => undefined);
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
    readFailed('read-google', e);
    return;
  }
  let own: Map<string, Activity> | null = null;
  let severaRead: SeveraRead;
  try {
    if (swept) {
      const listed = await (ownRead ??= listOwn());
      own = new Map(listed.map((a) => [a.guid, a]));
      const newest = newestChangeOf(listed);
      if (newest !== null && (run.ownNewest.value === null || newest > run.ownNewest.value))
        run.ownNewest.value = newest;
    }
  } catch (e) {
    if (aborted()) return;
    readFailed('read-severa', e);
    return;
  }
  try {
    severaRead = await run.meanwhile(run.companyRead);
  } catch {
    return; // recorded once by runSync
  }
  let ownChanged: Set<string> | null = null;
  try {
    if (!swept && severaRead.membershipByListing && severaRead.changedSince)
      ownChanged = new Set(
        (
          await collect(
            deps.severa.listActivities({
              changedSince: severaRead.changedSince,
              userGuids: [user.severa.guid],
              includeAsMember: true,
            }),
          )
        ).map((a) => a.guid),
      );
  } catch (e) {
    if (aborted()) return;
    readFailed('read-severa', e);
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
    listedActivity: (guid) =>
      own?.get(guid) ?? severaRead.activities.get(guid) ?? run.fetched.get(guid),
    ownerZone: (owner) => run.zones.get(owner) ?? zone,
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
    const decidable = linksToDecide(deps.state, run, {
      googleRead,
      own,
      ownChanged,
      severaRead,
      retrying,
    });
    const stored = decidable.links;
    const observedGoogle = await observeGoogle(run, ctx, googleRead, stored, retrying);
    google = observedGoogle.observed;
    const links = observedGoogle.links;
    const severa = await observeSevera(run, ctx, {
      links,
      google,
      retrying,
      own,
      ownChanged,
      severaRead,
    });
    readFailures = severa.failed;
    await observeSourceEvents(ctx, severa.observed, google, (event, fields) =>
      googleItem(ctx, event, fields, run),
    );
    input = {
      user: email,
      links,
      linkCount: decidable.total,
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
  // else the next run re-reads. The window it reconciled moves with it, and so does the time
  // of the user's last whole Severa listing.
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
      reconciled(googleRead.nextSyncToken, run.window, swept ? run.now : null)),
    state: failed === 0 ? 'ok' : 'error',
    reason: reasonText?.en ?? null,
    reasonText,
    step: null,
    lastRunAt: run.now.toISOString(),
  });
}

/**
 * What a user's row records once every change of theirs reached the other side: the next sync
 * token, the window it reconciled, and when their whole Severa window was last listed (`sweptAt`,
 * null: not this run). The benchmark's seeded company records its users with it too.
 */
export const reconciled = (
  syncToken: string | null,
  window: { start: number; end: number },
  sweptAt: Date | null,
): Partial<UserRow> => ({
  syncToken,
  windowStart: new Date(window.start).toISOString(),
  windowEnd: new Date(window.end).toISOString(),
  ...(sweptAt && { severaSweptAt: sweptAt.toISOString() }),
});

/**
 * The user's links this run can act on. All of them after a complete listing of either side
 * (a link missing from it may be a deletion), an admin's answer to held deletions, or Google
 * changes to series (instances go with their series); else only those with a side observed:
 * an event read, an activity listed for them or linked, one in the window a sweep listed, held
 * or retried. A user's other links have nothing to decide, so a quiet user costs a few rows,
 * not thousands.
 */
function linksToDecide(
  state: SyncState,
  run: UserRunContext,
  seen: {
    googleRead: GoogleRead;
    own: Map<string, Activity> | null;
    ownChanged: Set<string> | null;
    severaRead: SeveraRead;
    retrying: ItemFailure[];
  },
): { links: Link[]; total?: number } {
  const email = run.user.email;
  const { googleRead, severaRead } = seen;
  const whole =
    googleRead.full ||
    seen.own !== null ||
    run.options.heldDecision !== undefined ||
    googleRead.events.some((e) => e.status === 'cancelled' || e.recurringEventId);
  if (whole) return { links: state.linksForUser(email) };
  const swept = severaRead.swept;
  // A day beyond the window each way: an all-day start is a date, not an instant.
  const edge = (ms: number) => new Date(ms).toISOString();
  return {
    links: state.linksToDecide(email, {
      googleIds: [
        ...googleRead.events.flatMap((e) => (e.id ? [e.id] : [])),
        ...seen.retrying.flatMap((f) => (f.googleId ? [f.googleId] : [])),
      ],
      severaGuids: [
        ...(severaRead.byUser.get(run.user.severa.guid) ?? []).map((a) => a.guid),
        ...(severaRead.linkedBy.get(email) ?? []),
        ...(seen.ownChanged ?? []),
        ...seen.retrying.flatMap((f) => (f.severaGuid ? [f.severaGuid] : [])),
      ],
      from: swept ? edge(swept.start - DAY) : null,
      to: swept ? edge(swept.end + DAY) : null,
    }),
    total: state.countLinksForUser(email),
  };
}

/** What a run of `applyPlan` needs besides the plan to decide an item again (a 412). */
interface Decided {
  input: PlanInput;
  google: Map<string, Observed<GoogleItem>>;
}

type ApplyRun = Omit<UserRunContext, 'user' | 'fetched' | 'meanwhile'>;

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
async function reachParticipants(run: ApplyRun, synced: SyncedUser[]): Promise<void> {
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
      ownerZone: (owner) => run.zones.get(owner) ?? zone,
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

/**
 * The participants an unchanged linked activity had when its pair last agreed: the facts the
 * link recorded, or (a link from before they were recorded) the synced users linked to it.
 */
function storedParticipants(
  linksOf: (severaGuid: string) => Link[],
  link: Link,
  guidByEmail: ReadonlyMap<string, string>,
): Map<string, string | null> {
  const recorded = link.severaFacts?.participants;
  if (recorded) return new Map(Object.entries(recorded));
  const known = new Map<string, string | null>();
  for (const l of linksOf(link.severaGuid)) {
    const guid = guidByEmail.get(l.user);
    if (guid) known.set(guid, null);
  }
  return known;
}

/** The user's whole window as Severa lists it for them: what they own and what they take part in. */
async function ownListing(deps: SyncDeps, userGuid: string, w: Window): Promise<Activity[]> {
  const listed = await collect(
    deps.severa.listActivities({
      startDateTime: new Date(w.start).toISOString(),
      endDateTime: new Date(w.end).toISOString(),
      userGuids: [userGuid],
      includeAsMember: true,
    }),
  );
  return listed.filter((a) => a.recurrenceType !== 'Series');
}

async function observeSevera(
  run: UserRunContext,
  ctx: UserContext,
  seen: {
    links: Link[];
    google: Map<string, Observed<GoogleItem>>;
    retrying: ItemFailure[];
    /** The user's own window listing, when this run made one (`sweepDue`). */
    own: Map<string, Activity> | null;
    /** The changed activities their own `changedSince` listing showed (`membershipByListing`). */
    ownChanged: Set<string> | null;
    severaRead: SeveraRead;
  },
): Promise<{
  observed: Map<string, Observed<SeveraItem>>;
  fullCount: number | undefined;
  /** Links whose activity could not be read: left as they were, both sides, until a later run. */
  failed: number;
}> {
  const { deps } = run;
  const { links, google, retrying, own, ownChanged, severaRead } = seen;
  const userGuid = run.user.severa.guid;
  const linkByGuid = new Map(links.map((l) => [l.severaGuid, l]));
  const observed = new Map<string, Observed<SeveraItem>>();
  // Every user's links to an activity looked at: the listed ones' read in one query below.
  const linksByActivity = new Map<string, Link[]>();
  const linksOf = (guid: string): Link[] => {
    let known = linksByActivity.get(guid);
    if (!known) linksByActivity.set(guid, (known = deps.state.linksOfActivity(guid)));
    return known;
  };
  /** `participants` of every synced user, or (`partial`) of this user only. */
  const toItem = (
    a: Activity,
    participants: Map<string, string | null> | undefined,
    partial = false,
  ): SeveraItem | null => {
    const owned = a.ownerUser.guid === userGuid;
    const takesPart = participants?.has(userGuid) ?? false;
    const participantGuid = participants?.get(userGuid) ?? null;
    const link = linkByGuid.get(a.guid);
    if (!owned && !takesPart && !link) return null;
    const fields = fieldsFromActivity(
      a,
      ctx.ownerZone(a.ownerUser.guid),
      run.categories.get(a.activityType.guid),
    );
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
          ? (linksOf(a.guid).find((l) => l.origin === 'google')?.googleId ?? null)
          : null,
      // Who takes part, where all synced users' participations are known; else what the link
      // recorded while the activity is as it was then.
      facts: severaFacts(
        a,
        participants && !partial
          ? Object.fromEntries([...participants].filter(([guid]) => guid !== a.ownerUser.guid))
          : link?.severaUpdated === a.lastUpdatedDateTime
            ? link.severaFacts?.participants
            : undefined,
      ),
    };
  };

  /**
   * Who takes part in a listed activity, as this user's plan needs it. Without their own listing,
   * what the company-wide reading found. With it: unchanged since the pair agreed, what the link
   * recorded; a meeting the user organises and that changed, read (its attendees are compared);
   * an activity they take part in that is new to them, changed, or missing from their listing,
   * read (its record, and whether they declined); one they own, the listing is enough.
   */
  const participantsFor = async (a: Activity): Promise<Map<string, string | null> | undefined> => {
    const company = severaRead.participants.get(a.guid);
    if (company && !own) return company;
    if (run.reads.has(a.guid)) return run.reads.participants(a.guid);
    const link = linkByGuid.get(a.guid);
    const owned = a.ownerUser.guid === userGuid;
    const forUser = own ?? ownChanged;
    if (!forUser) return company;
    if (own && link && link.severaUpdated === a.lastUpdatedDateTime && (owned || own.has(a.guid))) {
      const known = new Map(company ?? storedParticipants(linksOf, link, run.guidByEmail));
      if (!owned) known.set(userGuid, known.get(userGuid) ?? null);
      return known;
    }
    if (!owned)
      // Listed for them (their record, or whether they declined), or linked and not listed.
      return forUser.has(a.guid) || link ? run.reads.participants(a.guid) : undefined;
    const g = link ? google.get(link.googleId) : undefined;
    const meeting = g?.kind === 'present' && g.item.attendees !== undefined;
    return meeting ? run.reads.participants(a.guid) : company;
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

  // What the user has in Severa: what the company-wide listings showed of theirs, and their
  // own listing of the whole window where this run made one (it is the fresher).
  const listed = new Map<string, Activity>();
  for (const a of severaRead.byUser.get(userGuid) ?? []) listed.set(a.guid, a);
  for (const l of links) {
    const a = severaRead.activities.get(l.severaGuid);
    if (a) listed.set(a.guid, a);
  }
  for (const a of own?.values() ?? []) listed.set(a.guid, a);
  for (const guid of ownChanged ?? []) {
    const a = severaRead.activities.get(guid);
    if (a) listed.set(guid, a);
  }
  const prefetched = deps.state.linksOfActivities(listed.keys());
  for (const guid of listed.keys()) linksByActivity.set(guid, prefetched.get(guid) ?? []);
  let fullCount = 0;
  for (const a of listed.values()) {
    let participants: Map<string, string | null> | undefined;
    try {
      participants = await participantsFor(a);
    } catch (e) {
      // Never "nobody takes part": the activity is left alone this run, both sides.
      failed++;
      const link = linkByGuid.get(a.guid);
      if (link) google.delete(link.googleId);
      run.recordError(run.user.email, 'read-participants', e, {
        severaGuid: a.guid,
        title: a.name,
        start: a.startDateTime,
      });
      continue;
    }
    const item = toItem(a, participants);
    if (!item) continue;
    observed.set(a.guid, { kind: 'present', item });
    if (item.eligible && own?.has(a.guid)) fullCount++;
  }

  // A participant leaving removes only their participant record: where the links stood in for
  // the participants and a deletion may follow, that record is read now.
  for (const link of links) {
    const seen = observed.get(link.severaGuid);
    if (seen?.kind !== 'present' || seen.item.ownedByUser || seen.item.participantGuid) continue;
    const g = google.get(link.googleId);
    const mayDelete =
      link.held !== null || g?.kind === 'gone' || (g?.kind === 'present' && !g.item.eligible);
    const activity = listed.get(link.severaGuid);
    if (!mayDelete || !seen.item.eligible || !activity) continue;
    await readOne(link, async () => {
      const item = toItem(
        activity,
        await participantsOf(deps.severa, activity.guid, new Set([userGuid])),
        true,
      );
      return item ? { kind: 'present', item } : { kind: 'gone' };
    });
  }

  // Deletions: a linked activity a sweep should have listed, asked for by id (404 = deleted).
  const swept = own ? run.window : severaRead.swept;
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
  // A Google edit of an activity no listing showed (so unchanged in Severa) is decided on the
  // facts its link recorded. Read: an occurrence (not changed from Google), the owner's meeting
  // (its participants follow its attendees), and a link from before facts were recorded.
  const googleChanged = links.filter((l) => {
    const g = google.get(l.googleId);
    if (observed.has(l.severaGuid) || g?.kind !== 'present') return false;
    if (hashFields(g.item.fields) === l.googleHash) return false;
    const facts = l.severaFacts;
    return (
      !facts || facts.occurrence || (facts.owner === userGuid && g.item.attendees !== undefined)
    );
  });
  // Listed nothing for a user with items: the plan brakes; asking for each one by id is pointless.
  const listedNothing = sweptMissing.length > 0 && fullCount === 0 && own !== null;
  if (listedNothing) return { observed, fullCount: 0, failed };

  // Items the admin asked to retry are read again, linked or not.
  const retried = new Set(retrying.flatMap((f) => (f.severaGuid ? [f.severaGuid] : [])));
  const retriedLinks = links.filter((l) => retried.has(l.severaGuid));
  for (const link of new Set([...sweptMissing, ...googleGone, ...heldSurvivors, ...retriedLinks])) {
    if (observed.has(link.severaGuid)) continue;
    await readOne(link, async () => {
      const activity = await deps.severa.getActivity(link.severaGuid);
      const item = activity
        ? toItem(
            activity,
            await participantsOf(deps.severa, activity.guid, new Set([userGuid])),
            true,
          )
        : null;
      return item ? { kind: 'present', item } : { kind: 'gone' };
    });
  }
  for (const guid of retried) {
    if (observed.has(guid) || linkByGuid.has(guid)) continue;
    const activity = await deps.severa.getActivity(guid);
    const item = activity
      ? toItem(
          activity,
          await participantsOf(deps.severa, activity.guid, new Set([userGuid])),
          true,
        )
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
      // The user's link stands in for their participation; a meeting's owner needs who takes
      // part: the link's record while the activity is unchanged, else a read.
      const unchanged = link.severaUpdated === activity.lastUpdatedDateTime;
      const item =
        owned && meeting
          ? toItem(
              activity,
              unchanged && link.severaFacts?.participants
                ? storedParticipants(linksOf, link, run.guidByEmail)
                : await run.reads.participants(activity.guid),
            )
          : toItem(activity, new Map([[userGuid, null]]), true);
      return item ? { kind: 'present', item } : { kind: 'gone' };
    });
  }
  return { observed, fullCount: own ? fullCount : undefined, failed };
}
