/**
 * The built renderer in Debian's Chromium, wired to a service through Playwright bindings: the
 * browser-test stand-in for the Electron preload. The browser is Playwright Test's `browser`
 * fixture (Debian's Chromium, configured in playwright.config.ts); each app gets its own context,
 * so traces and failure screenshots are recorded for it. `window.api` is built by the very same
 * `createRendererApi` the preload uses (bundled with esbuild into the init script); requests go
 * through the `__scsInvoke` binding to `service.dispatch`, events come back through
 * `page.evaluate`, so the renderer cannot tell the difference.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright';
import type { ApiEvents, EventChannel, Result } from '../../preload/api';
import { rendererResponse } from '../../main/app/renderer-protocol';
import { silentLogger } from '../../main/core/log';
import {
  startGoogleSandbox,
  type DemoGoogleInfo,
  type GoogleSandbox,
} from '../../main/core/sandbox/google-sandbox';
import { startSeveraSandbox, type SeveraSandbox } from '../../main/core/sandbox/severa-sandbox';
import {
  createAppService,
  demoActivityTypeChoice,
  type AppService,
} from '../../main/core/service/app-service';
import { coreBackends } from '../../main/core/service/core-backends';
import { KeychainSecretStore } from '../../main/core/store/keychain';
import { profilePaths } from '../../main/core/store/profile';
import { FileSettingsStore } from '../../main/core/store/settings';

const ROOT = resolve(import.meta.dirname, '../..');
const RENDERER_DIST = join(ROOT, 'dist/renderer');

/**
 * Serves dist/renderer on 127.0.0.1, on a port the OS picks, through the app's own app://
 * handler (main/app/renderer-protocol.ts): the same files, types and CSP header as in Electron.
 */
