import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KeyImportError } from '../../main/core/google/key-errors';
import {
  importGoogleKey,
  loadGoogleKey,
  PRIVATE_KEY_SECRET,
} from '../../main/core/google/key-import';
import { createLogger } from '../../main/core/log';
import { KeychainSecretStore } from '../../main/core/store/keychain';
import { profilePaths } from '../../main/core/store/profile';
import { FileSettingsStore } from '../../main/core/store/settings';
import { buildP12Corpus, CORPUS_CLIENT_ID, type P12Corpus } from '../helpers/p12-corpus';
import { pemFragments, textOfEveryFile } from '../helpers/leaks';

/*
 * keytar against a real Secret Service: run under `bash scripts/with-keyring.sh`, which gives
 * this process a private D-Bus session with an unlocked gnome-keyring.
 */

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');

let corpus: P12Corpus;
let dir: string;
beforeAll(() => {
  corpus = buildP12Corpus();
});
afterAll(() => corpus.cleanup());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keychain-profile-'));
  return async () => {
    const store = new KeychainSecretStore(dir);
    await store.delete('google-private-key');
    await store.delete('severa-client-secret');
    rmSync(dir, { recursive: true, force: true });
  };
});

describe('KeychainSecretStore through gnome-keyring', () => {
  it('round-trips a multi-line PEM exactly, and deletes it', async () => {
    const store = new KeychainSecretStore(dir);
    expect(await store.get('google-private-key')).toBeNull();
    await store.set('google-private-key', corpus.rsaKeyPem);
    expect(await new KeychainSecretStore(dir).get('google-private-key')).toBe(corpus.rsaKeyPem);
    await store.set('google-private-key', 'replaced-value');
    expect(await store.get('google-private-key')).toBe('replaced-value');
    await store.delete('google-private-key');
    expect(await store.get('google-private-key')).toBeNull();
    await store.delete('google-private-key'); // deleting what is gone is fine
  });

  it('keeps the secrets of two profiles and of two names apart', async () => {
    const other = mkdtempSync(join(tmpdir(), 'keychain-other-'));
    try {
      await new KeychainSecretStore(dir).set('severa-client-secret', 'first-profile-secret');
      await new KeychainSecretStore(other).set('severa-client-secret', 'second-profile-secret');
      expect(await new KeychainSecretStore(dir).get('severa-client-secret')).toBe(
        'first-profile-secret',
      );
      expect(await new KeychainSecretStore(other).get('severa-client-secret')).toBe(
        'second-profile-secret',
      );
      expect(await new KeychainSecretStore(dir).get('google-private-key')).toBeNull();
    } finally {
      await new KeychainSecretStore(other).delete('severa-client-secret');
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('importing a key into the real keychain', () => {
  it('puts the PEM in the keychain and in no file under the profile, nor in any log line', async () => {
    const paths = profilePaths(dir);
    const secrets = new KeychainSecretStore(dir);
    const settings = new FileSettingsStore(paths.settings);
    const logger = createLogger(paths.debugLog, 'test');
    logger.debug('before import', { note: 'the log exists either way' });

    const imported = await importGoogleKey(
      { bytes: corpus.files.jsonKey, serviceAccountEmail: 'ignored@x.iam.gserviceaccount.com' },
      secrets,
      settings,
      logger,
    );
    expect(imported.clientId).toBe(CORPUS_CLIENT_ID);
    // A failing import logs too: its line must not carry the key either.
    await expect(
      importGoogleKey({ bytes: corpus.files.jsonEcKey }, secrets, settings, logger),
    ).rejects.toBeInstanceOf(KeyImportError);

    const pem = await loadGoogleKey(secrets);
    const fragments = [...pemFragments(pem), ...pemFragments(corpus.rsaKeyPem)];
    expect(fragments.length).toBeGreaterThan(20);
    const files = textOfEveryFile(dir);
    expect(Object.keys(files)).toEqual(expect.arrayContaining([paths.settings, paths.debugLog]));
    for (const [file, text] of Object.entries(files))
      for (const fragment of fragments)
        expect(text.includes(fragment), `${fragment} in ${file}`).toBe(false);
    const logLines = readFileSync(paths.debugLog, 'utf8').trim().split('\n');
    expect(logLines.length).toBeGreaterThanOrEqual(3);
    for (const line of logLines) expect(JSON.parse(line)).toHaveProperty('message');
    expect(readFileSync(paths.settings, 'utf8')).toContain(imported.fingerprint);
  });

  it('leaves keychain and settings as they were when an import fails', async () => {
    const paths = profilePaths(dir);
    const secrets = new KeychainSecretStore(dir);
    const settings = new FileSettingsStore(paths.settings);
    await importGoogleKey({ bytes: corpus.files.opensslLegacy }, secrets, settings);
    const keyBefore = await secrets.get(PRIVATE_KEY_SECRET);
    const settingsBefore = readFileSync(paths.settings, 'utf8');

    for (const file of [
      'customPassword',
      'truncatedTail',
      'noPrivateKey',
      'ecKey',
      'pem',
      'empty',
    ] as const) {
      await expect(
        importGoogleKey({ bytes: corpus.files[file], clientId: '1' }, secrets, settings),
      ).rejects.toBeInstanceOf(KeyImportError);
      expect(await secrets.get(PRIVATE_KEY_SECRET)).toBe(keyBefore);
      expect(readFileSync(paths.settings, 'utf8')).toBe(settingsBefore);
    }
  });
});

describe('no reachable keychain: keychain-unavailable, and nothing written anywhere', () => {
  /** Runs an import in a child process whose environment has no working Secret Service. */
  async function importWithout(keyring: 'no-dbus' | 'dbus-without-keyring') {
    const work = mkdtempSync(join(tmpdir(), 'no-keychain-'));
    try {
      writeFileSync(join(work, 'key.p12'), corpus.files.opensslDefault);
      const script = join(work, 'import.mts');
      writeFileSync(
        script,
        `import { readFileSync } from 'node:fs';
import { importGoogleKey } from ${JSON.stringify(join(REPO, 'main/core/google/key-import'))};
import { KeychainSecretStore } from ${JSON.stringify(join(REPO, 'main/core/store/keychain'))};
import { FileSettingsStore } from ${JSON.stringify(join(REPO, 'main/core/store/settings'))};
const profile = ${JSON.stringify(join(work, 'profile'))};
try {
  await importGoogleKey({ bytes: readFileSync(${JSON.stringify(join(work, 'key.p12'))}) }, new KeychainSecretStore(profile), new FileSettingsStore(profile + '/settings.json'));
  console.log(JSON.stringify({ stored: true }));
} catch (e) {
  console.log(JSON.stringify({ code: e.code, step: e.step, text: e.text }));
}
`,
      );
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: work,
        XDG_DATA_HOME: join(work, 'data'),
        XDG_CACHE_HOME: join(work, 'cache'),
        XDG_RUNTIME_DIR: work,
      };
      const node = ['node', '--import', 'tsx', script];
      const command = keyring === 'no-dbus' ? node : ['dbus-run-session', '--', ...node];
      if (keyring === 'no-dbus') env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(work, 'no-bus')}`;
      const { stdout } = await run(command[0]!, command.slice(1), {
        cwd: REPO,
        env,
        timeout: 30_000,
      });
      const result = JSON.parse(stdout.trim().split('\n').pop()!);
      return {
        result,
        profileFiles: readdirSync(work).includes('profile')
          ? readdirSync(join(work, 'profile'))
          : [],
      };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  it.each(['no-dbus', 'dbus-without-keyring'] as const)('%s', async (keyring) => {
    const { result, profileFiles } = await importWithout(keyring);
    expect(result.code).toBe('keychain-unavailable');
    expect(result.step).toBe('support.error-log');
    expect(result.text.en).toMatch(/keychain is not available/);
    expect(result.text.en).toMatch(/gnome-keyring/);
    expect(result.text.en).toMatch(/never stored in a plain file/);
    expect(result.text.fi).toMatch(/avainnippu ei ole käytettävissä/);
    expect(profileFiles).toEqual([]);
  });
});
