import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  REQUEST_CHANNELS,
  requestSchemas,
  type ActivityTypeDto,
  type ApiEvents,
  type HeldResolutionDto,
  type LogEntryDto,
  type UserStateDto,
  type ApiResults,
  type AppStateDto,
  type EventChannel,
  type RequestChannel,
  type Result,
  type SyncStatusDto,
  type SyncProgressDto,
  type SyncSummaryDto,
} from '../../../preload/api';
import { isAppError } from '../errors';
import { localized } from '../localized';
import { maskEmails, maskText, scrub, type Logger } from '../log';
import type { CheckResult } from '../setup/check';
import {
  domainProblem,
  refusedEntry,
  serviceAccountEmailProblem,
  testUserProblem,
} from '../setup/entry-rules';
import { activityTypeProblems } from '../setup/severa-checks';
import { dwdAuthorizeLink, type StepId } from '../setup/steps';
import { profilePaths } from '../store/profile';
import type { SecretStore } from '../store/secrets';
import {
  FileSettingsStore,
  nonRealEndpoints,
  type DeepPartial,
  type Settings,
  type SettingsStore,
} from '../store/settings';
import type { CoreBackends, DemoEnvironment, ProfileEnv, SyncBackend } from './backends';
import { afterReport, buildChecklist, tick, verifiedBySave } from './checklist';
import { admitEndpoints, type ConfirmEndpoint } from './endpoint-policy';
import { InvalidRequestError, toErrorDto } from './error-dto';
import { isAllowedExternalUrl } from './link-allowlist';
import { MemorySecretStore } from './memory-secrets';
import { Scheduler, type SchedulerStatus } from './scheduler';

export interface AppServiceOptions {
  profileDir: string;
  secrets: SecretStore;
  settings: SettingsStore;
  logger: Logger;
  version: string;
  systemLanguage: 'fi' | 'en';
  /** Opens an allowed URL in the system browser (Electron's shell.openExternal). */
  openExternal: (url: string) => Promise<void> | void;
  onEvent: <E extends EventChannel>(event: E, payload: ApiEvents[E]) => void;
  /** The rest of core (core-backends.ts in the app and the CLI; fakes in unit tests). */
  backends: CoreBackends;
  /** Where the demo company's profile lives; recreated by every startDemo. Default <profileDir>/demo. */
  demoProfileDir?: string;
  /** Asks the admin before an endpoint moves to an unknown https host (endpoint-policy.ts). */
  confirmEndpoint?: ConfirmEndpoint;
}

type Args<C extends RequestChannel> = z.output<(typeof requestSchemas)[C]>;
export type AppServiceMethods = {
  [C in RequestChannel]: (...args: Args<C>) => Promise<ApiResults[C]>;
};

export type AppService = AppServiceMethods & {
  /** Validates raw IPC arguments against the contract, then calls the method. */
  dispatch(channel: string, rawArgs: unknown): Promise<unknown>;
  /** The scheduler's view, for the tray. */
  schedulerStatus(): SchedulerStatus;
  close(): Promise<void>;
};

type ResultChannel = {
  [C in RequestChannel]: ApiResults[C] extends Result<unknown> ? C : never;
}[RequestChannel];

/** Channels whose failures come back as `Result` errors; the others reject (a bug or an attack). */
const RESULT_CHANNELS: Record<ResultChannel, true> = {
  updateSettings: true,
  importGoogleKey: true,
  setSeveraCredentials: true,
  listUsers: true,
  listActivityTypes: true,
  syncNow: true,
  resolveHeld: true,
  retryQuarantined: true,
  resetSyncState: true,
  startDemo: true,
  leaveDemo: true,
  listUserStates: true,
};
const returnsResult = (channel: RequestChannel): channel is ResultChannel =>
  channel in RESULT_CHANNELS;

interface Profile {
  dir: string;
  settings: SettingsStore;
  secrets: SecretStore;
  sync: SyncBackend;
}

interface LastRun {
  startedAt: string;
  finishedAt: string | null;
  summary: SyncSummaryDto | null;
}

const ZERO = { created: 0, updated: 0, deleted: 0 };

