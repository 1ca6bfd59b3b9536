import type { WebPreferences } from 'electron';

/**
 * The window's security settings and the content policy, as pure values: the Electron security
 * checklist (anchors B1) in one place, asserted by a plain-Node test without the Electron binary.
 * Only types come from 'electron' here.
 */
export function secureWebPreferences(
  preloadPath: string,
  options: { devTools?: boolean } = {},
): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    // Developer tools only in development builds.
    devTools: options.devTools ?? false,
  };
}

/**
 * The renderer's CSP. The same policy is a meta tag in renderer/index.html; every response of
 * the app:// protocol also carries it as a header, adding `frame-ancestors`, which a meta tag
 * cannot carry (browsers ignore it there and log an error).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";
export const CSP_HEADER = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`;

/**
 * The one permission the app grants: `clipboard-sanitized-write`, for the copy buttons (client
 * id, Calendar scope), and only to our own window's page on app://renderer. Everything else,
 * from anywhere, is denied.
 */
export function allowsPermission(
  permission: string,
  requester: { trusted: boolean; url: string | undefined },
): boolean {
  const url = requester.url ?? '';
  const ours = url === 'app://renderer' || url.startsWith('app://renderer/');
  return permission === 'clipboard-sanitized-write' && requester.trusted && ours;
}

/** What tests may switch on through the environment; nothing in a packaged app. */
export interface TestHooks {
  /** SEVERA_SYNC_E2E=1: the tray and the service on globalThis for electronApp.evaluate. */
  exposeInternals: boolean;
  /** SEVERA_SYNC_DEMO=1: the demo company at launch (users have `--demo`). */
  demoFromEnv: boolean;
}

export function testHooks(isPackaged: boolean, env: NodeJS.ProcessEnv): TestHooks {
  if (isPackaged) return { exposeInternals: false, demoFromEnv: false };
  return {
    exposeInternals: env.SEVERA_SYNC_E2E === '1',
    demoFromEnv: env.SEVERA_SYNC_DEMO === '1',
  };
}
