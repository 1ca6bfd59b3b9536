// A recorder of the Electron main-process API, as much of it as main/app and electron-store
// use: it behaves like Electron where our code depends on it (events, the single ready, quit
// with will-quit that can be prevented, protocol handlers, menus with click handlers) and
// records what the app asked for. The test drives it over the IPC channel of child_process.fork:
// requests `{ id, cmd, ... }`, answers `{ id, result }` or `{ id, error }`.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { clearInterval, setImmediate, setInterval } from 'node:timers';
import { URL } from 'node:url';

/* global Request -- Node's fetch API, as Electron's protocol handlers receive it */

const mainScript = process.argv[1];
/** The app folder: the one with the package.json whose `main` Electron would run (`electron .`). */
const appPath = join(dirname(mainScript), '..', '..');
const pkg = JSON.parse(readFileSync(join(appPath, 'package.json'), 'utf8'));
const switchValue = (name) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? null;

export const recorded = {
  calls: [],
  schemes: [],
  protocolHandlers: new Map(),
  permissionRequest: null,
  permissionCheck: null,
  windows: [],
  trays: [],
  images: [],
  appMenu: null,
  notifications: [],
  dialogs: [],
  opened: [],
  ipc: new Map(),
  updater: [],
  dialogAnswer: 0,
};
const call = (name) => recorded.calls.push(name);
let ready = false;
/** Electron's event loop runs until quit; this stands in for it (cleared when the app quits). */
let alive = null;
let nextContentsId = 1;

class Contents extends EventEmitter {
  constructor() {
    super();
    this.id = nextContentsId++;
    this.mainFrame = { url: '' };
  }
  isDestroyed() {
    return false;
  }
  send() {}
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
}
const stranger = new Contents();

const paths = new Map();
class App extends EventEmitter {
  isPackaged = process.env.RECORDER_PACKAGED === '1';
  commandLine = {
    hasSwitch: (name) => process.argv.includes(`--${name}`) || switchValue(name) !== null,
    appendSwitch: () => undefined,
  };
  constructor() {
    super();
    const dataDir = switchValue('user-data-dir');
    if (dataDir) paths.set('userData', dataDir);
  }
  setPath(name, value) {
    call(`setPath:${name}`);
    paths.set(name, value);
  }
  getPath(name) {
    if (!paths.has(name)) throw new Error(`recorder: no path ${name}`);
    return paths.get(name);
  }
  getAppPath() {
    return appPath;
  }
  getVersion() {
    return pkg.version;
  }
  getName() {
    return pkg.productName;
  }
  getLocale() {
    return 'en-GB';
  }
  getPreferredSystemLanguages() {
    return ['en-GB'];
  }
  enableSandbox() {
    if (ready) throw new Error('recorder: enableSandbox after ready');
    call('enableSandbox');
  }
  setAppUserModelId(id) {
    call(`setAppUserModelId:${id}`);
  }
  requestSingleInstanceLock() {
    call('requestSingleInstanceLock');
    return true;
  }
  whenReady() {
    return new Promise((resolve) =>
      setImmediate(() => {
        ready = true;
        alive = setInterval(() => undefined, 60_000);
        this.emit('ready');
        resolve();
      }),
    );
  }
  getLoginItemSettings() {
    return { openAtLogin: false, wasOpenedAtLogin: false };
  }
  setLoginItemSettings(settings) {
    call(`setLoginItemSettings:${JSON.stringify(settings)}`);
  }
  quit() {
    call('quit');
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.emit('will-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.emit('quit');
    clearInterval(alive);
    // Electron ends here; what the app left running (servers, timers) would keep Node alive,
    // so the test sees an unclean quit as a process that does not exit.
    if (process.connected) process.disconnect();
  }
  exit(code) {
    call(`exit:${code}`);
    process.exitCode = code;
    if (process.connected) process.disconnect();
    process.exit(code);
  }
}
export const app = new App();

export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    if (ready) throw new Error('recorder: registerSchemesAsPrivileged after ready');
    recorded.schemes.push(...schemes);
  },
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler: (handler) => (recorded.permissionRequest = handler),
    setPermissionCheckHandler: (handler) => (recorded.permissionCheck = handler),
    protocol: {
      handle: (scheme, handler) => {
        if (!ready) throw new Error('recorder: protocol.handle before ready');
        recorded.protocolHandlers.set(scheme, handler);
      },
    },
  },
};

