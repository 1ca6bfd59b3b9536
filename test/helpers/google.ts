import forge from 'node-forge';
import {
  createGoogleCalendars,
  type GoogleCalendarsClient,
  type GoogleCalendarsOptions,
} from '../../main/core/google/calendar-client';
import {
  startGoogleSandbox,
  type GoogleSandbox,
  type GoogleSandboxOptions,
} from '../../main/core/sandbox/google-sandbox';
import { GOOGLE_CALENDAR_SCOPE } from '../../main/core/setup/steps';
import type { SecretName, SecretStore } from '../../main/core/store/secrets';
import { defaultSettings, type Settings } from '../../main/core/store/settings';

export const TEST_SERVICE_ACCOUNT = 'sync@test-project.iam.gserviceaccount.com';
export const TEST_CLIENT_ID = '111122223333444455556';
export const TEST_PROJECT_NUMBER = '424242424242';
export const ALICE = 'alice@example.test';
export const BOB = 'bob@example.test';
/** A Workspace user without the Calendar service. */
export const CAROL = 'carol@example.test';

export interface KeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** A fresh RSA key; 1024 bits keeps tests fast (Google's are 2048). */
export function generateKeyPair(): KeyPair {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 1024, e: 0x10001 });
  return {
    privateKeyPem: forge.pki.privateKeyToPem(keys.privateKey),
    publicKeyPem: forge.pki.publicKeyToPem(keys.publicKey),
  };
}

export interface TestGoogle {
  sandbox: GoogleSandbox;
  key: KeyPair;
  settings: Settings['google'];
  /** A client on the sandbox; `overrides` change its settings or options. */
  client(
    overrides?: Partial<Settings['google']>,
    options?: Partial<GoogleCalendarsOptions>,
  ): GoogleCalendarsClient;
}

/**
 * A sandbox set up as a working company: the test service account with its key registered,
 * delegation for the calendar scope, Alice and Bob with calendars, Carol without.
 */
export async function startTestGoogle(options: GoogleSandboxOptions = {}): Promise<TestGoogle> {
  const sandbox = await startGoogleSandbox(options);
  const key = generateKeyPair();
  const { control } = sandbox;
  control.registerServiceAccount(TEST_SERVICE_ACCOUNT, TEST_CLIENT_ID, key.publicKeyPem);
  control.authorize(TEST_CLIENT_ID, [GOOGLE_CALENDAR_SCOPE]);
  control.setProjectNumber(TEST_PROJECT_NUMBER);
  control.addUser(ALICE, { timeZone: 'Europe/Helsinki' });
  control.addUser(BOB, { timeZone: 'Europe/Stockholm' });
  control.addUser(CAROL, { calendar: false });
  const settings: Settings['google'] = {
    ...defaultSettings().google,
    serviceAccountEmail: TEST_SERVICE_ACCOUNT,
    clientId: TEST_CLIENT_ID,
    projectId: 'test-project',
    domain: 'example.test',
    testUser: ALICE,
    apiRoot: sandbox.apiRoot,
    tokenUrl: sandbox.tokenUrl,
  };
  return {
    sandbox,
    key,
    settings,
    client: (overrides = {}, clientOptions = {}) =>
      createGoogleCalendars({
        settings: { ...settings, ...overrides },
        privateKeyPem: key.privateKeyPem,
        ...clientOptions,
      }),
  };
}

/** A timed event body for the next hour from `startIso`. */
export function timedEvent(
  summary: string,
  startIso: string,
  minutes = 60,
  extra: Record<string, unknown> = {},
) {
  const start = new Date(startIso);
  const end = new Date(start.getTime() + minutes * 60_000);
  return {
    summary,
    start: { dateTime: start.toISOString() },
    end: { dateTime: end.toISOString() },
    ...extra,
  };
}

/** A keychain in memory, for checks that read the key. */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<SecretName, string>();
  async get(name: SecretName) {
    return this.values.get(name) ?? null;
  }
  async set(name: SecretName, value: string) {
    this.values.set(name, value);
  }
  async delete(name: SecretName) {
    this.values.delete(name);
  }
}
