import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TrayMenuItem } from '../../main/core/service/tray-model';

/**
 * main/app/main.ts run for real (the whole service, the demo sandboxes, the engine), with only
 * the Electron modules replaced by recorders: the Electron binary cannot run here. It shows the
 * shell's wiring — security hooks, window, close-to-tray, single instance, tray menu, Sync now
 * from the tray — where the Electron spec (test/electron) cannot run.
 */
const shell = await vi.hoisted(async () => {
  // vi.hoisted runs before the imports above: it loads what it needs itself.
  const { EventEmitter: Emitter } = await import('node:events');
  const recorded = {
    calls: [] as string[],
    windows: [] as (InstanceType<typeof Emitter> & Record<string, unknown>)[],
    opened: [] as string[],
    notifications: [] as { title: string; body: string }[],
    permissionHandler: null as null | ((c: unknown, p: string, cb: (ok: boolean) => void) => void),
    headersHandler: null as
      null | ((d: { responseHeaders: Record<string, string[]> }, cb: (r: unknown) => void) => void),
    menus: [] as string[][],
  };
  const app = Object.assign(new Emitter(), {
    commandLine: { hasSwitch: () => false },
    setPath: (key: string) => recorded.calls.push(`setPath:${key}`),
    getPath: () => process.env.SEVERA_SYNC_PROFILE as string,
    enableSandbox: () => recorded.calls.push('enableSandbox'),
    requestSingleInstanceLock: () => (recorded.calls.push('requestSingleInstanceLock'), true),
    whenReady: async () => undefined,
    getPreferredSystemLanguages: () => ['en-GB'],
    getLocale: () => 'en-GB',
    getVersion: () => '0.1.0',
    isPackaged: false,
    getAppPath: () => process.cwd(),
    quit: () => recorded.calls.push('quit'),
    exit: (code: number) => recorded.calls.push(`exit:${code}`),
    getLoginItemSettings: () => ({ wasOpenedAtLogin: false }),
    setLoginItemSettings: () => undefined,
  });
  class BrowserWindow extends Emitter {
    visible = false;
    webContents: InstanceType<typeof Emitter> & { id: number; mainFrame: object };
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      super();
      this.webContents = Object.assign(new Emitter(), {
        id: 7,
        mainFrame: {},
        isDestroyed: () => false,
        send: () => undefined,
      });
      recorded.windows.push(this as never);
    }
    loadFile(file: string) {
      recorded.calls.push(`loadFile:${file.split(/[\\/]/).slice(-2).join('/')}`);
      setTimeout(() => this.emit('ready-to-show'), 0);
      return Promise.resolve();
    }
    show() {
      this.visible = true;
    }
    hide() {
      this.visible = false;
    }
    focus() {}
    restore() {}
    isMinimized() {
      return false;
    }
    isDestroyed() {
      return false;
    }
  }
  class Tray {
    constructor(readonly image: { path: string }) {}
    setToolTip() {}
    on() {}
    setImage() {}
    setContextMenu(menu: { items: { label?: string }[] }) {
      recorded.menus.push(menu.items.flatMap((i) => (i.label ? [i.label] : [])));
    }
    destroy() {}
  }
  class Notification extends Emitter {
    static isSupported = () => true;
    constructor(options: { title: string; body: string }) {
      super();
      recorded.notifications.push(options);
    }
    show() {}
  }
  const electron = {
    app,
    BrowserWindow,
    Tray,
    Notification,
    Menu: { buildFromTemplate: (items: unknown[]) => ({ items }) },
    nativeImage: {
      createFromPath: (path: string) => ({ path, setTemplateImage: () => undefined }),
    },
    shell: { openExternal: async (url: string) => void recorded.opened.push(url) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof recorded.permissionHandler) =>
          (recorded.permissionHandler = h),
        setPermissionCheckHandler: () => undefined,
        webRequest: {
          onHeadersReceived: (h: typeof recorded.headersHandler) => (recorded.headersHandler = h),
        },
      },
    },
    ipcMain: { handle: (channel: string) => recorded.calls.push(`handle:${channel}`) },
    webContents: { fromId: () => undefined },
  };
  return { recorded, electron };
});

