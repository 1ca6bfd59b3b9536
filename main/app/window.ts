import { BrowserWindow, app } from 'electron';
import { join } from 'node:path';
import { appPaths } from './paths';
import { secureWebPreferences } from './security';
import { trustWebContents } from './ipc';

/**
 * The one window. Closing it hides it to the tray (background sync goes on); only Quit, from
 * the tray or the app menu, ends the app (`isQuitting` is set in before-quit).
 */
export function createMainWindow(options: {
  isQuitting: () => boolean;
  show: boolean;
}): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Severa Calendar Sync',
    icon: join(appPaths.assets(), 'icon.png'),
    webPreferences: secureWebPreferences(appPaths.preload, { devTools: !app.isPackaged }),
  });
  trustWebContents(window.webContents);
  window.once('ready-to-show', () => {
    if (options.show) window.show();
  });
  window.on('close', (event) => {
    if (options.isQuitting()) return;
    event.preventDefault();
    window.hide();
  });
  void window.loadFile(appPaths.rendererHtml);
  return window;
}

export function showWindow(window: BrowserWindow | null): void {
  if (!window || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
