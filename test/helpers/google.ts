import { sign } from 'node:crypto';
import { afterEach } from 'vitest';
import forge from 'node-forge';
import type { GoogleEvent } from '../../main/core/google/types';
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

/**
 * For a test file: `start()` gives a fresh `startTestGoogle()` (or any sandbox given to `track`)
 * that is closed after the test that started it.
 */
export function sandboxPerTest() {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });
  const track = <T extends { close(): Promise<void> }>(sandbox: T): T => {
    closers.push(() => sandbox.close());
    return sandbox;
  };
  return {
    track,
    start: async (options?: GoogleSandboxOptions): Promise<TestGoogle> => {
      const google = await startTestGoogle(options);
      track(google.sandbox);
      return google;
    },
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

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT-bearer assertion signed by hand (not by google-auth-library), for raw token-endpoint tests. */
export function signAssertion(privateKeyPem: string, claims: Record<string, unknown>): string {
  const unsigned = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), privateKeyPem).toString('base64url')}`;
}

/** The claims google-auth-library would send for `sub`, valid now. */
export function claimsFor(sub: string | undefined, overrides: Record<string, unknown> = {}) {
  const iat = Math.floor(Date.now() / 1000);
  return {
    iss: TEST_SERVICE_ACCOUNT,
    scope: GOOGLE_CALENDAR_SCOPE,
    aud: 'https://oauth2.googleapis.com/token',
    iat,
    exp: iat + 3600,
    sub,
    ...overrides,
  };
}

export async function postToken(
  tokenUrl: string,
  assertion: string,
  grantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer',
) {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: grantType, assertion }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

/** What the Calendar API answers: an event, a listing or an error envelope. */
export type RawBody = GoogleEvent & {
  items?: GoogleEvent[];
  nextPageToken?: string;
  nextSyncToken?: string;
  timeZone?: string;
  error?: {
    code: number;
    message: string;
    status: string;
    errors: { domain: string; reason: string; message: string }[];
    details?: Record<string, unknown>[];
  };
};

/** Raw Calendar API access as `user`, to see Google's exact answers (status, body, headers). */
export async function rawApi(google: TestGoogle, user: string) {
  const { body } = await postToken(
    google.sandbox.tokenUrl,
    signAssertion(google.key.privateKeyPem, claimsFor(user)),
  );
  const token = body.access_token as string;
  return async (
    method: string,
    path: string,
    options: {
      query?: Record<string, string | string[]>;
      body?: unknown;
      headers?: Record<string, string>;
    } = {},
  ) => {
    const url = new URL(`calendar/v3/${path}`, google.sandbox.apiRoot);
    for (const [key, value] of Object.entries(options.query ?? {}))
      for (const v of [value].flat()) url.searchParams.append(key, v);
    const response = await fetch(url, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : null) as RawBody | null,
    };
  };
}
