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
 * The renderer's CSP. The same policy is a meta tag in renderer/index.html; main also sends it
 * as a header, adding the directives a meta tag cannot carry.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";
export const CSP_HEADER = `${CONTENT_SECURITY_POLICY}; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
