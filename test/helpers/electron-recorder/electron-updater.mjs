// The recorder of electron-updater's autoUpdater: counts the checks, finds no update.
import { EventEmitter } from 'node:events';
import { recorded } from './electron.mjs';

class AutoUpdater extends EventEmitter {
  autoDownload = true;
  autoInstallOnAppQuit = false;
  logger = null;
  async checkForUpdates() {
    recorded.updater.push({
      check: true,
      autoDownload: this.autoDownload,
      autoInstallOnAppQuit: this.autoInstallOnAppQuit,
    });
    return null;
  }
  async downloadUpdate() {
    recorded.updater.push({ download: true });
  }
}

export const autoUpdater = new AutoUpdater();
export default { autoUpdater };
