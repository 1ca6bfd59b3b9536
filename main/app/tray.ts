import { Menu, Tray, nativeImage } from 'electron';
import { join } from 'node:path';
import type { SyncProgressDto, SyncStatusDto } from '../../preload/api';
import type { Language } from '../core/localized';
import {
  trayImageFile,
  trayMenuModel,
  trayToolTip,
  type TrayAction,
  type TrayMenuItem,
  type TrayState,
} from '../core/service/tray-model';

const IDLE_STATUS: SyncStatusDto = {
  state: 'idle',
  running: false,
  lastRun: null,
  nextRunAt: null,
  held: [],
};

/**
 * The tray icon and its menu. Held by main.ts for the app's lifetime (a tray referenced only
 * from a local variable can be garbage-collected and vanish). On Linux the menu is the only
 * interaction (AppIndicator ignores clicks), so the menu is set again on every change.
 */
export class AppTray {
  private readonly tray: Tray;
  private status: SyncStatusDto = IDLE_STATUS;
  private shownState: TrayState | null = null;

  constructor(
    private readonly assetsDir: string,
    private readonly actions: Record<TrayAction, () => void>,
    private readonly language: () => Language,
  ) {
    this.tray = new Tray(this.image('idle'));
    this.tray.setToolTip('Severa Calendar Sync');
    this.tray.on('click', () => this.actions.open());
    this.render();
  }

  update(status: SyncStatusDto): void {
    this.status = status;
    this.render();
  }

  /** A run's progress: only the tooltip changes (the menu is not rebuilt twice a second). */
  progress(progress: SyncProgressDto): void {
    this.status = { ...this.status, progress };
    this.tray.setToolTip(this.toolTip());
  }

  /** The tooltip as shown (the Electron spec reads it through electronApp.evaluate). */
  toolTip(): string {
    return trayToolTip(this.status, this.language());
  }

  /** The menu as shown (the Electron spec reads it through electronApp.evaluate). */
  items(): TrayMenuItem[] {
    return trayMenuModel(this.status, this.language());
  }

  click(id: TrayAction): void {
    this.actions[id]();
  }

  destroy(): void {
    this.tray.destroy();
  }

  private image(state: TrayState) {
    const image = nativeImage.createFromPath(
      join(this.assetsDir, 'tray', trayImageFile(state, process.platform)),
    );
    if (process.platform === 'darwin') image.setTemplateImage(true);
    return image;
  }

  private render(): void {
    if (this.shownState !== this.status.state) {
      this.tray.setImage(this.image(this.status.state));
      this.shownState = this.status.state;
    }
    const items = this.items();
    this.tray.setToolTip(this.toolTip());
    this.tray.setContextMenu(
      Menu.buildFromTemplate(
        items.flatMap((item, index) => [
          ...(index === 1 || item.id === 'quit' ? [{ type: 'separator' as const }] : []),
          {
            id: item.id,
            label: item.label,
            enabled: item.enabled,
            click: item.id === 'last-result' ? undefined : () => this.click(item.id as TrayAction),
          },
        ]),
      ),
    );
  }
}