async function serveRenderer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    void rendererResponse(pathname, RENDERER_DIST).then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** The init script: window.api from preload/api.ts's createRendererApi over the binding. */
async function bridgeScript(): Promise<string> {
  const bundle = await build({
    stdin: {
      contents: `
        import { createRendererApi } from './preload/api';
        const listeners = new Map();
        window.__scsEmit = (event, payload) => {
          for (const listener of [...(listeners.get(event) ?? [])]) listener(payload);
        };
        window.api = createRendererApi(
          async (channel, args) => {
            const json = await window.__scsInvoke(channel, args);
            return json === undefined ? undefined : JSON.parse(json);
          },
          (event, listener) => {
            if (!listeners.has(event)) listeners.set(event, new Set());
            listeners.get(event).add(listener);
            return () => listeners.get(event).delete(listener);
          },
        );`,
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'warning',
  });
  return bundle.outputFiles[0]!.text;
}

/** What the harness needs of the service: E1's AppService satisfies it. */
export interface DispatchingService {
  dispatch(channel: string, rawArgs: unknown): Promise<unknown>;
}

/**
 * Forwards service events to the page. Create it first and pass `relay.emit` as the service's
 * `onEvent`; the harness attaches the page once it exists.
 */
export class EventRelay {
  private page: Page | null = null;

  attach(page: Page): void {
    this.page = page;
  }

  readonly emit = <E extends EventChannel>(event: E, payload: ApiEvents[E]): void => {
    const page = this.page;
    if (!page || page.isClosed()) return;
    page
      .evaluate(
        ([e, p]) =>
          (globalThis as unknown as { __scsEmit(e: string, p: unknown): void }).__scsEmit(e, p),
        [event, payload] as const,
      )
      .catch(() => undefined); // the page may be navigating or closing: the event has no listener then
  };
}

export interface RendererHarness {
  page: Page;
  browser: Browser;
  context: BrowserContext;
  url: string;
  /** Reloads the renderer (a fresh start of the UI against the same service). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export interface RendererOptions {
  /** Playwright Test's `browser` fixture (`test.beforeAll(async ({ browser }) => …)`). */
  browser: Browser;
  service: DispatchingService;
  relay: EventRelay;
  /** Browser locale (navigator.language); the UI language itself comes from the service. */
  locale?: string;
  viewport?: { width: number; height: number };
}

export async function startRenderer(options: RendererOptions): Promise<RendererHarness> {
  const { url, server } = await serveRenderer();
  const { browser } = options;
  const context = await browser.newContext({
    locale: options.locale ?? 'en-GB',
    viewport: options.viewport ?? { width: 1280, height: 860 },
    timezoneId: 'Europe/Helsinki',
  });
  // Results cross as JSON text: Playwright's own serializer is far too slow for 100 000 log
  // entries, and JSON is also what IPC's structured clone keeps of these plain objects.
  await context.exposeBinding('__scsInvoke', async (_source, channel: string, args: unknown) =>
    JSON.stringify(await options.service.dispatch(channel, args)),
  );
  await context.addInitScript({ content: await bridgeScript() });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  options.relay.attach(page);
  await page.goto(url);
  return {
    page,
    browser,
    context,
    url,
    reload: async () => void (await page.reload()),
    close: async () => {
      await context.close();
      await new Promise<void>((done) => server.close(() => done()));
      // A CSP violation or an uncaught error in the renderer fails the test that caused it.
      if (problems.length > 0) throw new Error(`renderer errors:\n${problems.join('\n')}`);
    },
  };
}

/** Saves a full-page screenshot into docs/screenshots/ (shown by the README). */
export async function screenshot(page: Page, name: string): Promise<void> {
  // Transient "Saved" toasts are not part of the view (the last one is gone when none is left).
  await page
    .locator('.mantine-Notification-root')
    .first()
    .waitFor({ state: 'detached', timeout: 10_000 });
  // The viewport grows to the whole page, so the fixed sidebar reaches the bottom of the image.
  const viewport = page.viewportSize()!;
  const height = await page.evaluate<number>('document.documentElement.scrollHeight');
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  await page.evaluate(
    'new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))',
  );
  await page.screenshot({ path: join(ROOT, 'docs/screenshots', `${name}.png`) });
  await page.setViewportSize(viewport);
}

/** Both sandboxes, the real service on a temp profile with the real keychain, and the UI. */
export interface AppUnderTest {
  google: GoogleSandbox;
  severa: SeveraSandbox;
  demo: DemoGoogleInfo;
  service: AppService;
  ui: RendererHarness;
  page: Page;
  /** URLs the renderer asked main to open in the system browser. */
  opened: string[];
  close(): Promise<void>;
}

export interface AppUnderTestOptions {
  /** Playwright Test's `browser` fixture. */
  browser: Browser;
  systemLanguage: 'fi' | 'en';
  /** Configure the profile for the demo company through the service before the UI starts. */
  configured?: boolean;
  /** Prepares the empty profile folder before the service opens it (e.g. a big sync log). */
  beforeStart?: (profileDir: string) => void;
  /**
   * Keep the background sync paused, for tests about the Test alone: a first sync running beside
   * it shares Severa's 10 requests/s and makes the Test's timing depend on the machine's load.
   */
  backgroundPaused?: boolean;
}

/** What the wizard asks for, done through the service: for tests that start after set-up. */
export async function configureForSandboxes(
  service: AppService,
  google: GoogleSandbox,
  severa: SeveraSandbox,
  demo: DemoGoogleInfo,
): Promise<void> {
  const must = <T>(result: Result<T>): T => {
    if (!result.ok)
      throw new Error(`configure failed: ${result.error.code} ${result.error.message.en}`);
    return result.value;
  };
  must(
    await service.updateSettings({
      google: {
        apiRoot: google.apiRoot,
        tokenUrl: google.tokenUrl,
        domain: demo.domain,
        testUser: demo.testUser,
      },
      severa: { apiRoot: severa.apiRoot },
      // The tests drive runs with Sync now: no background run (every minute by default) among them.
      sync: { intervalMinutes: 60 },
    }),
  );
  must(
    await service.importGoogleKey({
      fileName: 'demo.p12',
      base64: (await readFile(demo.p12Path)).toString('base64'),
      password: demo.p12Password,
      serviceAccountEmail: demo.serviceAccountEmail,
    }),
  );
  const { clientId, clientSecret } = severa.demo!;
  must(await service.setSeveraCredentials({ clientId, clientSecret }));
  const types = must(await service.listActivityTypes());
  const { activityTypeGuids, defaultActivityTypeGuid, personalActivityTypeGuid } =
    demoActivityTypeChoice(types);
  must(
    await service.updateSettings({
      severa: { activityTypeGuids, defaultActivityTypeGuid, personalActivityTypeGuid },
    }),
  );
}

export async function startAppUnderTest(options: AppUnderTestOptions): Promise<AppUnderTest> {
  const profileDir = await mkdtemp(join(tmpdir(), 'scs-e2e-'));
  const google = await startGoogleSandbox({
    seedDemo: true,
    demoDir: join(profileDir, 'google-demo'),
  });
  const severa = await startSeveraSandbox({ seedDemo: true });
  options.beforeStart?.(profileDir);
  const relay = new EventRelay();
  const opened: string[] = [];
  const service = createAppService({
    profileDir,
    secrets: new KeychainSecretStore(profileDir),
    settings: new FileSettingsStore(profilePaths(profileDir).settings),
    logger: silentLogger,
    version: '0.0.0-e2e',
    systemLanguage: options.systemLanguage,
    openExternal: (url) => void opened.push(url),
    onEvent: relay.emit,
    backends: coreBackends,
  });
  const demo = google.demo!;
  if (options.backgroundPaused) await service.updateSettings({ app: { backgroundPaused: true } });
  if (options.configured) await configureForSandboxes(service, google, severa, demo);
  const ui = await startRenderer({
    browser: options.browser,
    service,
    relay,
    locale: options.systemLanguage === 'fi' ? 'fi-FI' : 'en-GB',
  });
  return {
    google,
    severa,
    demo,
    service,
    ui,
    page: ui.page,
    opened,
    close: async () => {
      try {
        await ui.close();
      } finally {
        await service.close();
        await Promise.all([google.close(), severa.close()]);
        // The keychain entries of this throw-away profile go with it.
        const secrets = new KeychainSecretStore(profileDir);
        await Promise.all([
          secrets.delete('google-private-key'),
          secrets.delete('severa-client-secret'),
        ]);
        await rm(profileDir, { recursive: true, force: true });
      }
    },
  };
}

/** The demo company configured through the service, its first sync done: for tests about runs. */
export async function startSyncedApp(browser: Browser): Promise<AppUnderTest> {
  const app = await startAppUnderTest({ browser, systemLanguage: 'en', configured: true });
  const first = await app.service.syncNow();
  if (!first.ok) throw new Error(first.error.message.en);
  return app;
}

/** Presses Sync now on the dashboard and waits until the run has finished. */
export async function pressSyncNow(page: Page): Promise<void> {
  await page.getByTestId('sync-now').click();
  await page.locator('[data-testid="sync-now"]:not([data-loading])').waitFor({ timeout: 45_000 });
}
