import Store, { type Options, type Schema } from 'electron-store';
import type { Logger } from '../core/log';

/**
 * The shell's own state in electron-store (design D5): the window's size and position and
 * whether the "still running in the tray" hint was shown. Sync settings
 * are not here: they stay in the profile's settings.json, which the CLI and the daemon read too.
 * The file lives in the profile folder beside them (shell-state.json).
 */
export interface ShellState {
  window: { width: number; height: number; x?: number; y?: number; maximized: boolean };
  trayHintShown: boolean;
}

export const WINDOW_DEFAULTS = { width: 1200, height: 820, minWidth: 900, minHeight: 600 };

const schema: Schema<ShellState> = {
  window: {
    type: 'object',
    properties: {
      width: { type: 'integer', minimum: WINDOW_DEFAULTS.minWidth },
      height: { type: 'integer', minimum: WINDOW_DEFAULTS.minHeight },
      x: { type: 'integer' },
      y: { type: 'integer' },
      maximized: { type: 'boolean' },
    },
    required: ['width', 'height', 'maximized'],
    default: { width: WINDOW_DEFAULTS.width, height: WINDOW_DEFAULTS.height, maximized: false },
  },
  trayHintShown: { type: 'boolean', default: false },
};

/**
 * Keyed by the release that changes the shape (electron-store runs them in order, once, when a
 * file written by an older version is opened; a new file starts at the current version). The
 * first release has nothing to migrate from.
 */
const migrations: Options<ShellState>['migrations'] = {};

export function openShellState(
  profileDir: string,
  version: string,
  logger: Logger,
): Store<ShellState> {
  return new Store<ShellState>({
    name: 'shell-state',
    cwd: profileDir,
    schema,
    migrations,
    projectVersion: version,
    // A hand-edited or truncated file costs the window position, never a start.
    clearInvalidConfig: true,
    beforeEachMigration: (_store, context) =>
      logger.info('shell state migration', { from: context.fromVersion, to: context.toVersion }),
  });
}
