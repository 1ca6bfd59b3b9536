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
