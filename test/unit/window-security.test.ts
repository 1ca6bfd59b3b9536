import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  CSP_HEADER,
  secureWebPreferences,
  testHooks,
} from '../../main/app/security';
import { isAllowedExternalUrl } from '../../main/core/service/link-allowlist';

// Only the pure module is imported: loading 'electron' itself needs the Electron binary. The
// hooks main.ts wires (navigation, new windows, permissions, the CSP on app://) are checked on
// the built bundle in test/integration/built-app.test.ts.
describe('window security', () => {
  it('the window is sandboxed, isolated, without Node, with web security on', () => {
    const prefs = secureWebPreferences('/app/dist/preload/index.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/dist/preload/index.cjs',
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
      devTools: false,
    });
    expect(secureWebPreferences('/p', { devTools: true }).devTools).toBe(true);
  });

  it('the CSP allows only local scripts and no framing, objects or form posts', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:|\*/);
    expect(CSP_HEADER.startsWith(CONTENT_SECURITY_POLICY)).toBe(true);
    // A meta tag cannot carry frame-ancestors: only the header has it.
    expect(CONTENT_SECURITY_POLICY).not.toContain('frame-ancestors');
    for (const directive of [
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'none'",
    ])
      expect(CSP_HEADER).toContain(directive);
  });

  it('the shell hands only allowlisted links to the browser', () => {
    expect(
      isAllowedExternalUrl('https://console.cloud.google.com/iam-admin/serviceaccounts?project=p'),
    ).toBe(true);
    expect(isAllowedExternalUrl('https://admin.google.com/ac/owl/domainwidedelegation')).toBe(true);
    expect(isAllowedExternalUrl('https://support.severa.com/')).toBe(true);
    expect(isAllowedExternalUrl('http://admin.google.com/')).toBe(false);
    expect(isAllowedExternalUrl('https://attacker.example/?next=admin.google.com')).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false);
  });

  it('test hooks from the environment work in development only, never packaged', () => {
    const env = { SEVERA_SYNC_E2E: '1', SEVERA_SYNC_DEMO: '1' };
    expect(testHooks(false, env)).toEqual({ exposeInternals: true, demoFromEnv: true });
    expect(testHooks(true, env)).toEqual({ exposeInternals: false, demoFromEnv: false });
    expect(testHooks(false, {})).toEqual({ exposeInternals: false, demoFromEnv: false });
  });
});
