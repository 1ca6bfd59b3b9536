import { BrowserWindow, app } from 'electron';
import type Store from 'electron-store';
import { join } from 'node:path';
import { appPaths } from './paths';
import { RENDERER_ENTRY_URL } from './renderer-protocol';
import { secureWebPreferences } from './security';
import { WINDOW_DEFAULTS, type ShellState } from './shell-state';
import { trustWebContents } from './ipc';

/**
 * The one window, at the size and place it had last time (shell-state.ts). Closing it hides it
 * to the tray (background sync goes on); only Quit, from the tray or the app menu, ends the app
 * (`isQuitting` is set in before-quit). Windows' logout or shutdown (session-end) quits.
 */
export function createMainWindow(options: {
  isQuitting: () => boolean;
  show: boolean;
  shellState: Store<ShellState>;
  onHiddenToTray: () => void;
  onSessionEnd: () => void;
}): BrowserWindow {
  const { shellState } = options;
  const bounds = shellState.get('window');
  const window = new BrowserWindow({
    width: bounds.width,
    height: bounds.height,
    ...(bounds.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : {}),
    minWidth: WINDOW_DEFAULTS.minWidth,
    minHeight: WINDOW_DEFAULTS.minHeight,
    show: false,
    title: 'Severa Calendar Sync',
    icon: join(appPaths.assets(), 'icon.png'),
    webPreferences: secureWebPreferences(appPaths.preload, { devTools: !app.isPackaged }),
  });
  if (bounds.maximized) window.maximize();
  trustWebContents(window.webContents);
  window.once('ready-to-show', () => {
    if (options.show) window.show();
  });
  const remember = () => {
    if (window.isDestroyed() || window.isMinimized()) return;
    const maximized = window.isMaximized();
    shellState.set(
      'window',
      maximized ? { ...bounds, maximized } : { ...window.getBounds(), maximized },
    );
  };
  window.on('resized', remember);
  window.on('moved', remember);
  window.on('close', (event) => {
    remember();
    if (options.isQuitting()) return;
    event.preventDefault();
    window.hide();
    options.onHiddenToTray();
  });
  window.on('session-end', options.onSessionEnd);
  void window.loadURL(RENDERER_ENTRY_URL);
  return window;
}

export function showWindow(window: BrowserWindow | null): void {
  if (!window || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