/** A run that failed as a whole (no key, keychain locked…) as the summary the tray shows. */
const failedRunSummary = (e: unknown): SyncSummaryDto => {
  const error = toErrorDto(e);
  return {
    ok: false,
    users: 0,
    toGoogle: ZERO,
    toSevera: ZERO,
    conflicts: 0,
    held: 0,
    errors: [{ user: '', message: error.message.en, step: error.step, text: error.message }],
  };
};

const NO_EMAIL = localized(
  'Käyttäjällä ei ole Severassa sähköpostiosoitetta.',
  'No e-mail address in Severa.',
);

/** Background sync runs only once both sides are configured. */
const isConfigured = (s: Settings) =>
  Boolean(s.google.keyFingerprint && s.google.serviceAccountEmail && s.severa.clientId);

/** Demo choice: every calendar-like type synced; the first CalendarEntry and Personal types as defaults. */
export function demoActivityTypeChoice(types: ActivityTypeDto[]): DeepPartial<Settings['severa']> {
  const active = types.filter((t) => t.isActive);
  return {
    activityTypeGuids: active.filter((t) => t.category !== 'Task').map((t) => t.guid),
    defaultActivityTypeGuid: active.find((t) => t.category === 'CalendarEntry')?.guid ?? null,
    personalActivityTypeGuid: active.find((t) => t.category === 'Personal')?.guid ?? null,
  };
}

/**
 * The core behind the renderer contract (preload/api.ts): one method per request channel, plus
 * `dispatch` which validates untrusted arguments first. Plain Node: the Electron shell forwards
 * IPC to it, the browser tests bind it to Playwright, and it owns the background scheduler.
 */
