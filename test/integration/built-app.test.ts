import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../main/app/security';
import { BuiltApp, type Snapshot } from '../helpers/built-app';

/**
 * The shipped bundle, not the sources: dist/app/main.js runs under Node with `electron`
 * resolved to a recorder of its API (test/helpers/electron-recorder), the whole core and the
 * demo sandboxes real. It proves every file Electron would open exists, the shell's security
 * wiring, the demo company, Sync now from the tray changing the sandbox calendars, and a clean
 * quit; and, packaged, that the test hooks are inert; and that a failing start is reported.
 */
interface Fetched {
  status: number;
  headers: Record<string, string>;
  body: string;
}
interface Settings {
  google: { apiRoot: string; testUser: string };
}

const listAll = async (settings: Settings): Promise<unknown[]> => {
  const response = await fetch(new URL('/_sandbox/listAll', settings.google.apiRoot), {
    method: 'POST',
    body: JSON.stringify([settings.google.testUser]),
  });
  return ((await response.json()) as { result: unknown[] }).result;
};

describe('the built app in demo mode (dist/app/main.js on a recorded Electron)', () => {
  let app: BuiltApp;
  let ready: Snapshot;
  const demoSettings = () =>
    JSON.parse(readFileSync(join(app.profile, 'demo', 'settings.json'), 'utf8')) as Settings;

  beforeAll(async () => {
    // --no-sandbox: as the AppImage's launcher passes it where user namespaces are restricted.
    app = new BuiltApp({ args: ['--demo', '--no-sandbox'] });
    ready = await app.until(app.snapshot, (s) => s.windows.length === 1 && s.trays.length === 1);
  });
  afterAll(() => app.dispose());

  it('opens only files that exist: preload, renderer entry and its assets, icons', async () => {
    const [window] = ready.windows;
    expect(existsSync(window!.preload)).toBe(true);
    expect(window!.preload).toMatch(/\.cjs$/);
    for (const image of [window!.icon, ...ready.images]) expect(existsSync(image)).toBe(true);
    expect(ready.images.length).toBeGreaterThan(0);
    expect(window!.loaded).toEqual(['app://renderer/index.html']);

    const entry = await app.send<Fetched>('fetch', { url: window!.loaded[0] });
    expect(entry.status).toBe(200);
    expect(entry.headers['content-type']).toMatch(/^text\/html/);
    expect(entry.body).toContain(`content="${CONTENT_SECURITY_POLICY}"`);
    const assets = [...entry.body.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      const fetched = await app.send<Fetched>('fetch', { url: `app://renderer/${asset}` });
      expect(fetched.status, asset).toBe(200);
    }
    for (const outside of [
      'app://renderer/../package.json',
      'app://renderer/%2e%2e/%2e%2e/package.json',
    ])
      expect((await app.send<Fetched>('fetch', { url: outside })).status).toBe(404);
  });

  it('serves the renderer with the CSP header, from a privileged app:// scheme', async () => {
    const entry = await app.send<Fetched>('fetch', { url: 'app://renderer/index.html' });
    const csp = entry.headers['content-security-policy']!;
    for (const directive of [
      "default-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ])
      expect(csp).toContain(directive);
    expect(ready.schemes).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
    expect(ready.protocols).toEqual(['app']);
    expect(ready.calls).toEqual(
      expect.arrayContaining(['enableSandbox', 'requestSingleInstanceLock']),
    );
    expect(ready.windows[0]!.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
    });
  });

  it('grants the clipboard write to our own page only, and nothing else to anyone', async () => {
    const ask = (kind: string, permission: string, url: string, trusted: boolean) =>
      app.send<boolean>('permission', { kind, permission, url, trusted });
    for (const kind of ['request', 'check']) {
      expect(await ask(kind, 'clipboard-sanitized-write', 'app://renderer/index.html', true)).toBe(
        true,
      );
      expect(await ask(kind, 'clipboard-sanitized-write', 'app://renderer/', false)).toBe(false);
      expect(await ask(kind, 'clipboard-sanitized-write', 'https://evil.example/', true)).toBe(
        false,
      );
      for (const permission of ['clipboard-read', 'notifications', 'media', 'geolocation'])
        expect(await ask(kind, permission, 'app://renderer/index.html', true)).toBe(false);
    }
  });

  it('blocks navigation and new windows; allowed links go to the browser', async () => {
    const evil = await app.send<{ prevented: boolean; opened: { action: string } }>('navigate', {
      url: 'https://evil.example/',
    });
    expect(evil).toEqual({ prevented: true, opened: { action: 'deny' } });
    await app.send('navigate', { url: 'https://admin.google.com/ac/owl/domainwidedelegation' });
    expect((await app.snapshot()).opened).toEqual([
      'https://admin.google.com/ac/owl/domainwidedelegation',
    ]);
  });

  it('asks in a native dialog before the renderer moves an endpoint to an unknown host', async () => {
    await app.send('dialog-answer', { response: 0 });
    const url = 'https://severa-proxy.example.fi/rest-api';
    const refused = await app.send<{ ok: boolean; error: { code: string } }>('invoke', {
      channel: 'updateSettings',
      args: [{ severa: { apiRoot: url } }],
      trusted: true,
    });
    expect(refused.error.code).toBe('endpoint-refused');
    const { dialogs } = await app.snapshot();
    expect(dialogs.at(-1)).toMatchObject({
      kind: 'message',
      message: expect.stringContaining(url),
    });
    await expect(
      app.send('invoke', { channel: 'getState', args: [], trusted: false }),
    ).rejects.toThrow('Untrusted sender');
  });

  it('says so at start when the Chromium sandbox is off (--no-sandbox)', async () => {
    expect((await app.snapshot()).dialogs).toContainEqual(
      expect.objectContaining({
        kind: 'message',
        message: expect.stringContaining('without the Chromium sandbox'),
      }),
    );
  });

  it('has an application menu with Edit, Window, Help and Quit in the window', () => {
    expect(JSON.stringify(ready.appMenu)).toContain('"Quit"');
    expect(ready.appMenu).toEqual([
      { label: 'File', items: ['Quit'] },
      {
        label: 'Edit',
        items: ['Undo', 'Redo', 'separator', 'Cut', 'Copy', 'Paste', 'Select all'],
      },
      { label: 'Window', items: ['Minimize', expect.stringContaining('Close the window')] },
      {
        label: 'Help',
        items: [
          expect.stringContaining('documentation'),
          expect.any(String),
          'Open the log folder',
        ],
      },
    ]);
  });

  it('closing the window hides it to the tray, with a one-time hint', async () => {
    expect(await app.send('close-window')).toEqual({ prevented: true, visible: false });
    expect(await app.send('close-window')).toEqual({ prevented: true, visible: false });
    const hints = (await app.snapshot()).notifications.filter((n) => /tray/.test(n.body));
    expect(hints).toHaveLength(1);
  });

  it('runs Sync now from the tray menu and the sandbox calendars change', async () => {
    const before = await listAll(demoSettings());
    const tray = (s: Snapshot) => s.trays[0]!.menu;
    expect(tray(ready).map((i) => i.id)).toEqual([
      'last-result',
      'sync-now',
      'open',
      'pause',
      'quit',
    ]);
    await app.send('tray-click', { item: 'sync-now' });
    const done = await app.until(app.snapshot, (s) => /✓|⚠/.test(tray(s)[0]!.label), 90_000);
    expect(tray(done)[0]!.label).toMatch(/^Last sync \d\d:\d\d: ✓ \d+ changes$/);
    // The tooltip showed the run's progress while it went on, then the result.
    const tooltips = done.trays[0]!.tooltips;
    expect(tooltips).toContainEqual(
      expect.stringMatching(
        /^Severa Calendar Sync — \d+ of \d+ users · → Google \d+, → Severa \d+ · /,
      ),
    );
    expect(tooltips.at(-1)).toBe(`Severa Calendar Sync — ${tray(done)[0]!.label}`);
    expect((await listAll(demoSettings())).length).toBeGreaterThan(before.length);
    expect(done.updater).toEqual([]); // never in development
    expect(done.exposedInternals).toBe(false); // SEVERA_SYNC_E2E is not set
  });

  it('quits cleanly from File → Quit: the service and the sandboxes close, the process exits', async () => {
    const settings = demoSettings();
    await app.send('menu-click', { item: 'quit' });
    expect(await app.exited).toBe(0);
    await expect(listAll(settings)).rejects.toThrow();
    expect(app.debugLog()).not.toMatch(/"level":"error"/);
  });
});

describe('the built app, packaged', () => {
  let app: BuiltApp;

  beforeAll(async () => {
    app = new BuiltApp({
      env: {
        RECORDER_PACKAGED: '1',
        SEVERA_SYNC_E2E: '1',
        SEVERA_SYNC_DEMO: '1',
        XDG_CONFIG_HOME: join(process.env.TMPDIR ?? '/tmp', 'built-app-xdg'),
      },
    });
    await app.until(app.snapshot, (s) => s.windows.length === 1 && s.updater.length > 0);
  });
  afterAll(() => app.dispose());

  it('ignores the test hooks, has no devtools, and checks for updates without downloading', async () => {
    const snapshot = await app.snapshot();
    expect(snapshot.exposedInternals).toBe(false);
    expect(snapshot.windows[0]!.webPreferences.devTools).toBe(false);
    const state = await app.send<{ demo: boolean }>('invoke', {
      channel: 'getState',
      args: [],
      trusted: true,
    });
    expect(state.demo).toBe(false);
    expect(existsSync(join(app.profile, 'demo'))).toBe(false);
    expect(snapshot.updater[0]).toEqual({
      check: true,
      autoDownload: false,
      autoInstallOnAppQuit: true,
    });
    await app.send('menu-click', { item: 'quit' });
    expect(await app.exited).toBe(0);
  });
});

describe('the built app when libsql cannot be loaded', () => {
  it('writes the failure to the log, shows it in an error dialog and exits with 1', async () => {
    const app = new BuiltApp({ args: ['--demo'], env: { RECORDER_BREAK: 'libsql' } });
    try {
      expect(await app.exited).toBe(1);
      expect(app.debugLog()).toMatch(/"message":"start failed".*libsql/);
      // The dialog went to the parent as an event before the exit; the log names the same cause.
      expect(app.errorBoxes.join('\n')).toContain('libsql');
    } finally {
      await app.dispose();
    }
  });
});
