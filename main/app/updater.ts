import type { Logger } from '../core/log';
import { scrub } from '../core/log';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface UpdaterHooks {
  logger: Logger;
  /** Asks the admin whether to download this version (a native dialog); false = later. */
  askToDownload(version: string): Promise<boolean>;
  /** Tells the admin a downloaded update is installed when the app quits. */
  downloaded(version: string): void;
}

/**
 * Updates from the release workflow's publishing target (electron-builder.yml `publish`),
 * through electron-updater: checked at start and once a day, downloaded only when the admin
 * agrees, installed when the app quits. main.ts starts it only in a packaged app outside the
 * demo (so never in development or in the tests). Returns the function that stops the checks.
 */
export async function startUpdateChecks(hooks: UpdaterHooks): Promise<() => void> {
  const { logger } = hooks;
  const module = await import('electron-updater');
  const autoUpdater = (module.default ?? module).autoUpdater;
  autoUpdater.autoDownload = false;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.logger = {
    info: (message?: unknown) => logger.info('updater', { message: scrub(String(message)) }),
    warn: (message?: unknown) => logger.warn('updater', { message: scrub(String(message)) }),
    error: (message?: unknown) => logger.error('updater', { message: scrub(String(message)) }),
  };
  autoUpdater.on('update-available', (info: { version: string }) => {
    void hooks.askToDownload(info.version).then((yes) => {
      logger.info('update available', { version: info.version, download: yes });
      if (yes) return autoUpdater.downloadUpdate();
    });
  });
  autoUpdater.on('update-downloaded', (info: { version: string }) =>
    hooks.downloaded(info.version),
  );
  const check = () =>
    autoUpdater
      .checkForUpdates()
      .catch((e: unknown) => logger.warn('update check failed', { error: scrub(String(e)) }));
  void check();
  const timer = setInterval(() => void check(), DAY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
