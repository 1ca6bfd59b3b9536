import { readFileSync } from 'node:fs';
import type {
  HeldDeletionDto,
  LogEntryDto,
  QuarantinedItemDto,
  SyncProgressDto,
  SyncSummaryDto,
} from '../../../preload/api';
import { importGoogleKey } from '../google/key-import';
import type { Logger } from '../log';
import { startGoogleSandbox } from '../sandbox/google-sandbox';
import { startSeveraSandbox } from '../sandbox/severa-sandbox';
import { profilePaths } from '../store/profile';
import { withRunLock } from '../store/profile-lock';
import { runSync, type SyncResult } from '../sync/engine';
import { SyncState, type ItemFacts, type ItemFailure } from '../sync/state';
import { DIRECTION } from '../sync/apply';
import type { Action } from '../sync/plan';
import { levelsFrom, type LogEntry } from '../sync/sync-log';
import type { CoreBackends, LogQuery, ProfileEnv, SyncBackend } from './backends';
import { connectGoogle, connectSevera } from './connect';
import { diagnosticsBackends } from './diagnostics-backends';

/**
 * The real wiring of the service to the rest of core: the key import (A), the Google and Severa
 * clients (B, C), the diagnostics and user matching, the engine and its state (D1), and both
 * sandboxes for the demo. Each adapter is a few lines, so a changed signature is a local fix.
 */

let liveIds = 0;

/** The app's runs wait this long for a `sync` or daemon run of the same profile to finish. */
const RUN_LOCK_WAIT_MS = 2 * 60_000;

/** A log entry as the renderer sees it. Live entries are not stored yet: they get negative ids. */
export function toLogEntryDto(e: LogEntry): LogEntryDto {
  return {
    id: e.id ?? -++liveIds,
    time: e.time,
    runId: e.runId === null ? null : String(e.runId),
    level: e.level,
    user: e.user,
    direction: toDirection(e.direction),
    action: e.action,
    severaGuid: e.severaGuid,
    googleId: e.googleId,
    result: e.result,
    errorType: e.errorType,
    message: e.message ?? '',
    messageFrom: e.messageFrom ?? null,
    text: e.text ?? null,
    title: e.title ?? null,
    start: e.start ?? null,
    step: e.step,
    details: e.details,
  };
}

const toDirection = (d: string | null) =>
  d === 'to-google' ? 'toGoogle' : d === 'to-severa' ? 'toSevera' : null;

const toQuarantinedDto = (
  f: ItemFailure & { quarantinedAt: string },
  facts: ItemFacts | null,
): QuarantinedItemDto => ({
  user: f.user,
  item: f.item,
  action: f.action,
  direction: toDirection(DIRECTION[f.action as Action['kind']] ?? null),
  severaGuid: f.severaGuid,
  googleId: f.googleId,
  failures: f.failures,
  firstFailedAt: f.firstFailedAt,
  quarantinedAt: f.quarantinedAt,
  errorType: f.errorType,
  message: f.message ?? '',
  messageFrom: f.messageFrom ?? null,
  text: f.text ?? null,
  step: f.step,
  retryRequested: f.retryRequested,
  title: facts?.title ?? null,
  start: facts?.start ?? null,
});

/** Every quarantined item, named by its title and start as the log last saw them. */
export const quarantinedItems = (state: SyncState): QuarantinedItemDto[] =>
  state
    .failures()
    .flatMap((f) =>
      f.quarantinedAt
        ? [
            toQuarantinedDto(
              { ...f, quarantinedAt: f.quarantinedAt },
              state.itemFacts(f.user, f.severaGuid, f.googleId),
            ),
          ]
        : [],
    );

export const toSummaryDto = (r: SyncResult): SyncSummaryDto => ({
  ok: r.ok,
  users: r.users,
  toGoogle: r.toGoogle,
  toSevera: r.toSevera,
  conflicts: r.conflicts,
  held: r.held,
  errors: r.errors.map((e) => ({
    user: e.user ?? '',
    message: e.message,
    step: e.step,
    text: e.text,
  })),
  quarantined: r.quarantined.length,
});

/** The log matching the renderer's filter: level means "this and worse", search is a substring. */
export function queryLogEntries(state: SyncState, filter: LogQuery): LogEntryDto[] {
  const limit = filter.limit ?? 1000;
  const needsScan = Boolean(filter.direction || filter.search);
  const entries = state
    .queryLog({
      since: filter.since,
      user: filter.user,
      levels: filter.level ? levelsFrom(filter.level) : undefined,
      limit: needsScan ? 100_000 : limit,
    })
    .map(toLogEntryDto);
  const search = filter.search?.toLowerCase();
  const matching = entries.filter(
    (e) =>
      (!filter.direction || e.direction === filter.direction) &&
      (!search || JSON.stringify(e).toLowerCase().includes(search)),
  );
  return matching.slice(-limit);
}

