import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KeychainSecretStore } from '../../main/core/store/keychain';
import { profilePaths } from '../../main/core/store/profile';
import {
  buildP12Corpus,
  CORPUS_CLIENT_ID,
  CUSTOM_PASSWORD,
  GOOGLE_FIXTURE,
  GOOGLE_FIXTURE_CLIENT_ID,
  type P12Corpus,
} from '../helpers/p12-corpus';
import { pemFragments, textOfEveryFile } from '../helpers/leaks';
import { runCli } from '../helpers/cli';

/* The built CLI against the real keychain: run under `bash scripts/with-keyring.sh`. */

const SEVERA_SECRET = 'severa-secret-Xy7-0123456789';
const TYPE_A = '0c8e5a7e-1111-4a1b-9c2d-000000000001';
const TYPE_B = '0c8e5a7e-1111-4a1b-9c2d-000000000002';

const cli = (args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) =>
  runCli(profile, args, options);

let corpus: P12Corpus;
let profile: string;
let keyFile: (name: keyof P12Corpus['files']) => string;

beforeAll(() => {
  corpus = buildP12Corpus();
  keyFile = (name) => join(corpus.dir, `${name}.bin`);
});
afterAll(() => corpus.cleanup());
beforeEach(() => {
  profile = mkdtempSync(join(tmpdir(), 'configure-cli-'));
  return async () => {
    const store = new KeychainSecretStore(profile);
    await store.delete('google-private-key');
    await store.delete('severa-client-secret');
    rmSync(profile, { recursive: true, force: true });
  };
});

