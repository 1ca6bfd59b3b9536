import { BrowserWindow, Menu, app, dialog, powerMonitor, protocol, session, shell } from 'electron';
import { mkdirSync } from 'node:fs';
import type { ApiEvents, EventChannel } from '../../preload/api';
import type { Language } from '../core/localized';
import { createLogger, scrub, type Logger } from '../core/log';
import { createAppService, type AppService } from '../core/service/app-service';
import { coreBackends } from '../core/service/core-backends';
import type { EndpointSetting } from '../core/service/endpoint-policy';
import { isAllowedExternalUrl } from '../core/service/link-allowlist';
import { defaultProfileDir, profilePaths } from '../core/store/profile';
import { KeychainSecretStore } from '../core/store/keychain';
import { FileSettingsStore } from '../core/store/settings';
import { loadLibsql } from '../core/sync/state';
import { appMenuTemplate } from './app-menu';
import { applyStartAtLogin, startedHidden } from './autostart';
import { isTrustedContents, registerIpcHandlers, sendEvent } from './ipc';
import { ErrorNotifier } from './notifications';
import { appPaths } from './paths';
import { APP_SCHEME, rendererResponse } from './renderer-protocol';
import { allowsPermission, testHooks } from './security';
import { openShellState } from './shell-state';
import { AppTray } from './tray';
import { startUpdateChecks } from './updater';
import { createMainWindow, showWindow } from './window';

/**
 * The Electron shell: lifecycle, single instance, security hooks, and the wiring of the
 * service (main/core/service) to IPC, the tray, the menu, notifications and updates.
 * Everything with logic lives in core or in Electron-free modules beside this one.
 */

/** The installer's id (electron-builder.yml appId): Windows groups notifications under it. */
const APP_USER_MODEL_ID = 'fi.severa-calendar-sync.app';

// Before ready: app:// is a standard, secure origin for the renderer (fetch, storage, CSP 'self').
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

let logger: Logger | null = null;

/** A start that fails is written to the log and shown in a dialog: never a silent exit. */
function startupFailed(e: unknown): void {
  const detail = scrub(e instanceof Error ? (e.stack ?? e.message) : String(e));
  logger?.error('start failed', { error: detail });
  const where = logger ? `\n\n${profilePaths(app.getPath('userData')).debugLog}` : '';
  dialog.showErrorBox(
    'Severa Calendar Sync could not start / ei käynnistynyt',
    `${scrub(e instanceof Error ? e.message : String(e))}${where}`,
  );
  app.exit(1);
}

const hooks = testHooks(app.isPackaged, process.env);
let window: BrowserWindow | null = null;
let tray: AppTray | null = null;
let quitting = false;

const openWindow = () => showWindow(window);

function listen(log: Logger): void {
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
      log.warn('blocked navigation', { url: scrub(url) });
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isAllowedExternalUrl(url)) void shell.openExternal(url);
      else log.warn('blocked a new window', { url: scrub(url) });
      return { action: 'deny' };
    });
  });
  app
    .whenReady()
    .then(() => start(log))
    .catch(startupFailed);
}

function systemLanguage(): 'fi' | 'en' {
  return app.getPreferredSystemLanguages().some((l) => l.toLowerCase().startsWith('fi')) ||
    app.getLocale().startsWith('fi')
    ? 'fi'
    : 'en';
}

