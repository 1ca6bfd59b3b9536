import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';

export const APP_NAME = 'Severa Calendar Sync';

/**
 * The folder that holds settings, sync state and logs. The CLI and the desktop app use the same
 * default (the app sets Electron's userData to it), so a server and a laptop behave alike.
 */
export function defaultProfileDir(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string {
  if (env.SEVERA_SYNC_PROFILE) return resolve(env.SEVERA_SYNC_PROFILE);
  if (platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}

/** Files inside a profile. */
export const profilePaths = (dir: string) => ({
  dir,
  settings: join(dir, 'settings.json'),
  state: join(dir, 'state.db'),
  logs: join(dir, 'logs'),
  debugLog: join(dir, 'logs', 'debug.log'),
});

/** A short stable id of a profile folder, so that two profiles never share keychain entries. */
export const profileId = (dir: string): string =>
  createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 16);
