import { BrowserWindow, app, session, shell } from 'electron';
import { mkdirSync } from 'node:fs';
import type { ApiEvents, EventChannel } from '../../preload/api';
import type { Language } from '../core/localized';
import { createLogger, scrub } from '../core/log';
import { createAppService, type AppService } from '../core/service/app-service';
import { coreBackends } from '../core/service/core-backends';
import { isAllowedExternalUrl } from '../core/service/link-allowlist';
import { defaultProfileDir, profilePaths } from '../core/store/profile';
import { KeychainSecretStore } from '../core/store/keychain';
import { FileSettingsStore } from '../core/store/settings';
import { applyStartAtLogin, startedHidden } from './autostart';
import { registerIpcHandlers, sendEvent } from './ipc';
import { ErrorNotifier } from './notifications';
import { appPaths } from './paths';
import { CSP_HEADER } from './security';
import { AppTray } from './tray';
import { createMainWindow, showWindow } from './window';

/**
 * The Electron shell: lifecycle, single instance, security hooks, and the wiring of the
 * service (main/core/service) to IPC, the tray and notifications. Everything with logic lives in
 * core; this file only connects it to Electron.
 */

// A profile given as --user-data-dir (tests, a second company) wins; else the CLI's default,
// so the app and the CLI share settings, sync state and logs.
if (!app.commandLine.hasSwitch('user-data-dir')) app.setPath('userData', defaultProfileDir());
const profileDir = app.getPath('userData');
const paths = profilePaths(profileDir);
mkdirSync(paths.logs, { recursive: true });
const logger = createLogger(paths.debugLog, 'app');

app.enableSandbox();

let window: BrowserWindow | null = null;
let tray: AppTray | null = null;
let service: AppService | null = null;
let quitting = false;

const openWindow = () => {
  if (!window || window.isDestroyed())
    window = createMainWindow({ isQuitting: () => quitting, show: true });
  else showWindow(window);
};

/** Two instances would run two engines against the same calendars: a second start focuses the first. */
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', openWindow);
  app.on('before-quit', () => {
    quitting = true;
  });
  // Keep running in the tray when the window is closed.
  app.on('window-all-closed', () => undefined);
  app.on('activate', openWindow);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      event.preventDefault();
      logger.warn('blocked navigation', { url: scrub(url) });
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isAllowedExternalUrl(url)) void shell.openExternal(url);
      else logger.warn('blocked a new window', { url: scrub(url) });
      return { action: 'deny' };
    });
  });
  app
    .whenReady()
    .then(start)
    .catch((e: unknown) => {
      logger.error('start failed', {
        error: scrub(e instanceof Error ? (e.stack ?? e.message) : String(e)),
      });
      app.exit(1);
    });
}

function systemLanguage(): 'fi' | 'en' {
  return app.getPreferredSystemLanguages().some((l) => l.toLowerCase().startsWith('fi')) ||
    app.getLocale().startsWith('fi')
    ? 'fi'
    : 'en';
}

async function start(): Promise<void> {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) =>
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP_HEADER] },
    }),
  );

  const settings = new FileSettingsStore(paths.settings);
  const sysLanguage = systemLanguage();
  const language = (): Language => {
    const chosen = settings.get().app.language;
    return chosen === 'system' ? sysLanguage : chosen;
  };
  const notifier = new ErrorNotifier(language, openWindow);
  let startAtLogin = settings.get().app.startAtLogin;
  let lastFinishedAt: string | null = null;

  const onEvent = <E extends EventChannel>(event: E, payload: ApiEvents[E]) => {
    sendEvent(event, payload);
    if (event === 'status-changed') {
      const status = payload as ApiEvents['status-changed'];
      tray?.update(status);
      const run = status.lastRun;
      if (run?.finishedAt && run.summary && run.finishedAt !== lastFinishedAt) {
        lastFinishedAt = run.finishedAt;
        notifier.runFinished(run.summary);
      }
    }
    if (event === 'state-changed') {
      const state = payload as ApiEvents['state-changed'];
      if (state.app.startAtLogin !== startAtLogin) {
        startAtLogin = state.app.startAtLogin;
        applyStartAtLogin(startAtLogin, logger);
      }
    }
  };

  service = createAppService({
    profileDir,
    secrets: new KeychainSecretStore(profileDir),
    settings,
    logger,
    version: app.getVersion(),
    systemLanguage: sysLanguage,
    openExternal: (url) => shell.openExternal(url),
    onEvent,
    backends: coreBackends,
  });
  const appService = service;
  registerIpcHandlers(appService, logger);

  const setPaused = (paused: boolean) =>
    void appService.updateSettings({ app: { backgroundPaused: paused } });
  tray = new AppTray(
    appPaths.assets(),
    {
      'sync-now': () => void appService.syncNow(),
      open: openWindow,
      pause: () => setPaused(true),
      resume: () => setPaused(false),
      quit: () => app.quit(),
    },
    language,
  );
  tray.update(await appService.getStatus());
  applyStartAtLogin(startAtLogin, logger);

  if (process.argv.includes('--demo') || process.env.SEVERA_SYNC_DEMO === '1') {
    const demo = await appService.startDemo();
    if (!demo.ok) logger.error('demo did not start', { code: demo.error.code });
  }
  if (!startedHidden()) openWindow();
  else window = createMainWindow({ isQuitting: () => quitting, show: false });

  // The Electron spec reads the tray and the service through electronApp.evaluate.
  if (process.env.SEVERA_SYNC_E2E === '1')
    Object.assign(globalThis, { severaSync: { tray, service: appService } });

  let closed = false;
  app.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    closed = true;
    tray?.destroy();
    void appService.close().finally(() => app.quit());
  });
}