describe('configure', () => {
  it('imports a P12, stores the Severa secret from the environment and writes the settings given', async () => {
    const run = await cli(
      [
        'configure',
        '--json',
        ...['--google-key', keyFile('customPassword'), '--key-password', CUSTOM_PASSWORD],
        ...['--service-account', 'Sync@Firma-Sync.iam.gserviceaccount.com', '--client-id', '42'],
        ...['--domain', 'Firma.fi', '--test-user', 'maija@firma.fi'],
        ...[
          '--google-api-root',
          'http://127.0.0.1:9/',
          '--google-token-url',
          'http://127.0.0.1:9/token',
        ],
        ...[
          '--severa-client-id',
          'sev-client',
          '--severa-client-secret-env',
          'SEVERA_SECRET_FOR_TEST',
        ],
        ...['--severa-api-root', 'http://127.0.0.1:9/rest-api', '--severa-rps', '5'],
        ...['--activity-types', `${TYPE_A}, ${TYPE_B}`, '--default-activity-type', TYPE_A],
        ...['--personal-activity-type', TYPE_B, '--users', 'maija@firma.fi,Matti@Firma.fi'],
        ...[
          '--window-past-days',
          '7',
          '--window-future-days',
          '60',
          '--conflict-policy',
          'severa-wins',
        ],
        ...['--deletion-threshold', '10', '--interval', '5'],
      ],
      { env: { SEVERA_SECRET_FOR_TEST: SEVERA_SECRET } },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.ok).toBe(true);
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0].en).toContain(CORPUS_CLIENT_ID);
    expect(out.settings.google).toMatchObject({
      serviceAccountEmail: 'sync@firma-sync.iam.gserviceaccount.com',
      clientId: CORPUS_CLIENT_ID,
      keyKind: 'p12',
      projectId: 'firma-sync',
      domain: 'firma.fi',
      testUser: 'maija@firma.fi',
      apiRoot: 'http://127.0.0.1:9/',
      tokenUrl: 'http://127.0.0.1:9/token',
    });
    expect(out.settings.google.keyFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(out.settings.severa).toMatchObject({
      clientId: 'sev-client',
      apiRoot: 'http://127.0.0.1:9/rest-api',
      requestsPerSecond: 5,
      activityTypeGuids: [TYPE_A, TYPE_B],
      defaultActivityTypeGuid: TYPE_A,
      personalActivityTypeGuid: TYPE_B,
    });
    expect(out.settings.users).toEqual({
      mode: 'selected',
      enabled: ['maija@firma.fi', 'matti@firma.fi'],
    });
    expect(out.settings.sync).toMatchObject({
      windowPastDays: 7,
      windowFutureDays: 60,
      conflictPolicy: 'severa-wins',
      deletionThresholdPercent: 10,
      intervalMinutes: 5,
    });

    const secrets = new KeychainSecretStore(profile);
    const pem = (await secrets.get('google-private-key'))!;
    expect(pem).toContain('BEGIN PRIVATE KEY');
    expect(await secrets.get('severa-client-secret')).toBe(SEVERA_SECRET);
    const fragments = [...pemFragments(pem), SEVERA_SECRET];
    for (const [file, text] of Object.entries({ ...textOfEveryFile(profile), stdout: run.stdout }))
      for (const fragment of fragments)
        expect(text.includes(fragment), `${fragment} in ${file}`).toBe(false);
    expect(existsSync(profilePaths(profile).debugLog)).toBe(true);
  });

  it("imports Google's own P12, reads the Severa secret from standard input, prints plain text", async () => {
    const run = await cli(
      ['configure', '--google-key', GOOGLE_FIXTURE, '--severa-client-secret-stdin'],
      { stdin: `${SEVERA_SECRET}\n` },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`client id ${GOOGLE_FIXTURE_CLIENT_ID}`);
    expect(run.stdout).toContain('severa client secret: stored in the keychain');
    expect(await new KeychainSecretStore(profile).get('severa-client-secret')).toBe(SEVERA_SECRET);
  });

  it('refuses bad values with exit code 2 and writes nothing', async () => {
    await cli(['configure', '--domain', 'firma.fi']);
    const before = readFileSync(profilePaths(profile).settings, 'utf8');
    const bad: [string[], RegExp][] = [
      [['--window-past-days', '999'], /--window-past-days: .*365/],
      [['--interval', 'often'], /--interval: must be a whole number/],
      [['--conflict-policy', 'coin-toss'], /--conflict-policy/],
      [['--activity-types', `${TYPE_A},not-a-guid`], /--activity-types: must be a GUID/],
      [['--users', 'all,maija'], /--users: must be all, or e-mail addresses/],
      [['--google-api-root', 'ftp://x.example/'], /--google-api-root: must be an http\(s\) URL/],
      [['--severa-client-secret-stdin', '--severa-client-secret-env', 'X'], /not both/],
      [
        ['--severa-client-secret-env', 'SURELY_UNSET_VARIABLE_42'],
        /SURELY_UNSET_VARIABLE_42 is not set/,
      ],
      [['--key-password', 'x'], /--key-password needs --google-key/],
    ];
    for (const [args, message] of bad) {
      const run = await cli(['configure', '--interval', '30', ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    expect(readFileSync(profilePaths(profile).settings, 'utf8')).toBe(before);
  });

  it('a bad key fails with its step in the language asked for, and changes nothing', async () => {
    expect(
      (await cli(['configure', '--google-key', keyFile('opensslDefault'), '--json'])).code,
    ).toBe(0);
    const secrets = new KeychainSecretStore(profile);
    const keyBefore = await secrets.get('google-private-key');
    const settingsBefore = readFileSync(profilePaths(profile).settings, 'utf8');

    const truncated = await cli([
      'configure',
      '--google-key',
      keyFile('truncatedHalf'),
      '--domain',
      'x.fi',
    ]);
    expect(truncated.code).toBe(2);
    expect(truncated.stderr).toMatch(/damaged or truncated.*\(step gcp\.p12-key\)/);
    const wrong = await cli([
      '--lang',
      'fi',
      'configure',
      '--google-key',
      keyFile('customPassword'),
      '--key-password',
      'nope',
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/Väärä salasana.*\(step gcp\.p12-key\)/);

    expect(await secrets.get('google-private-key')).toBe(keyBefore);
    expect(readFileSync(profilePaths(profile).settings, 'utf8')).toBe(settingsBefore);
  });
});