export function createAppService(options: AppServiceOptions): AppService {
  const { backends, logger, onEvent } = options;
  let profile: Profile = {
    dir: options.profileDir,
    settings: options.settings,
    secrets: options.secrets,
    sync: backends.openSync(options.profileDir, logger),
  };
  let demo: DemoEnvironment | null = null;
  let lastRun: LastRun | null = null;

  const env = (): ProfileEnv => ({
    dir: profile.dir,
    settings: profile.settings.get(),
    secrets: profile.secrets,
    logger,
  });
  const linkContext = () => {
    const g = profile.settings.get().google;
    return { clientId: g.clientId, projectId: g.projectId, domain: g.domain };
  };
  const emitLog = (entry: ApiEvents['log-entry']) => onEvent('log-entry', entry);

  /** Whatever writes the sync state runs one at a time: runs, held-deletion decisions, reset. */
  let stateQueue: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = stateQueue.then(work, work);
    stateQueue = next.catch(() => undefined);
    return next;
  }

  const runOnce = () => exclusive(runEngine);

  /** The run in progress's last progress event (the status carries it, the tray shows it). */
  let progress: SyncProgressDto | null = null;
  const emitProgress = (p: SyncProgressDto) => {
    progress = p;
    onEvent('sync-progress', p);
  };

  async function runEngine(): Promise<SyncSummaryDto> {
    const startedAt = new Date().toISOString();
    lastRun = { startedAt, finishedAt: null, summary: null };
    progress = null;
    try {
      const summary = await profile.sync.run(env(), emitLog, emitProgress);
      lastRun = { startedAt, finishedAt: new Date().toISOString(), summary };
      return summary;
    } catch (e) {
      logger.error('sync run failed', { error: scrub(String(e)) });
      lastRun = { startedAt, finishedAt: new Date().toISOString(), summary: failedRunSummary(e) };
      throw e;
    }
  }

  const scheduler = new Scheduler<SyncSummaryDto>({
    run: runOnce,
    intervalMinutes: () => profile.settings.get().sync.intervalMinutes,
    paused: options.settings.get().app.backgroundPaused,
    onStatus: () => void emitStatus(),
  });

  async function statusDto(): Promise<SyncStatusDto> {
    const s = scheduler.status();
    const held = await profile.sync.held().catch(() => []);
    const lastFailed = lastRun?.summary ? !lastRun.summary.ok : false;
    const state = s.running
      ? 'syncing'
      : s.paused
        ? 'paused'
        : lastFailed || s.state === 'error'
          ? 'error'
          : 'idle';
    return {
      state,
      running: s.running,
      lastRun,
      nextRunAt: s.nextRunAt?.toISOString() ?? null,
      held,
      progress: s.running ? progress : null,
    };
  }

  async function emitStatus(): Promise<void> {
    onEvent('status-changed', await statusDto());
  }

  /** Starts, pauses or stops timed runs to match the settings (called after every change). */
  function applySchedule(): void {
    const s = profile.settings.get();
    if (!isConfigured(s)) return scheduler.stop();
    scheduler.start();
    if (s.app.backgroundPaused) scheduler.pause();
    else scheduler.resume();
  }

  async function state(): Promise<AppStateDto> {
    const s = profile.settings.get();
    const secretStored = await profile.secrets.get('severa-client-secret').then(
      (v) => v !== null,
      () => false,
    );
    return {
      version: options.version,
      demo: s.app.demo,
      nonRealEndpoints: nonRealEndpoints(s),
      google: {
        serviceAccountEmail: s.google.serviceAccountEmail,
        clientId: s.google.clientId,
        keyStored: s.google.keyFingerprint !== null,
        keyFingerprint: s.google.keyFingerprint,
        keyKind: s.google.keyKind,
        projectId: s.google.projectId,
        domain: s.google.domain,
        testUser: s.google.testUser,
        apiRoot: s.google.apiRoot,
        tokenUrl: s.google.tokenUrl,
        dwdLink: s.google.clientId ? dwdAuthorizeLink(s.google.clientId, s.google.domain) : null,
      },
      severa: {
        clientId: s.severa.clientId,
        secretStored,
        apiRoot: s.severa.apiRoot,
        activityTypeGuids: s.severa.activityTypeGuids,
        defaultActivityTypeGuid: s.severa.defaultActivityTypeGuid,
        personalActivityTypeGuid: s.severa.personalActivityTypeGuid,
      },
      users: { mode: s.users.mode, enabled: s.users.enabled },
      sync: {
        windowPastDays: s.sync.windowPastDays,
        windowFutureDays: s.sync.windowFutureDays,
        conflictPolicy: s.sync.conflictPolicy,
        deletionThresholdPercent: s.sync.deletionThresholdPercent,
        intervalMinutes: s.sync.intervalMinutes,
        requestTimeoutSeconds: s.sync.requestTimeoutSeconds,
      },
      app: {
        language: s.app.language,
        systemLanguage: options.systemLanguage,
        startAtLogin: s.app.startAtLogin,
        backgroundPaused: s.app.backgroundPaused,
      },
    };
  }

  /** After a configuration change: reschedule and tell the renderer. */
  async function changedState(): Promise<AppStateDto> {
    applySchedule();
    const dto = await state();
    onEvent('state-changed', dto);
    return dto;
  }

  /** Runs a call whose failures the user must see, turning them into `Result` errors. */
  async function guarded<T>(call: () => Promise<T>): Promise<Result<T>> {
    try {
      return { ok: true, value: await call() };
    } catch (e) {
      if (!isAppError(e))
        logger.error('unexpected failure', {
          error: scrub(e instanceof Error ? (e.stack ?? e.message) : String(e)),
        });
      return { ok: false, error: toErrorDto(e, linkContext()) };
    }
  }

  const scrubCheck = (r: CheckResult): CheckResult => ({
    ...r,
    message: { fi: scrub(r.message.fi), en: scrub(r.message.en) },
  });

  /** Ticks steps a save verified (the proof names what verified them). */
  function tickSteps(steps: StepId[], proof: string): void {
    if (steps.length === 0) return;
    profile.settings.update({ app: tick(profile.settings.get().app, steps, proof) });
  }

  async function runAndRecordDiagnostics(): Promise<CheckResult[]> {
    const report = await backends.runDiagnostics(env(), (result, index, total) =>
      onEvent('diagnostics-progress', { result: scrubCheck(result), index, total }),
    );
    profile.settings.update({
      app: afterReport(profile.settings.get().app, report.checks, report.ok),
    });
    return report.checks;
  }

  /** The rules entered values must meet (entry-rules.ts), checked against what they join. */
  function refuseBadEntries(patch: DeepPartial<Settings>): void {
    const current = profile.settings.get().google;
    const g = patch.google ?? {};
    if (g.serviceAccountEmail) {
      const problem = serviceAccountEmailProblem(g.serviceAccountEmail);
      if (problem) throw refusedEntry('service-account-email', 'gcp.service-account', problem);
    }
    if (g.domain) {
      const problem = domainProblem(g.domain);
      if (problem) throw refusedEntry('domain', 'gcp.client-id', problem);
    }
    const testUser = g.testUser ?? (g.domain ? current.testUser : null);
    if (testUser) {
      const problem = testUserProblem(testUser, g.domain ?? current.domain);
      if (problem) throw refusedEntry('test-user', 'gcp.client-id', problem);
    }
  }

  /** A choice of activity types is saved only when it meets the Test's rules. */
  async function verifyActivityTypes(patch: DeepPartial<Settings>): Promise<boolean> {
    const choice = patch.severa ?? {};
    const touched = ['activityTypeGuids', 'defaultActivityTypeGuid', 'personalActivityTypeGuid'];
    if (!touched.some((key) => key in choice)) return false;
    const next = { ...profile.settings.get().severa, ...choice };
    const types = await backends.listActivityTypes(env());
    const problems = activityTypeProblems({
      types,
      selected: next.activityTypeGuids as string[],
      personal: next.personalActivityTypeGuid ?? null,
      defaultType: next.defaultActivityTypeGuid ?? null,
    });
    if (problems.length > 0) {
      throw refusedEntry(
        'activity-types',
        'severa.activity-types',
        localized(problems.map((p) => p.fi).join(' '), problems.map((p) => p.en).join(' ')),
      );
    }
    return true;
  }

  /** A log entry as an export shows it: e-mail addresses and entry texts masked. */
  const exported = (e: LogEntryDto): LogEntryDto => {
    const versions = ['severa', 'google'] as const;
    const details = e.details && {
      ...e.details,
      ...Object.fromEntries(
        versions
          .filter((side) => e.details?.[side] && typeof e.details[side] === 'object')
          .map((side) => {
            const v = e.details![side] as Record<string, unknown>;
            const masked = Object.fromEntries(
              ['title', 'location', 'notes']
                .filter((k) => typeof v[k] === 'string')
                .map((k) => [k, maskText(v[k] as string)]),
            );
            return [side, { ...v, ...masked }];
          }),
      ),
    };
    return { ...e, title: e.title === null ? null : maskText(e.title), details };
  };

  /** YYYY-MM-DD-HHMM in the machine's own time: what the admin's clock showed. */
  const localStamp = (d: Date) => {
    const two = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}`;
  };

  async function userStates(): Promise<UserStateDto[]> {
    const [users, rows, quarantined] = await Promise.all([
      backends.listUsers(env(), { probe: false }),
      profile.sync.userStates(),
      profile.sync.quarantined(),
    ]);
    const byEmail = new Map(rows.map((r) => [r.email, r]));
    const quarantinedOf = new Map<string, number>();
    for (const q of quarantined) quarantinedOf.set(q.user, (quarantinedOf.get(q.user) ?? 0) + 1);
    const STATE = {
      ok: 'ok',
      stopped: 'stopped',
      error: 'failing',
      'no-google': 'skipped',
    } as const;
    return users.map((u): UserStateDto => {
      const row = u.email ? byEmail.get(u.email.toLowerCase()) : undefined;
      const inQuarantine = row ? (quarantinedOf.get(row.email) ?? 0) : 0;
      const state: UserStateDto['state'] = !u.enabled
        ? 'disabled'
        : !u.email
          ? 'skipped'
          : row
            ? row.state === 'ok' && inQuarantine > 0
              ? 'quarantined'
              : STATE[row.state]
            : 'not-synced';
      return {
        email: u.email,
        name: u.name,
        enabled: u.enabled,
        state,
        since: row?.since ?? null,
        lastRun: row?.lastRunAt ?? null,
        items: row?.items ?? 0,
        held: row?.held ?? 0,
        quarantined: inQuarantine,
        reason: row?.reason ?? (u.email ? null : NO_EMAIL.en),
        reasonText: row ? row.reasonText : u.email ? null : NO_EMAIL,
        step: row?.step ?? (u.email ? null : 'pre.same-email'),
      };
    });
  }

  /** Back to the company's own profile, as the app opened it. */
  async function leaveDemo(): Promise<AppStateDto> {
    scheduler.stop();
    await scheduler.idle();
    await profile.sync.close();
    await demo?.close();
    demo = null;
    lastRun = null;
    profile = {
      dir: options.profileDir,
      settings: options.settings,
      secrets: options.secrets,
      sync: backends.openSync(options.profileDir, logger),
    };
    void emitStatus();
    return changedState();
  }

  async function switchToDemo(): Promise<AppStateDto> {
    scheduler.stop();
    await scheduler.idle();
    const started = await backends.startDemo(logger);
    const dir = options.demoProfileDir ?? join(options.profileDir, 'demo');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const settings = new FileSettingsStore(profilePaths(dir).settings);
    const secrets = new MemorySecretStore();
    try {
      settings.update({
        google: {
          apiRoot: started.google.apiRoot,
          tokenUrl: started.google.tokenUrl,
          domain: started.google.domain,
          testUser: started.google.testUser,
        },
        severa: { apiRoot: started.severa.apiRoot, clientId: started.severa.clientId },
        users: { mode: 'all' },
        // The OS-level choices carry over, so switching to the demo never turns them off.
        app: {
          demo: true,
          language: profile.settings.get().app.language,
          startAtLogin: profile.settings.get().app.startAtLogin,
        },
      });
      await backends.importGoogleKey(
        {
          bytes: started.p12.bytes,
          password: started.p12.password,
          clientId: started.google.clientId,
          serviceAccountEmail: started.google.serviceAccountEmail,
        },
        secrets,
        settings,
        logger,
      );
      await secrets.set('severa-client-secret', started.severa.clientSecret);
      const types = await backends.listActivityTypes({
        dir,
        settings: settings.get(),
        secrets,
        logger,
      });
      settings.update({ severa: demoActivityTypeChoice(types) });
    } catch (e) {
      await started.close();
      throw e;
    }
    await profile.sync.close();
    await demo?.close();
    demo = started;
    lastRun = null;
    profile = { dir, settings, secrets, sync: backends.openSync(dir, logger) };
    // The demo is set up as a new admin would: every save verified, then a Test.
    tickSteps(
      ['gcp.service-account', 'gcp.p12-key', 'severa.api-credentials', 'severa.activity-types'],
      'demo',
    );
    tickSteps(['app.users', 'app.schedule'], 'demo');
    await runAndRecordDiagnostics();
    return changedState();
  }

  const methods: AppServiceMethods = {
    getState: () => state(),
    updateSettings: (raw) =>
      guarded(async () => {
        const patch = raw as DeepPartial<Settings>;
        await admitEndpoints(profile.settings.get(), patch, options.confirmEndpoint);
        refuseBadEntries(patch);
        const typesVerified = await verifyActivityTypes(patch);
        const saved = profile.settings.update(patch);
        tickSteps(verifiedBySave(patch, saved), 'save');
        if (typesVerified) tickSteps(['severa.activity-types'], 'severa-activity-types');
        return changedState();
      }),
    importGoogleKey: (input) =>
      guarded(async () => {
        if (input.serviceAccountEmail)
          refuseBadEntries({ google: { serviceAccountEmail: input.serviceAccountEmail } });
        const { warnings } = await backends.importGoogleKey(
          {
            bytes: Buffer.from(input.base64, 'base64'),
            password: input.password,
            clientId: input.clientId,
            serviceAccountEmail: input.serviceAccountEmail,
          },
          profile.secrets,
          profile.settings,
          logger,
        );
        const email = profile.settings.get().google.serviceAccountEmail;
        tickSteps(['gcp.p12-key'], 'key-import');
        if (email && !serviceAccountEmailProblem(email)) tickSteps(['gcp.service-account'], 'save');
        return { state: await changedState(), warnings };
      }),
    setSeveraCredentials: (input) =>
      guarded(async () => {
        const severa = input.apiRoot ? { apiRoot: input.apiRoot } : {};
        await admitEndpoints(profile.settings.get(), { severa }, options.confirmEndpoint);
        // Severa answers first: wrong credentials are refused with its words, never stored.
        await backends.checkSeveraCredentials(
          {
            apiRoot: input.apiRoot ?? profile.settings.get().severa.apiRoot,
            clientId: input.clientId,
            clientSecret: input.clientSecret,
            requestsPerSecond: profile.settings.get().severa.requestsPerSecond,
          },
          logger,
        );
        await profile.secrets.set('severa-client-secret', input.clientSecret);
        profile.settings.update({
          severa: {
            clientId: input.clientId,
            ...(input.apiRoot ? { apiRoot: input.apiRoot } : {}),
          },
        });
        tickSteps(['severa.api-credentials'], 'severa-token');
        return changedState();
      }),
    runDiagnostics: async () => {
      const checks = await runAndRecordDiagnostics();
      return { ok: checks.every((c) => c.status !== 'fail'), checks: checks.map(scrubCheck) };
    },
    getChecklist: async () => buildChecklist(profile.settings.get()),
    setChecklistStep: async (id, done) => {
      const known = buildChecklist(profile.settings.get()).some((step) => step.id === id);
      if (!known) throw new InvalidRequestError('setChecklistStep', `unknown step ${id}`);
      const { checklist, checklistProvedBy } = profile.settings.get().app;
      const provedBy = { ...checklistProvedBy };
      delete provedBy[id as StepId];
      profile.settings.update({
        app: { checklist: { ...checklist, [id]: done }, checklistProvedBy: provedBy },
      });
      return buildChecklist(profile.settings.get());
    },
    listUsers: () => guarded(() => backends.listUsers(env())),
    listActivityTypes: () => guarded(() => backends.listActivityTypes(env())),
    syncNow: () => guarded(() => scheduler.runNow()),
    getStatus: () => statusDto(),
    queryLog: (filter) => profile.sync.queryLog(filter),
    exportLog: async (filter) => {
      const entries = await profile.sync.queryLog({ ...filter, limit: filter.limit ?? 100_000 });
      const content = entries
        .map((entry) => maskEmails(scrub(JSON.stringify(exported(entry)))))
        .join('\n');
      return {
        fileName: `severa-calendar-sync-log-${localStamp(new Date())}.jsonl`,
        content: content ? `${content}\n` : '',
        count: entries.length,
      };
    },
    resolveHeld: (user, decision) =>
      guarded(async (): Promise<HeldResolutionDto> => {
        const summary = await exclusive(() =>
          profile.sync.resolveHeld(env(), user, decision, emitLog),
        );
        const status = await statusDto();
        onEvent('status-changed', status);
        const sides = [summary.toGoogle, summary.toSevera];
        const done =
          decision === 'apply'
            ? sides.reduce((n, c) => n + c.deleted, 0)
            : sides.reduce((n, c) => n + c.created + c.updated, 0);
        return { status, decision, done, failed: summary.errors.length };
      }),
    listQuarantined: () => profile.sync.quarantined(),
    retryQuarantined: (filter) =>
      guarded(async () => {
        await exclusive(() => profile.sync.retryQuarantined(filter.user, filter.item));
        return profile.sync.quarantined();
      }),
    resetSyncState: () =>
      guarded(async () => {
        scheduler.stop();
        await scheduler.idle();
        await exclusive(() => profile.sync.reset());
        lastRun = null;
        void emitStatus();
        return changedState();
      }),
    startDemo: () => guarded(switchToDemo),
    leaveDemo: () => guarded(leaveDemo),
    listUserStates: () => guarded(userStates),
    openExternal: async (url) => {
      if (!isAllowedExternalUrl(url)) {
        logger.warn('blocked an external link', { url: scrub(url) });
        return false;
      }
      await options.openExternal(url);
      return true;
    },
  };

  async function dispatch(channel: string, rawArgs: unknown): Promise<unknown> {
    if (!(REQUEST_CHANNELS as string[]).includes(channel))
      throw new InvalidRequestError(scrub(channel).slice(0, 64), 'unknown channel');
    const name = channel as RequestChannel;
    const parsed = requestSchemas[name].safeParse(rawArgs);
    if (!parsed.success) {
      const detail = scrub(
        parsed.error.issues
          .map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`)
          .join('; '),
      );
      const error = new InvalidRequestError(name, detail);
      logger.warn('rejected a request', { channel: name, detail });
      if (returnsResult(name)) return { ok: false, error: toErrorDto(error) };
      throw error;
    }
    const method = methods[name] as (...args: unknown[]) => Promise<unknown>;
    return method(...(parsed.data as unknown[]));
  }

  applySchedule();

  return {
    ...methods,
    dispatch,
    schedulerStatus: () => scheduler.status(),
    close: async () => {
      scheduler.stop();
      await scheduler.idle();
      await profile.sync.close();
      await demo?.close();
      demo = null;
    },
  };
}
