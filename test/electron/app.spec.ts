import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright';
import { expect, test } from 'playwright/test';
import type { AppStateDto, RendererApi, SyncStatusDto } from '../../preload/api';
import type { TrayMenuItem } from '../../main/core/service/tray-model';

/**
 * The desktop app end to end: start (demo mode, a temporary profile), the window's security,
 * the tray menu and Sync now from it. Needs the Electron binary, which cannot be downloaded in
 * our build environment: there the spec says why and skips.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const electronDist = join(root, 'node_modules', 'electron', 'dist');
const built =
  existsSync(join(root, 'dist', 'app', 'main.js')) &&
  existsSync(join(root, 'dist', 'preload', 'index.cjs'));
const skipReason = !existsSync(electronDist)
  ? 'Electron binary not installed (node_modules/electron/dist missing): skipping'
  : !built
    ? 'App not built (dist/app/main.js missing; run node scripts/build.mjs): skipping'
    : null;
if (skipReason) process.stdout.write(`${skipReason}\n`);

/** The page's `window.api` (inlined in each page.evaluate: those functions run in the page). */
type PageGlobal = { api: RendererApi };
interface E2eHook {
  severaSync: { tray: { items(): TrayMenuItem[]; click(id: string): void } };
}

async function until<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test.describe('Electron app', () => {
  test.describe.configure({ mode: 'serial' });
  test.skip(skipReason !== null, skipReason ?? '');
  let profile: string;
  let app: ElectronApplication;
  let page: Page;

  test.beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), 'severa-sync-electron-'));
    app = await electron.launch({
      executablePath: join(
        electronDist,
        process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron',
      ),
      args: [root, `--user-data-dir=${profile}`, '--demo'],
      env: { ...process.env, SEVERA_SYNC_PROFILE: profile, SEVERA_SYNC_E2E: '1', NODE_ENV: 'test' },
      timeout: 60_000,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  test.afterAll(async () => {
    await app?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  test('starts with an isolated window that exposes only window.api (no require, no process)', async () => {
    const pageGlobals = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      api: Object.keys((globalThis as unknown as PageGlobal).api).sort(),
    }));
    expect(pageGlobals.require).toBe('undefined');
    expect(pageGlobals.process).toBe('undefined');
    expect(pageGlobals.api).toContain('syncNow');
    expect(pageGlobals.api).toContain('on');
  });

  test('runs the demo company against the in-process sandboxes', async () => {
    const state = await until(
      () => page.evaluate(() => (globalThis as unknown as PageGlobal).api.getState()),
      (s: AppStateDto) => s.demo && s.google.keyStored && s.severa.secretStored,
    );
    expect(state.nonRealEndpoints.length).toBe(3);
  });

  test('shows the tray menu and syncs from its Sync now item', async () => {
    const items = await app.evaluate(() =>
      (globalThis as unknown as E2eHook).severaSync.tray.items(),
    );
    expect(items.map((i) => i.id)).toEqual(['last-result', 'sync-now', 'open', 'pause', 'quit']);
    await app.evaluate(() => (globalThis as unknown as E2eHook).severaSync.tray.click('sync-now'));
    const status = await until(
      () => page.evaluate(() => (globalThis as unknown as PageGlobal).api.getStatus()),
      (s: SyncStatusDto) => !s.running && Boolean(s.lastRun?.summary),
      90_000,
    );
    expect(status.lastRun?.summary?.toGoogle.created).toBeGreaterThan(0);
    const after = await app.evaluate(() =>
      (globalThis as unknown as E2eHook).severaSync.tray.items(),
    );
    expect(after[0]?.label).toMatch(/✓|⚠/);
  });
});