async function start(log: Logger): Promise<void> {
  const profileDir = app.getPath('userData');
  const paths = profilePaths(profileDir);
  // The engine opens its database only at the first run: a missing native binary is reported
  // now, in the start-up dialog, not as a failed run in the tray.
  loadLibsql();
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((contents, permission, callback, details) =>
    callback(
      allowsPermission(permission, {
        trusted: isTrustedContents(contents),
        url: details.requestingUrl,
      }),
    ),
  );
  ses.setPermissionCheckHandler((contents, permission, requestingOrigin) =>
    allowsPermission(permission, {
      trusted: contents !== null && isTrustedContents(contents),
      url: requestingOrigin,
    }),
  );
  ses.protocol.handle(APP_SCHEME, (request) =>
    rendererResponse(new URL(request.url).pathname, appPaths.rendererDir),
  );

  const settings = new FileSettingsStore(paths.settings);
  const sysLanguage = systemLanguage();
  const language = (): Language => {
    const chosen = settings.get().app.language;
    return chosen === 'system' ? sysLanguage : chosen;
  };
  const shellState = openShellState(profileDir, app.getVersion(), log);
  const notifier = new ErrorNotifier(language, openWindow);
  let startAtLogin = settings.get().app.startAtLogin;
  let lastFinishedAt: string | null = null;

  const onEvent = <E extends EventChannel>(event: E, payload: ApiEvents[E]) => {
    sendEvent(event, payload);
    if (event === 'sync-progress') tray?.progress(payload as ApiEvents['sync-progress']);
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
        applyStartAtLogin(startAtLogin, log);
      }
    }
  };

  /** The main process's own question before an endpoint moves to an unknown https host. */
  const confirmEndpoint = async (setting: EndpointSetting, url: string): Promise<boolean> => {
    const fi = language() === 'fi';
    const options = {
      type: 'warning' as const,
      buttons: fi ? ['Peruuta', 'Käytä tätä osoitetta'] : ['Cancel', 'Use this address'],
      defaultId: 0,
      cancelId: 0,
      message: fi
        ? `Lähetetäänkö tunnukset osoitteeseen ${url}?`
        : `Send the credentials to ${url}?`,
      detail: fi
        ? `Asetus ${setting} ei osoita Googlen tai Severan omaan palveluun. Sovellus lähettää sinne allekirjoitetun tunnuspyynnön tai Severan asiakassalaisuuden. Hyväksy vain, jos tunnet palvelimen.`
        : `${setting} does not point at Google's or Severa's own service. The app sends the signed token request or the Severa client secret there. Accept only if you know this server.`,
    };
    const { response } = window
      ? await dialog.showMessageBox(window, options)
      : await dialog.showMessageBox(options);
    log.warn('endpoint confirmation', { setting, url: scrub(url), accepted: response === 1 });
    return response === 1;
  };

  const service: AppService = createAppService({
    profileDir,
    secrets: new KeychainSecretStore(profileDir),
    settings,
    logger: log,
    version: app.getVersion(),
    systemLanguage: sysLanguage,
    openExternal: (url) => shell.openExternal(url),
    onEvent,
    backends: coreBackends,
    confirmEndpoint,
  });
  registerIpcHandlers(service, log);

  const setPaused = (paused: boolean) =>
    void service.updateSettings({ app: { backgroundPaused: paused } });
  const quit = () => app.quit();
  tray = new AppTray(
    appPaths.assets(),
    {
      'sync-now': () => void service.syncNow(),
      open: openWindow,
      pause: () => setPaused(true),
      resume: () => setPaused(false),
      quit,
    },
    language,
  );
  tray.update(await service.getStatus());
  const setMenu = () =>
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        appMenuTemplate(process.platform, language(), {
          quit,
          openUrl: (url) => void shell.openExternal(url),
          openLogFolder: () => void shell.openPath(paths.logs),
        }),
      ),
    );
  setMenu();
  applyStartAtLogin(startAtLogin, log);

  const demo = process.argv.includes('--demo') || hooks.demoFromEnv;
  if (demo) {
    const started = await service.startDemo();
    if (!started.ok) log.error('demo did not start', { code: started.error.code });
  }
  window = createMainWindow({
    isQuitting: () => quitting,
    show: !startedHidden(),
    shellState,
    onHiddenToTray: () => {
      if (shellState.get('trayHintShown')) return;
      shellState.set('trayHintShown', true);
      notifier.stillRunning();
    },
    onSessionEnd: quit,
  });
  // Linux and macOS announce a shutdown or logout here (Windows: the window's session-end).
  powerMonitor.on('shutdown', quit);

  const stopUpdates =
    app.isPackaged && !demo && !settings.get().app.demo
      ? await startUpdateChecks({
          logger: log,
          askToDownload: async (version) => {
            if ((await service.getState()).demo) return false;
            const fi = language() === 'fi';
            const { response } = await dialog.showMessageBox({
              type: 'info',
              buttons: fi ? ['Myöhemmin', 'Lataa'] : ['Later', 'Download'],
              defaultId: 1,
              cancelId: 0,
              message: fi
                ? `Severa Calendar Sync ${version} on saatavilla.`
                : `Severa Calendar Sync ${version} is available.`,
              detail: fi
                ? 'Ladataanko se nyt? Se asennetaan, kun lopetat sovelluksen.'
                : 'Download it now? It is installed when you quit the app.',
            });
            return response === 1;
          },
          downloaded: (version) => notifier.updateReady(version),
        }).catch((e: unknown) => {
          log.warn('updates are off', { error: scrub(String(e)) });
          return () => undefined;
        })
      : () => undefined;

  // The AppImage's launcher adds --no-sandbox where user namespaces are restricted (Ubuntu
  // 24.04+ without an AppArmor profile): the app still runs, and says so at every start.
  if (app.commandLine.hasSwitch('no-sandbox')) {
    log.warn('running without the Chromium sandbox (--no-sandbox)');
    const fi = language() === 'fi';
    void dialog.showMessageBox({
      type: 'warning',
      message: fi
        ? 'Severa Calendar Sync toimii ilman Chromiumin hiekkalaatikkoa.'
        : 'Severa Calendar Sync is running without the Chromium sandbox.',
      detail: fi
        ? 'Järjestelmä rajoittaa käyttäjänimiavaruuksia (Ubuntu 24.04 ja uudemmat), joten AppImage käynnistyi valitsimella --no-sandbox. Asenna .deb-paketti (se asentaa AppArmor-profiilin) tai lisää AppArmor-profiili tälle AppImagelle; ohje on README-tiedostossa.'
        : 'This system restricts user namespaces (Ubuntu 24.04 and later), so the AppImage started with --no-sandbox. Install the .deb package (it installs an AppArmor profile) or add an AppArmor profile for this AppImage; the README says how.',
    });
  }

  // The Electron spec reads the tray and the service through electronApp.evaluate.
  if (hooks.exposeInternals) Object.assign(globalThis, { severaSync: { tray, service } });

  let closed = false;
  app.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    closed = true;
    stopUpdates();
    tray?.destroy();
    void service
      .close()
      .catch((e: unknown) => log.error('close failed', { error: scrub(String(e)) }))
      .finally(() => app.quit());
  });
}

try {
  if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
  // A profile given as --user-data-dir (tests, a second company) wins; else the CLI's default,
  // so the app and the CLI share settings, sync state and logs.
  if (!app.commandLine.hasSwitch('user-data-dir')) app.setPath('userData', defaultProfileDir());
  mkdirSync(profilePaths(app.getPath('userData')).logs, { recursive: true });
  logger = createLogger(profilePaths(app.getPath('userData')).debugLog, 'app');
  app.enableSandbox();
  // Two instances would run two engines against the same calendars: a second start focuses the first.
  if (!app.requestSingleInstanceLock()) app.quit();
  else listen(logger);
} catch (e) {
  startupFailed(e);
}