function openSync(profileDir: string, logger: Logger): SyncBackend {
  let opened: SyncState | null = null;
  const state = () => (opened ??= SyncState.open(profilePaths(profileDir).state));

  async function run(
    env: ProfileEnv,
    onLogEntry: (e: LogEntryDto) => void,
    heldFor?: { user: string; decision: 'confirm' | 'reject' },
    onProgress?: (p: SyncProgressDto) => void,
  ) {
    const [severa, google] = [await connectSevera(env), await connectGoogle(env)];
    const lock = { owner: 'app', waitMs: RUN_LOCK_WAIT_MS };
    try {
      return await withRunLock(profileDir, lock, () =>
        runSync(
          {
            settings: env.settings,
            severa,
            google,
            state: state(),
            logger: logger.child('sync'),
            onLogEntry: (e) => onLogEntry(toLogEntryDto(e)),
            onProgress,
          },
          heldFor ? { users: [heldFor.user], heldDecision: heldFor.decision } : {},
        ),
      );
    } finally {
      google.close();
    }
  }

  return {
    run: async (env, onLogEntry, onProgress) =>
      toSummaryDto(await run(env, onLogEntry, undefined, onProgress)),
    held: async () => {
      const links = state().heldLinks();
      const lastRun = state().lastRun()?.startedAt ?? new Date().toISOString();
      const byUser = new Map<string, HeldDeletionDto>();
      for (const link of links) {
        const side = link.held === 'delete-severa' ? ('severa' as const) : ('google' as const);
        const held = byUser.get(link.user) ?? {
          user: link.user,
          count: 0,
          total: state().linksForUser(link.user).length,
          side,
          since: lastRun,
          items: [],
        };
        const facts = state().itemFacts(link.user, link.severaGuid, link.googleId);
        const goneSince = state().heldSince(link.user, link.severaGuid) ?? lastRun;
        held.items.push({
          severaGuid: link.severaGuid,
          googleId: link.googleId,
          title: facts?.title ?? null,
          start: facts?.start ?? link.start,
          side,
          goneSince,
        });
        held.count++;
        if (goneSince < held.since) held.since = goneSince;
        byUser.set(link.user, held);
      }
      for (const held of byUser.values())
        held.items.sort((a, b) => (a.start ?? '').localeCompare(b.start ?? ''));
      return [...byUser.values()];
    },
    resolveHeld: async (env, user, decision, onLogEntry) =>
      toSummaryDto(
        await run(env, onLogEntry, { user, decision: decision === 'apply' ? 'confirm' : 'reject' }),
      ),
    userStates: async () => {
      const counts = state().linkCounts();
      const held = new Map<string, number>();
      for (const link of state().heldLinks()) held.set(link.user, (held.get(link.user) ?? 0) + 1);
      return state()
        .listUsers()
        .map((u) => ({
          email: u.email,
          state: u.state,
          since: u.stateSince ?? null,
          lastRunAt: u.lastRunAt,
          reason: u.reason,
          reasonText: u.reasonText ?? null,
          step: u.step,
          items: counts.get(u.email) ?? 0,
          held: held.get(u.email) ?? 0,
        }));
    },
    reset: () =>
      withRunLock(profileDir, { owner: 'app', waitMs: RUN_LOCK_WAIT_MS }, async () =>
        state().reset(),
      ),
    queryLog: async (filter) => queryLogEntries(state(), filter),
    quarantined: async () => quarantinedItems(state()),
    retryQuarantined: async (user, item) => state().requestRetry(user, item),
    close: async () => {
      opened?.close();
      opened = null;
    },
  };
}

export const coreBackends: CoreBackends = {
  importGoogleKey: async (request, secrets, settings, logger) => {
    const imported = await importGoogleKey(request, secrets, settings, logger);
    return { warnings: imported.warnings };
  },
  ...diagnosticsBackends,
  openSync,
  startDemo: async (logger) => {
    const google = await startGoogleSandbox({ seedDemo: true, failOnDepartures: false });
    const severa = await startSeveraSandbox({ seedDemo: true }).catch(async (e: unknown) => {
      await google.close();
      throw e;
    });
    const close = async () => {
      await Promise.all([google.close(), severa.close()]);
    };
    if (!google.demo || !severa.demo) {
      await close();
      throw new Error('The sandboxes did not seed the demo company');
    }
    logger.info('demo sandboxes started', { google: google.apiRoot, severa: severa.apiRoot });
    return {
      google: {
        apiRoot: google.apiRoot,
        tokenUrl: google.tokenUrl,
        serviceAccountEmail: google.demo.serviceAccountEmail,
        clientId: google.demo.clientId,
        domain: google.demo.domain,
        testUser: google.demo.testUser,
      },
      severa: { apiRoot: severa.apiRoot, ...severa.demo },
      p12: { bytes: readFileSync(google.demo.p12Path), password: google.demo.p12Password },
      close,
    };
  },
};
