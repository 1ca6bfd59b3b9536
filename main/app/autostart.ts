import { app } from 'electron';
import type { Logger } from '../core/log';
import { setLinuxAutostart } from '../core/service/autostart-entry';

/** The argument a Windows login start carries, so the app starts in the tray without a window. */
export const HIDDEN_ARG = '--hidden';

/**
 * Start at login: Electron's login items on macOS and Windows, an XDG autostart entry on Linux
 * (setLoginItemSettings does nothing there). macOS takes no arguments (`args` is Windows-only);
 * it tells us at start whether the login item opened the app (`wasOpenedAtLogin`). In
 * development (not packaged) it is left alone, so `npm start` never registers the dev build.
 */
export function applyStartAtLogin(enabled: boolean, logger: Logger): void {
  if (!app.isPackaged) return;
  if (process.platform === 'linux') {
    // An AppImage runs from a temporary mount; its own path is in $APPIMAGE.
    const file = setLinuxAutostart(enabled, process.env.APPIMAGE ?? process.execPath, [HIDDEN_ARG]);
    logger.info('start at login', { enabled, file });
    return;
  }
  app.setLoginItemSettings(
    process.platform === 'win32'
      ? { openAtLogin: enabled, args: [HIDDEN_ARG] }
      : { openAtLogin: enabled },
  );
  logger.info('start at login', { enabled });
}

/** Whether this start came from the login item (then no window is shown). */
export function startedHidden(): boolean {
  if (process.platform === 'darwin') return app.getLoginItemSettings().wasOpenedAtLogin;
  return process.argv.includes(HIDDEN_ARG);
}
