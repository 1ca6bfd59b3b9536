import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/core/log';
import { createAppService } from '../../main/core/service/app-service';
import type { CoreBackends } from '../../main/core/service/backends';
import {
  classifyEndpoint,
  type EndpointSetting,
  type EndpointVerdict,
} from '../../main/core/service/endpoint-policy';
import { MemorySecretStore } from '../../main/core/service/memory-secrets';
import { FileSettingsStore } from '../../main/core/store/settings';

const CASES: [EndpointSetting, string, EndpointVerdict][] = [
  ['google.apiRoot', 'https://www.googleapis.com/', 'known'],
  ['google.tokenUrl', 'https://oauth2.googleapis.com/token', 'known'],
  ['severa.apiRoot', 'https://api.severa.visma.com/rest-api', 'known'],
  ['severa.apiRoot', 'https://api.severa.stag.visma.com/rest-api', 'known'],
  ['google.apiRoot', 'http://127.0.0.1:40123/', 'loopback'],
  ['google.tokenUrl', 'http://localhost:8080/token', 'loopback'],
  ['severa.apiRoot', 'http://[::1]:9000/rest-api', 'loopback'],
  // A known host under another setting, on another port, or any other https host: ask.
  ['google.apiRoot', 'https://api.severa.visma.com/', 'confirm'],
  ['google.tokenUrl', 'https://oauth2.googleapis.com:8443/token', 'confirm'],
  ['severa.apiRoot', 'https://severa-proxy.example.fi/rest-api', 'confirm'],
  // Plain http off loopback, credentials in the URL, other schemes: never.
  ['google.tokenUrl', 'http://oauth2.googleapis.com/token', 'refused'],
  ['severa.apiRoot', 'http://10.0.0.5/rest-api', 'refused'],
  ['google.apiRoot', 'https://user:pw@www.googleapis.com/', 'refused'],
  ['google.apiRoot', 'file:///etc/passwd', 'refused'],
  ['google.apiRoot', 'not a url', 'refused'],
];

describe('classifyEndpoint', () => {
  it.each(CASES)('%s = %s → %s', (setting, url, verdict) => {
    expect(classifyEndpoint(setting, url)).toBe(verdict);
  });
});

/** The renderer's calls, through dispatch as IPC delivers them. */
describe('endpoint changes from the renderer', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function service(confirm?: (setting: string, url: string) => Promise<boolean>) {
    dir = mkdtempSync(join(tmpdir(), 'endpoint-policy-'));
    const asked: string[] = [];
    const app = createAppService({
      profileDir: dir,
      secrets: new MemorySecretStore(),
      settings: new FileSettingsStore(join(dir, 'settings.json')),
      logger: silentLogger,
      version: '0.0.0',
      systemLanguage: 'en',
      openExternal: () => undefined,
      onEvent: () => undefined,
      backends: {
        openSync: () => ({ held: async () => [], close: async () => undefined }),
      } as unknown as CoreBackends,
      confirmEndpoint: confirm
        ? (setting, url) => (asked.push(`${setting} ${url}`), confirm(setting, url))
        : undefined,
    });
    return { app, asked };
  }
  const set = (app: ReturnType<typeof service>['app'], patch: object) =>
    app.dispatch('updateSettings', [patch]) as Promise<{
      ok: boolean;
      error?: { code: string; message: { en: string } };
    }>;

  it('takes the real services and loopback sandboxes without asking', async () => {
    const { app, asked } = service(async () => false);
    const sandbox = { google: { apiRoot: 'http://127.0.0.1:4000/' } };
    expect((await set(app, sandbox)).ok).toBe(true);
    expect((await set(app, { google: { apiRoot: 'https://www.googleapis.com/' } })).ok).toBe(true);
    expect(asked).toEqual([]);
    await app.close();
  });

  it('asks main before another https host, and keeps the old endpoint when declined', async () => {
    const declined = service(async () => false);
    const url = 'https://severa-proxy.example.fi/rest-api';
    const result = await set(declined.app, { severa: { apiRoot: url } });
    expect(result.error?.code).toBe('endpoint-refused');
    expect(declined.asked).toEqual([`severa.apiRoot ${url}`]);
    expect((await declined.app.getState()).severa.apiRoot).toBe(
      'https://api.severa.visma.com/rest-api',
    );
    await declined.app.close();
    rmSync(dir, { recursive: true, force: true });

    const confirmed = service(async () => true);
    expect((await set(confirmed.app, { severa: { apiRoot: url } })).ok).toBe(true);
    // Saving the same value again does not ask again.
    expect((await set(confirmed.app, { severa: { apiRoot: url } })).ok).toBe(true);
    expect(confirmed.asked).toHaveLength(1);
    await confirmed.app.close();
  });

  it('refuses plain http off loopback whatever the answer, also with the Severa credentials', async () => {
    const { app, asked } = service(async () => true);
    const result = await set(app, { google: { tokenUrl: 'http://tokens.example.fi/token' } });
    expect(result.error?.code).toBe('endpoint-refused');
    expect(result.error?.message.en).toContain('https');
    const creds = (await app.dispatch('setSeveraCredentials', [
      { clientId: 'id', clientSecret: 'secret', apiRoot: 'http://severa.example.fi/' },
    ])) as { ok: boolean; error?: { code: string } };
    expect(creds.error?.code).toBe('endpoint-refused');
    expect(asked).toEqual([]);
    expect((await app.getState()).severa.secretStored).toBe(false);
    await app.close();
  });

  it('without a confirmation hook (browser tests, plain Node) an unknown host is refused', async () => {
    const { app } = service();
    const result = await set(app, { google: { apiRoot: 'https://google-proxy.example.fi/' } });
    expect(result.error?.code).toBe('endpoint-refused');
    await app.close();
  });
});
