/**
 * THE contract between the renderer and the main process: every request and every event,
 * typed once. The argument schemas (zod) are what main validates every call against; the
 * renderer imports only types from here, the preload imports `createRendererApi`.
 *
 * Adding a call: add its argument schema to `requestSchemas`, its result to `ApiResults`,
 * implement it in main/core/service/, done (the preload and the IPC wiring are generated from
 * these two maps).
 */
import { z } from 'zod';

export interface Localized {
  fi: string;
  en: string;
}

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResultDto {
  id: string;
  title: Localized;
  status: CheckStatus;
  step: string | null;
  message: Localized;
  link: string | null;
  details?: unknown;
  durationMs: number;
}

export interface DiagnosticsReportDto {
  ok: boolean;
  checks: CheckResultDto[];
}

/** A user-visible error: what happened, the step that fixes it and where that step is done. */
export interface ErrorDto {
  code: string;
  step: string | null;
  message: Localized;
  link: string | null;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorDto };

export interface ChecklistStepDto {
  id: string;
  section: 'pre' | 'gcp' | 'admin' | 'severa' | 'user' | 'support' | 'app';
  /** A step of this app's flow (counted in the progress), or a note shown before the start. */
  kind: 'step' | 'note';
  /** Where in the flow a step is done; null for notes. */
  stage: 'gcp' | 'admin' | 'severa' | 'app' | 'test' | null;
  title: Localized;
  done: boolean;
  /**
   * What verified the step (a check id such as `google.token`, `test` for a green Test, or a
   * save's own check such as `severa-token`); null when it is only ticked by hand.
   */
  provedBy: string | null;
  link: string | null;
}

/** What the renderer may know about the configuration: never a key or a secret. */
export interface AppStateDto {
  version: string;
  demo: boolean;
  /** Endpoints that are not the real services (the UI shows a banner). */
  nonRealEndpoints: string[];
  google: {
    serviceAccountEmail: string | null;
    clientId: string | null;
    keyStored: boolean;
    keyFingerprint: string | null;
    keyKind: 'p12' | 'json' | null;
    projectId: string | null;
    domain: string | null;
    testUser: string | null;
    apiRoot: string;
    tokenUrl: string;
    /** The Admin console link pre-filled with this client id and the Calendar scope. */
    dwdLink: string | null;
  };
  severa: {
    clientId: string | null;
    secretStored: boolean;
    apiRoot: string;
    activityTypeGuids: string[];
    defaultActivityTypeGuid: string | null;
    personalActivityTypeGuid: string | null;
  };
  users: { mode: 'all' | 'selected'; enabled: string[] };
  sync: {
    windowPastDays: number;
    windowFutureDays: number;
    conflictPolicy: 'later-wins' | 'severa-wins' | 'google-wins';
    deletionThresholdPercent: number;
    intervalMinutes: number;
    /** Deadline of every Google, token and Severa request (s). */
    requestTimeoutSeconds: number;
  };
  app: {
    language: 'system' | 'fi' | 'en';
    systemLanguage: 'fi' | 'en';
    startAtLogin: boolean;
    backgroundPaused: boolean;
  };
}

export interface SeveraUserDto {
  guid: string;
  name: string;
  email: string | null;
  enabled: boolean;
  match: 'ok' | 'no-google-account' | 'no-email' | 'unchecked';
  step: string | null;
}

export interface ActivityTypeDto {
  guid: string;
  name: string;
  category: 'Personal' | 'Absences' | 'CalendarEntry' | 'SalesEvent' | 'Task';
  isActive: boolean;
}

export interface DirectionCounts {
  created: number;
  updated: number;
  deleted: number;
}

export interface SyncSummaryDto {
  ok: boolean;
  users: number;
  toGoogle: DirectionCounts;
  toSevera: DirectionCounts;
  conflicts: number;
  held: number;
  errors: {
    user: string;
    message: string;
    step: string | null;
    /** Our diagnosis in both languages, when we have one (`message` is then the server's words). */
    text?: Localized | null;
  }[];
  /** Items quarantined by this run (listQuarantined has all of them). */
  quarantined?: number;
}

