import { mkdirSync } from 'node:fs';
import { defaultProfileDir, profilePaths } from '../core/store/profile';
import { FileSettingsStore, type SettingsStore } from '../core/store/settings';
import { createLogger, type Logger } from '../core/log';

/** Options every command accepts. */
export interface GlobalOptions {
  profile?: string;
  json?: boolean;
  lang?: 'fi' | 'en';
}

/** Exit codes: 0 ok, 1 a check or a sync failed, 2 bad usage or configuration. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class UsageError extends Error {}

export interface CliProfile {
  dir: string;
  paths: ReturnType<typeof profilePaths>;
  settings: SettingsStore;
  logger: Logger;
}

export function openProfile(options: GlobalOptions): CliProfile {
  const dir = options.profile ?? defaultProfileDir();
  const paths = profilePaths(dir);
  mkdirSync(paths.logs, { recursive: true });
  return {
    dir,
    paths,
    settings: new FileSettingsStore(paths.settings),
    logger: createLogger(paths.debugLog, 'cli'),
  };
}

export const printJson = (value: unknown) => process.stdout.write(JSON.stringify(value) + '\n');

/** After SIGTERM/SIGINT, requests still in flight get this long to answer before they are ended. */
export const REQUEST_GRACE_MS = 5_000;
/** …and the command this long to stop cleanly before the process exits anyway. */
export const STOP_GRACE_MS = 15_000;

/**
 * SIGINT/SIGTERM: `run` aborts at once (the engine starts nothing new), `requests` after
 * `REQUEST_GRACE_MS` (the clients end what is still in flight, so a stalled connection cannot
 * hold the process); should the command still not have ended after `STOP_GRACE_MS`, the
 * process exits. `dispose` removes the handlers.
 */
export function stopOnSignals(onStop?: (signal: string) => void): {
  run: AbortSignal;
  requests: AbortSignal;
  dispose(): void;
} {
  const run = new AbortController();
  const requests = new AbortController();
  const stop = (name: string) => {
    onStop?.(name);
    run.abort();
    setTimeout(() => requests.abort(), REQUEST_GRACE_MS).unref();
    setTimeout(() => process.exit(EXIT.failed), STOP_GRACE_MS).unref();
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  return {
    run: run.signal,
    requests: requests.signal,
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