export class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new Contents();
    this.loaded = [];
    this.visible = false;
    this.bounds = { x: 10, y: 20, width: options.width, height: options.height };
    recorded.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url) {
    this.loaded.push(url);
    this.webContents.mainFrame.url = url;
    setImmediate(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  loadFile(file) {
    return this.loadURL(`file://${file}`);
  }
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  focus() {}
  restore() {}
  maximize() {}
  isMinimized() {
    return false;
  }
  isMaximized() {
    return false;
  }
  isDestroyed() {
    return false;
  }
  getBounds() {
    return this.bounds;
  }
}

class Image {
  constructor(path) {
    this.path = path;
    recorded.images.push(path);
  }
  setTemplateImage() {}
  isEmpty() {
    return false;
  }
}
export const nativeImage = { createFromPath: (path) => new Image(path) };

export class Tray extends EventEmitter {
  constructor(image) {
    super();
    this.images = [image.path];
    this.menu = null;
    this.tooltips = [];
    recorded.trays.push(this);
  }
  setToolTip(text) {
    this.tooltip = text;
    // Every tooltip shown, once each in order (a run's progress changes it twice a second).
    if (this.tooltips.at(-1) !== text) this.tooltips.push(text);
  }
  setImage(image) {
    this.images.push(image.path);
  }
  setContextMenu(menu) {
    this.menu = menu;
  }
  destroy() {
    this.destroyed = true;
  }
}

export const Menu = {
  buildFromTemplate: (template) => ({ items: template }),
  setApplicationMenu: (menu) => (recorded.appMenu = menu),
};

export class Notification extends EventEmitter {
  static isSupported = () => true;
  constructor(options) {
    super();
    recorded.notifications.push(options);
  }
  show() {}
}

export const shell = {
  openExternal: async (url) => void recorded.opened.push(url),
  openPath: async (path) => (recorded.opened.push(path), ''),
};

export const dialog = {
  showErrorBox(title, content) {
    recorded.dialogs.push({ kind: 'error', title, content });
    process.send?.({ event: 'error-box', title, content });
  },
  async showMessageBox(windowOrOptions, maybeOptions) {
    const options = maybeOptions ?? windowOrOptions;
    recorded.dialogs.push({ kind: 'message', message: options.message, detail: options.detail });
    return { response: recorded.dialogAnswer, checkboxChecked: false };
  },
};

export const powerMonitor = new EventEmitter();

export const ipcMain = {
  handle: (channel, handler) => recorded.ipc.set(channel, handler),
  on: () => undefined,
};

export const webContents = {
  fromId: (id) => recorded.windows.map((w) => w.webContents).find((c) => c.id === id),
};

const menuItems = (menu) =>
  (menu?.items ?? []).flatMap((item) => [item, ...menuItems({ items: item.submenu })]);
const labels = (menu) =>
  (menu?.items ?? []).map((item) =>
    item.submenu
      ? { label: item.label ?? item.role, items: labels({ items: item.submenu }) }
      : (item.label ?? item.role ?? item.type),
  );

const COMMANDS = {
  snapshot: () => ({
    calls: recorded.calls,
    schemes: recorded.schemes,
    protocols: [...recorded.protocolHandlers.keys()],
    windows: recorded.windows.map((w) => ({
      preload: w.options.webPreferences?.preload,
      webPreferences: w.options.webPreferences,
      icon: w.options.icon,
      loaded: w.loaded,
      visible: w.visible,
    })),
    trays: recorded.trays.map((t) => ({
      images: t.images,
      tooltip: t.tooltip,
      tooltips: t.tooltips,
      destroyed: Boolean(t.destroyed),
      menu: menuItems(t.menu)
        .filter((i) => i.id)
        .map((i) => ({ id: i.id, label: i.label, enabled: i.enabled })),
    })),
    images: recorded.images,
    appMenu: labels(recorded.appMenu),
    notifications: recorded.notifications,
    dialogs: recorded.dialogs,
    opened: recorded.opened,
    updater: recorded.updater,
    exposedInternals: 'severaSync' in globalThis,
  }),
  async fetch({ url }) {
    const handler = recorded.protocolHandlers.get(new URL(url).protocol.slice(0, -1));
    if (!handler) return { status: 'no handler' };
    const response = await handler(new Request(url));
    const body = await response.text();
    return { status: response.status, headers: Object.fromEntries(response.headers), body };
  },
  permission({ kind, permission, url, trusted }) {
    const contents = trusted ? recorded.windows[0].webContents : stranger;
    if (kind === 'check') return recorded.permissionCheck(contents, permission, url, {});
    return new Promise((resolve) =>
      recorded.permissionRequest(contents, permission, resolve, { requestingUrl: url }),
    );
  },
  navigate({ url }) {
    let prevented = false;
    recorded.windows[0].webContents.emit(
      'will-navigate',
      { preventDefault: () => (prevented = true) },
      url,
    );
    const opened = recorded.windows[0].webContents.windowOpenHandler({ url });
    return { prevented, opened };
  },
  'tray-click': ({ item }) =>
    menuItems(recorded.trays[0].menu)
      .find((i) => i.id === item)
      .click(),
  'menu-click': ({ item }) =>
    menuItems(recorded.appMenu)
      .find((i) => i.id === item)
      .click(),
  'close-window': () => {
    let prevented = false;
    recorded.windows[0].emit('close', { preventDefault: () => (prevented = true) });
    return { prevented, visible: recorded.windows[0].visible };
  },
  'dialog-answer': ({ response }) => void (recorded.dialogAnswer = response),
  /** A call from our window (`trusted`) or from another page, as ipcRenderer.invoke sends it. */
  invoke: ({ channel, args, trusted }) => {
    const sender = trusted ? recorded.windows[0].webContents : stranger;
    return recorded.ipc.get(channel)({ sender, senderFrame: sender.mainFrame }, ...args);
  },
};

process.on('message', async ({ id, cmd, ...args }) => {
  try {
    const result = await COMMANDS[cmd](args);
    process.send({ id, result: result ?? null });
  } catch (e) {
    process.send({ id, error: e instanceof Error ? e.message : String(e) });
  }
});
// The IPC channel alone must not keep the process alive: quitting decides that.
process.channel?.unref();

export default {
  app,
  protocol,
  session,
  BrowserWindow,
  nativeImage,
  Tray,
  Menu,
  Notification,
  shell,
  dialog,
  powerMonitor,
  ipcMain,
  webContents,
};