vi.mock('electron', () => shell.electron);

interface Hook {
  severaSync?: { tray: { items(): TrayMenuItem[]; click(id: string): void } };
}
const hook = () => (globalThis as Hook).severaSync;

async function until(ok: () => boolean, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the Electron shell (main/app/main.ts) on recorded Electron modules', () => {
  const { recorded, electron } = shell;
  let profile: string;

  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), 'app-shell-'));
    Object.assign(process.env, {
      SEVERA_SYNC_PROFILE: profile,
      SEVERA_SYNC_E2E: '1',
      SEVERA_SYNC_DEMO: '1',
    });
    await import('../../main/app/main');
    await until(() => hook() !== undefined);
  });

  afterAll(async () => {
    electron.app.emit('will-quit', { preventDefault: () => undefined });
    await until(() => recorded.calls.includes('quit'));
    delete (globalThis as Hook).severaSync;
    for (const key of ['SEVERA_SYNC_PROFILE', 'SEVERA_SYNC_E2E', 'SEVERA_SYNC_DEMO'])
      delete process.env[key];
    rmSync(profile, { recursive: true, force: true });
  });

  it('sets up the profile, the sandbox, the single-instance lock and every IPC channel', () => {
    expect(recorded.calls).toEqual(
      expect.arrayContaining([
        'setPath:userData',
        'enableSandbox',
        'requestSingleInstanceLock',
        'handle:syncNow',
        'handle:getState',
        'loadFile:renderer/index.html',
      ]),
    );
    const [window] = recorded.windows;
    expect(window?.options).toMatchObject({
      webPreferences: {
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        webSecurity: true,
      },
    });
  });

  it('denies permissions, sends the CSP header, blocks navigation and new windows', () => {
    let granted: boolean | null = null;
    recorded.permissionHandler?.(null, 'notifications', (ok) => (granted = ok));
    expect(granted).toBe(false);
    let headers: unknown = null;
    recorded.headersHandler?.({ responseHeaders: { a: ['b'] } }, (r) => (headers = r));
    expect(headers).toMatchObject({
      responseHeaders: {
        a: ['b'],
        'Content-Security-Policy': [expect.stringContaining("default-src 'self'")],
      },
    });

    let openHandler: ((d: { url: string }) => { action: string }) | null = null;
    const contents = Object.assign(new EventEmitter(), {
      setWindowOpenHandler: (h: typeof openHandler) => (openHandler = h),
    });
    electron.app.emit('web-contents-created', {}, contents);
    let prevented = false;
    contents.emit(
      'will-navigate',
      { preventDefault: () => (prevented = true) },
      'https://evil.example/',
    );
    expect(prevented).toBe(true);
    expect(openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'https://admin.google.com/ac/owl/domainwidedelegation' })).toEqual({
      action: 'deny',
    });
    expect(recorded.opened).toEqual(['https://admin.google.com/ac/owl/domainwidedelegation']);
  });

  it('close hides to the tray; a second start shows the window again; Quit lets it close', () => {
    const window = recorded.windows[0]!;
    window.emit('ready-to-show');
    expect(window.visible).toBe(true);
    let prevented = false;
    window.emit('close', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(window.visible).toBe(false);
    electron.app.emit('second-instance');
    expect(window.visible).toBe(true);
  });

  it('the tray menu offers Sync now, which runs the engine on the demo company and shows the result', async () => {
    expect(
      hook()!
        .tray.items()
        .map((i) => i.id),
    ).toEqual(['last-result', 'sync-now', 'open', 'pause', 'quit']);
    hook()!.tray.click('sync-now');
    await until(() => /✓|⚠/.test(hook()!.tray.items()[0]!.label));
    expect(hook()!.tray.items()[0]!.label).toMatch(/^Last sync \d\d:\d\d: ✓ \d+ changes$/);
    expect(recorded.menus.at(-1)).toEqual([
      expect.stringMatching(/^Last sync/),
      'Sync now',
      'Open',
      'Pause background sync',
      'Quit',
    ]);
    hook()!.tray.click('pause');
    await until(() => hook()!.tray.items()[3]!.id === 'resume');
    expect(recorded.notifications).toEqual([]);
  });
});
