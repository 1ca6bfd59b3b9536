import type {
  ActivityTypeDto,
  HeldDeletionDto,
  LogEntryDto,
  QuarantinedItemDto,
  RequestArgs,
  SeveraUserDto,
  SyncProgressDto,
  SyncSummaryDto,
} from '../../../preload/api';
import type { Localized } from '../localized';
import type { Logger } from '../log';
import type { CheckResult, DiagnosticsReport } from '../setup/check';
import type { SecretStore } from '../store/secrets';
import type { Settings, SettingsStore } from '../store/settings';

/**
 * What the service needs from the rest of core, as a handful of coarse calls. The real wiring
 * (core-backends.ts) adapts the key import, the two clients, the diagnostics, the engine and the
 * sandboxes to this; unit tests pass small fakes. A change in another module's signature is
 * then a change in one adapter.
 */

/** One profile's configuration as a call needs it (settings read fresh for every call). */
export interface ProfileEnv {
  dir: string;
  settings: Settings;
  secrets: SecretStore;
  logger: Logger;
  /** Ends the clients' requests in flight (a stopped run). */
  signal?: AbortSignal;
}

export type LogQuery = RequestArgs<'queryLog'>[0];

export interface KeyImportRequest {
  bytes: Uint8Array;
  password?: string;
  clientId?: string;
  serviceAccountEmail?: string;
}

/** What the state knows of one user the engine has run for (the users view). */
export interface UserSyncRow {
  email: string;
  state: 'ok' | 'stopped' | 'error' | 'no-google';
  since: string | null;
  lastRunAt: string | null;
  reason: string | null;
  /** The reason in both languages, when it is ours. */
  reasonText: Localized | null;
  step: string | null;
  items: number;
  held: number;
}

/** The engine and its state (sync links, held deletions, the sync log) of one profile. */
export interface SyncBackend {
  run(
    env: ProfileEnv,
    onLogEntry: (entry: LogEntryDto) => void,
    onProgress?: (progress: SyncProgressDto) => void,
  ): Promise<SyncSummaryDto>;
  held(): Promise<HeldDeletionDto[]>;
  resolveHeld(
    env: ProfileEnv,
    user: string,
    decision: 'apply' | 'restore',
    onLogEntry: (entry: LogEntryDto) => void,
  ): Promise<SyncSummaryDto>;
  userStates(): Promise<UserSyncRow[]>;
  reset(): Promise<void>;
  queryLog(filter: LogQuery): Promise<LogEntryDto[]>;
  /** Items left alone because they kept failing (state.ts `item_failures`). */
  quarantined(): Promise<QuarantinedItemDto[]>;
  /** Asks the next run to try them again; returns how many were marked. */
  retryQuarantined(user?: string, item?: string): Promise<number>;
  close(): Promise<void>;
}

/** Both sandboxes running in this process, seeded with the demo company. */
export interface DemoEnvironment {
  google: {
    apiRoot: string;
    tokenUrl: string;
    serviceAccountEmail: string;
    clientId: string;
    domain: string;
    testUser: string;
  };
  severa: { apiRoot: string; clientId: string; clientSecret: string };
  p12: { bytes: Uint8Array; password: string };
  close(): Promise<void>;
}

/** Credentials being entered, checked with Severa before they are stored. */
export interface SeveraCredentialsCheck {
  apiRoot: string;
  clientId: string;
  clientSecret: string;
  requestsPerSecond: number;
}

export interface CoreBackends {
  /** Asks Severa for a token with these credentials; throws Severa's answer when it refuses. */
  checkSeveraCredentials(
    credentials: SeveraCredentialsCheck,
    logger: Logger,
  ): Promise<{ scopes: string[] }>;
  importGoogleKey(
    request: KeyImportRequest,
    secrets: SecretStore,
    settings: SettingsStore,
    logger: Logger,
  ): Promise<{ warnings: Localized[] }>;
  runDiagnostics(
    env: ProfileEnv,
    onResult: (result: CheckResult, index: number, total: number) => void,
  ): Promise<DiagnosticsReport>;
  /** `probe: false` lists without asking Google about each address (they stay `unchecked`). */
  listUsers(env: ProfileEnv, options?: { probe?: boolean }): Promise<SeveraUserDto[]>;
  listActivityTypes(env: ProfileEnv): Promise<ActivityTypeDto[]>;
  openSync(profileDir: string, logger: Logger): SyncBackend;
  startDemo(logger: Logger): Promise<DemoEnvironment>;
}