/** Whose words a message is: Google's or Severa's own answer (null: ours). */
export type MessageFrom = 'google' | 'severa' | null;

/**
 * An item that kept failing for a reason retrying will not cure, so the sync leaves it alone
 * (the user's other items go on) until the admin retries it, usually after fixing the cause
 * the message names. `item` is what `retryQuarantined` takes.
 */
export interface QuarantinedItemDto {
  user: string;
  /** `severa:<activity guid>` or `google:<event id>`. */
  item: string;
  /** The action that failed (`create-severa`, `update-google`, …). */
  action: string;
  direction: 'toGoogle' | 'toSevera' | null;
  severaGuid: string | null;
  googleId: string | null;
  /** Runs in a row it failed in. */
  failures: number;
  firstFailedAt: string;
  quarantinedAt: string;
  /** Google's reason or Severa's error type. */
  errorType: string | null;
  /** The server's own message (scrubbed). */
  message: string;
  /** Whose words `message` is (null: ours, and `text` has them). */
  messageFrom?: MessageFrom;
  /** Our diagnosis in both languages (null for items quarantined before it was kept). */
  text?: Localized | null;
  /** The set-up step that fixes it, when one does. */
  step: string | null;
  /** Retry asked for: the next run reads it again on both sides. */
  retryRequested: boolean;
  /** The item's title and start as the log last saw them (null when no entry remembers them). */
  title?: string | null;
  start?: string | null;
}

/** One entry a held deletion would remove, and why it would. */
export interface HeldItemDto {
  severaGuid: string;
  googleId: string;
  /** The entry's title and start as last synced (null when no log entry remembers them). */
  title: string | null;
  start: string | null;
  /** Where it would be deleted; it is gone from the other side. */
  side: 'google' | 'severa';
  /** When a run first saw it gone from the other side and held the deletion. */
  goneSince: string;
}

export interface HeldDeletionDto {
  user: string;
  count: number;
  total: number;
  side: 'google' | 'severa';
  since: string;
  items: HeldItemDto[];
}

/** What the admin's answer to held deletions did. */
export interface HeldResolutionDto {
  status: SyncStatusDto;
  decision: 'apply' | 'restore';
  /** Entries deleted (apply) or brought back (restore) by the run that carried the answer. */
  done: number;
  failed: number;
}

/** One synced user as the users view shows them. */
export interface UserStateDto {
  email: string | null;
  name: string;
  enabled: boolean;
  /**
   * `skipped`: no Google account (or no e-mail); `stopped`: a brake; `failing`: items failed;
   * `quarantined`: synced, but items are left alone until retried.
   */
  state: 'ok' | 'skipped' | 'stopped' | 'failing' | 'quarantined' | 'not-synced' | 'disabled';
  /** Since when the user has been in this state (the run that put them there). */
  since: string | null;
  lastRun: string | null;
  /** Linked entries, held deletions. */
  items: number;
  held: number;
  /** Items quarantined (left alone until retried). */
  quarantined?: number;
  reason: string | null;
  /** The reason in both languages when it is ours (else `reason` is the server's words). */
  reasonText?: Localized | null;
  step: string | null;
}

export interface SyncStatusDto {
  state: 'idle' | 'syncing' | 'error' | 'paused';
  running: boolean;
  lastRun: { startedAt: string; finishedAt: string | null; summary: SyncSummaryDto | null } | null;
  nextRunAt: string | null;
  held: HeldDeletionDto[];
  /** How far the run in progress has come (null when none runs). */
  progress?: SyncProgressDto | null;
}

/** A long run's progress (main/core/sync/progress.ts): users done of all, items, rate, ETA. */
export interface SyncProgressDto {
  runId: number | null;
  /** `reading`: Severa's users, types and changes; `users`: each user's calendar; `done`. */
  phase: 'reading' | 'users' | 'done';
  usersDone: number;
  usersTotal: number;
  /** Items written so far (created, updated or deleted), per side. */
  written: { toGoogle: number; toSevera: number };
  /** Items written per second over the last half minute. */
  itemsPerSecond: number;
  /** Severa requests per second over the last half minute (null: the client does not count). */
  severaRequestsPerSecond: number | null;
  elapsedSeconds: number;
  /** From the measured rate and Severa's limit; null until a user is done, and when done. */
  etaSeconds: number | null;
  /** The run before this one stopped midway; what it had finished is not read again in full. */
  resumed: { previousRunStartedAt: string; usersDone: number } | null;
}

export interface LogEntryDto {
  id: number;
  time: string;
  runId: string | null;
  level: 'debug' | 'info' | 'warn' | 'error';
  user: string | null;
  direction: 'toGoogle' | 'toSevera' | null;
  action: string;
  severaGuid: string | null;
  googleId: string | null;
  result: string;
  errorType: string | null;
  /** The server's exact words (`messageFrom` says whose), or the English of `text`. */
  message: string;
  /** Whose words `message` is; null when they are ours. */
  messageFrom?: MessageFrom;
  /** The engine's own words in both languages (null for entries without words, and old ones). */
  text?: Localized | null;
  /** The entry's title and start (as the action saw them), when the entry is about one. */
  title: string | null;
  start: string | null;
  step: string | null;
  /** E.g. both versions of a conflict. */
  details: Record<string, unknown> | null;
}

const email = z.string().trim().toLowerCase().email();
const url = z.string().url();

const logFilter = z
  .object({
    since: z.string().optional(),
    user: z.string().optional(),
    level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
    direction: z.enum(['toGoogle', 'toSevera']).optional(),
    search: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();

/** Argument schemas, one per request channel: main validates every call against these. */
export const requestSchemas = {
  getState: z.tuple([]),
  updateSettings: z.tuple([
    z
      .object({
        google: z
          .object({
            serviceAccountEmail: email,
            clientId: z.string().regex(/^\d+$/),
            domain: z.string().trim().toLowerCase().min(1),
            testUser: email,
            apiRoot: url,
            tokenUrl: url,
          })
          .partial()
          .strict(),
        severa: z
          .object({
            clientId: z.string().min(1),
            apiRoot: url,
            activityTypeGuids: z.array(z.string()),
            defaultActivityTypeGuid: z.string().nullable(),
            personalActivityTypeGuid: z.string().nullable(),
          })
          .partial()
          .strict(),
        users: z
          .object({ mode: z.enum(['all', 'selected']), enabled: z.array(email) })
          .partial()
          .strict(),
        sync: z
          .object({
            windowPastDays: z.number().int().min(0).max(365),
            windowFutureDays: z.number().int().min(1).max(730),
            conflictPolicy: z.enum(['later-wins', 'severa-wins', 'google-wins']),
            deletionThresholdPercent: z.number().min(0).max(100),
            intervalMinutes: z.number().int().min(1).max(1440),
            requestTimeoutSeconds: z.number().int().min(1).max(600),
          })
          .partial()
          .strict(),
        app: z
          .object({
            language: z.enum(['system', 'fi', 'en']),
            startAtLogin: z.boolean(),
            backgroundPaused: z.boolean(),
          })
          .partial()
          .strict(),
      })
      .partial()
      .strict(),
  ]),
  importGoogleKey: z.tuple([
    z
      .object({
        fileName: z.string().max(260),
        /** The file's bytes, base64 (structured clone of typed arrays differs across bridges). */
        base64: z.string().max(128 * 1024),
        password: z.string().max(200).optional(),
        serviceAccountEmail: email.optional(),
        clientId: z.string().regex(/^\d+$/).optional(),
      })
      .strict(),
  ]),
  setSeveraCredentials: z.tuple([
    z
      .object({
        clientId: z.string().min(1).max(200),
        clientSecret: z.string().min(1).max(500),
        apiRoot: url.optional(),
      })
      .strict(),
  ]),
  runDiagnostics: z.tuple([]),
  getChecklist: z.tuple([]),
  setChecklistStep: z.tuple([z.string().max(64), z.boolean()]),
  listUsers: z.tuple([]),
  listActivityTypes: z.tuple([]),
  syncNow: z.tuple([]),
  getStatus: z.tuple([]),
  queryLog: z.tuple([logFilter]),
  /** The entries the filter shows, as the admin sees them in the log. */
  exportLog: z.tuple([logFilter]),
  resolveHeld: z.tuple([email, z.enum(['apply', 'restore'])]),
  listQuarantined: z.tuple([]),
  /** Retry quarantined items: one (user + item), all of a user's (user), or all ({}). */
  retryQuarantined: z.tuple([
    z.object({ user: email.optional(), item: z.string().min(1).max(1100).optional() }).strict(),
  ]),
  resetSyncState: z.tuple([]),
  startDemo: z.tuple([]),
  /** Back to the company's own profile (the welcome screen when it is not set up). */
  leaveDemo: z.tuple([]),
  listUserStates: z.tuple([]),
  openExternal: z.tuple([url]),
} as const;

export type RequestChannel = keyof typeof requestSchemas;
export const REQUEST_CHANNELS = Object.keys(requestSchemas) as RequestChannel[];

/** What each request resolves to. Failures a user must see come back as `Result` errors. */
export interface ApiResults {
  getState: AppStateDto;
  updateSettings: Result<AppStateDto>;
  importGoogleKey: Result<{ state: AppStateDto; warnings: Localized[] }>;
  setSeveraCredentials: Result<AppStateDto>;
  runDiagnostics: DiagnosticsReportDto;
  getChecklist: ChecklistStepDto[];
  setChecklistStep: ChecklistStepDto[];
  listUsers: Result<SeveraUserDto[]>;
  listActivityTypes: Result<ActivityTypeDto[]>;
  syncNow: Result<SyncSummaryDto>;
  getStatus: SyncStatusDto;
  queryLog: LogEntryDto[];
  exportLog: { fileName: string; content: string; count: number };
  resolveHeld: Result<HeldResolutionDto>;
  listQuarantined: QuarantinedItemDto[];
  /** The quarantined items after the request (those retried carry `retryRequested`). */
  retryQuarantined: Result<QuarantinedItemDto[]>;
  resetSyncState: Result<AppStateDto>;
  startDemo: Result<AppStateDto>;
  leaveDemo: Result<AppStateDto>;
  listUserStates: Result<UserStateDto[]>;
  openExternal: boolean;
}

/** Main → renderer events. */
export interface ApiEvents {
  'log-entry': LogEntryDto;
  'status-changed': SyncStatusDto;
  'diagnostics-progress': { result: CheckResultDto; index: number; total: number };
  'state-changed': AppStateDto;
  /** A run's progress, at most twice a second. */
  'sync-progress': SyncProgressDto;
}
export type EventChannel = keyof ApiEvents;
export const EVENT_CHANNELS: EventChannel[] = [
  'log-entry',
  'status-changed',
  'diagnostics-progress',
  'state-changed',
  'sync-progress',
];

export type RequestArgs<C extends RequestChannel> = z.input<(typeof requestSchemas)[C]>;

export type RendererApi = {
  [C in RequestChannel]: (...args: RequestArgs<C>) => Promise<ApiResults[C]>;
} & {
  /** Subscribes to an event; returns the unsubscribe function (for React effect clean-up). */
  on<E extends EventChannel>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
};

/**
 * Builds `window.api` from two primitives, so the Electron preload (ipcRenderer) and the browser
 * tests (Playwright bindings) expose exactly the same object. Extra arguments are cut to the
 * schema's length, as TypeScript lets a caller pass more than declared.
 */
export function createRendererApi(
  invoke: (channel: RequestChannel, args: unknown[]) => Promise<unknown>,
  subscribe: (event: EventChannel, listener: (payload: unknown) => void) => () => void,
): RendererApi {
  const api: Record<string, unknown> = {
    on: (event: EventChannel, listener: (payload: unknown) => void) => subscribe(event, listener),
  };
  for (const channel of REQUEST_CHANNELS) {
    const arity = requestSchemas[channel].def.items.length;
    api[channel] = (...args: unknown[]) => invoke(channel, args.slice(0, arity));
  }
  return api as RendererApi;
}
