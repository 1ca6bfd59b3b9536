import { execFileSync } from 'node:child_process';
import { createPrivateKey, createSign, createVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KeyImportError, type KeyImportErrorCode } from '../../main/core/google/key-errors';
import {
  importGoogleKey,
  loadGoogleKey,
  MAX_KEY_BYTES,
  parseGoogleKey,
  PRIVATE_KEY_SECRET,
  readKeyFile,
} from '../../main/core/google/key-import';
import { scrub } from '../../main/core/log';
import type { SecretName, SecretStore } from '../../main/core/store/secrets';
import { FileSettingsStore, type DeepPartial, type Settings } from '../../main/core/store/settings';
import {
  buildP12Corpus,
  CORPUS_CLIENT_ID,
  CORPUS_EMAIL,
  CUSTOM_PASSWORD,
  GOOGLE_FIXTURE,
  GOOGLE_FIXTURE_CLIENT_ID,
  type P12Corpus,
} from '../helpers/p12-corpus';

/** The keychain contract in memory; the real keychain is test/integration/keychain.test.ts. */
class MemorySecretStore implements SecretStore {
  readonly values = new Map<SecretName, string>();
  failSet = false;
  async get(name: SecretName) {
    return this.values.get(name) ?? null;
  }
  async set(name: SecretName, value: string) {
    if (this.failSet) throw new Error('keychain locked');
    this.values.set(name, value);
  }
  async delete(name: SecretName) {
    this.values.delete(name);
  }
}

/** sha256 of the SPKI DER, computed by openssl rather than by the code under test. */
const opensslFingerprint = (command: string) =>
  execFileSync('bash', [
    '-c',
    `${command} | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r`,
  ])
    .toString()
    .slice(0, 64);

/** The PKCS#8 DER of a PEM, to compare keys whatever their PEM flavour. */
const pkcs8 = (pem: string) =>
  createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }).toString('hex');

let corpus: P12Corpus;
let corpusFingerprint: string;

beforeAll(() => {
  corpus = buildP12Corpus();
  corpusFingerprint = opensslFingerprint(
    `openssl pkey -in ${join(corpus.dir, 'rsa.key.pem')} -pubout`,
  );
});
afterAll(() => corpus.cleanup());

describe('parseGoogleKey: files that import', () => {
  it("reads Google's own P12 (3DES key bag, RC2-40 cert bag, SHA-1 MAC) with notasecret", () => {
    const bytes = new Uint8Array(readFileSync(GOOGLE_FIXTURE));
    const started = performance.now();
    const key = parseGoogleKey({ bytes, expectedClientId: GOOGLE_FIXTURE_CLIENT_ID });
    const elapsed = performance.now() - started;
    expect(key.kind).toBe('p12');
    expect(key.clientId).toBe(GOOGLE_FIXTURE_CLIENT_ID);
    expect(key.serviceAccountEmail).toBeNull();
    expect(key.warnings).toEqual([]);
    expect(key.privateKeyPem).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/,
    );
    expect(key.fingerprint).toBe(
      opensslFingerprint(
        `openssl pkcs12 -legacy -in ${GOOGLE_FIXTURE} -nokeys -passin pass:notasecret | openssl x509 -pubkey -noout`,
      ),
    );
    expect(elapsed).toBeLessThan(5_000);

    // The PEM signs what the certificate's public key verifies: the pair Google will check.
    const cert = execFileSync('bash', [
      '-c',
      `openssl pkcs12 -legacy -in ${GOOGLE_FIXTURE} -nokeys -passin pass:notasecret | openssl x509`,
    ]).toString();
    const signature = createSign('RSA-SHA256').update('claims').sign(key.privateKeyPem);
    expect(createVerify('RSA-SHA256').update('claims').verify(cert, signature)).toBe(true);
  });

  it.each([
    ['OpenSSL 3 default (AES-256, SHA-256 MAC)', 'opensslDefault'],
    ['OpenSSL -legacy (RC2-40, 3DES, SHA-1 MAC)', 'opensslLegacy'],
    ['3DES key and cert bags, SHA-1 MAC', 'triple3desSha1'],
  ] as const)('reads %s', (_label, file) => {
    const key = parseGoogleKey({ bytes: corpus.files[file] });
    expect(key).toMatchObject({
      kind: 'p12',
      clientId: CORPUS_CLIENT_ID,
      fingerprint: corpusFingerprint,
      warnings: [],
    });
    expect(pkcs8(key.privateKeyPem)).toBe(pkcs8(corpus.rsaKeyPem));
  });

  it('tries notasecret first, then the password given', () => {
    const key = parseGoogleKey({ bytes: corpus.files.customPassword, password: CUSTOM_PASSWORD });
    expect(key.fingerprint).toBe(corpusFingerprint);
  });

  it('takes the client id entered when the P12 has no certificate', () => {
    const key = parseGoogleKey({ bytes: corpus.files.noCertificate, expectedClientId: '4242' });
    expect(key).toMatchObject({ clientId: '4242', fingerprint: corpusFingerprint, warnings: [] });
    expect(parseGoogleKey({ bytes: corpus.files.noCertificate }).clientId).toBeNull();
  });

  it("warns when the client id entered differs from the certificate's CN, and keeps the CN", () => {
    const key = parseGoogleKey({ bytes: corpus.files.opensslDefault, expectedClientId: '999' });
    expect(key.clientId).toBe(CORPUS_CLIENT_ID);
    expect(key.warnings).toHaveLength(1);
    expect(key.warnings[0]!.en).toContain('999');
    expect(key.warnings[0]!.en).toContain(CORPUS_CLIENT_ID);
    expect(key.warnings[0]!.fi).toContain(CORPUS_CLIENT_ID);
  });

  it('reads a JSON service-account key with its e-mail, client id and project', () => {
    const key = parseGoogleKey({ bytes: corpus.files.jsonKey });
    expect(key).toMatchObject({
      kind: 'json',
      clientId: CORPUS_CLIENT_ID,
      serviceAccountEmail: CORPUS_EMAIL,
      projectId: 'corpus-project',
      fingerprint: corpusFingerprint,
    });
    expect(pkcs8(key.privateKeyPem)).toBe(pkcs8(corpus.rsaKeyPem));
  });
});

describe('parseGoogleKey: files that fail', () => {
  const cases: [string, keyof P12Corpus['files'], KeyImportErrorCode, string?][] = [
    ['an empty file', 'empty', 'key-empty'],
    ['a file over 64 KiB', 'tooLarge', 'key-too-large'],
    ['random bytes', 'randomBytes', 'key-not-pkcs12'],
    ['a PEM', 'pem', 'key-not-pkcs12'],
    ['a P12 cut in half', 'truncatedHalf', 'key-corrupt'],
    ['a P12 missing its last bytes', 'truncatedTail', 'key-corrupt'],
    ['a P12 with another password, none given', 'customPassword', 'key-wrong-password'],
    [
      'a P12 with another password, a wrong one given',
      'customPassword',
      'key-wrong-password',
      'not-the-password',
    ],
    ['a P12 with no private key', 'noPrivateKey', 'key-no-private-key'],
    ['a P12 with an EC key', 'ecKey', 'key-not-rsa'],
    ['a JSON key with an EC key', 'jsonEcKey', 'key-not-rsa'],
    [
      'a JSON that is not a service-account key',
      'jsonNotServiceAccount',
      'key-json-not-service-account',
    ],
    ['a truncated JSON key', 'jsonBroken', 'key-corrupt'],
  ];

  it.each(cases)('refuses %s', (_label, file, code, password) => {
    let error: unknown;
    try {
      parseGoogleKey({ bytes: corpus.files[file], password });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeyImportError);
    const e = error as KeyImportError;
    expect(e.code).toBe(code);
    expect(e.step).toBe('gcp.p12-key');
    expect(e.text.fi.length).toBeGreaterThan(20);
    expect(e.text.en.length).toBeGreaterThan(20);
    expect(e.text.fi).not.toBe(e.text.en);
    for (const line of corpus.rsaKeyPem
      .split('\n')
      .filter((l) => l.length > 20 && !l.startsWith('-----')))
      expect(`${e.text.fi} ${e.text.en} ${String(e.cause)}`).not.toContain(line);
  });

  it('says whether the password given or notasecret failed', () => {
    const without = () => parseGoogleKey({ bytes: corpus.files.customPassword });
    const withWrong = () =>
      parseGoogleKey({ bytes: corpus.files.customPassword, password: 'nope-nope' });
    expect(without).toThrow(/does not open with notasecret, Google's default password/);
    expect(withWrong).toThrow(/password given/);
  });
});

describe('readKeyFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'key-file-'));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  it('reads a key, and no more than one byte past the limit of a huge file', () => {
    writeFileSync(join(dir, 'key.p12'), corpus.files.opensslDefault);
    expect(readKeyFile(join(dir, 'key.p12'))).toEqual(corpus.files.opensslDefault);
    writeFileSync(join(dir, 'big'), Buffer.alloc(5 * MAX_KEY_BYTES, 1));
    const big = readKeyFile(join(dir, 'big'));
    expect(big.length).toBe(MAX_KEY_BYTES + 1);
    expect(() => parseGoogleKey({ bytes: big })).toThrow(
      expect.objectContaining({ code: 'key-too-large' }),
    );
  });

  it('refuses a missing file with key-unreadable', () => {
    expect(() => readKeyFile(join(dir, 'nope.p12'))).toThrow(
      expect.objectContaining({ code: 'key-unreadable', step: 'gcp.p12-key' }),
    );
  });
});

describe('importGoogleKey', () => {
  let dir: string;
  let secrets: MemorySecretStore;
  let settings: FileSettingsStore;
  const PREVIOUS_PEM = '-----BEGIN PRIVATE KEY-----\nprevious\n-----END PRIVATE KEY-----\n';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'key-import-'));
    secrets = new MemorySecretStore();
    settings = new FileSettingsStore(join(dir, 'settings.json'));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  it('stores the PEM in the keychain and only facts about it in settings', async () => {
    const imported = await importGoogleKey(
      {
        bytes: corpus.files.opensslDefault,
        serviceAccountEmail: ' Sync@My-Proj.iam.gserviceaccount.com ',
      },
      secrets,
      settings,
    );
    expect(imported).not.toHaveProperty('privateKeyPem');
    expect(pkcs8(secrets.values.get(PRIVATE_KEY_SECRET)!)).toBe(pkcs8(corpus.rsaKeyPem));
    expect(settings.get().google).toMatchObject({
      serviceAccountEmail: 'sync@my-proj.iam.gserviceaccount.com',
      clientId: CORPUS_CLIENT_ID,
      keyFingerprint: corpusFingerprint,
      keyKind: 'p12',
      projectId: 'my-proj',
    });
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).not.toContain('PRIVATE KEY');
    expect(await loadGoogleKey(secrets)).toBe(secrets.values.get(PRIVATE_KEY_SECRET));
  });

  it("uses the JSON key's e-mail and warns when the one entered differs", async () => {
    const imported = await importGoogleKey(
      { bytes: corpus.files.jsonKey, serviceAccountEmail: 'other@x.iam.gserviceaccount.com' },
      secrets,
      settings,
    );
    expect(imported.warnings.map((w) => w.en).join()).toContain(CORPUS_EMAIL);
    expect(settings.get().google).toMatchObject({
      serviceAccountEmail: CORPUS_EMAIL,
      keyKind: 'json',
      projectId: 'corpus-project',
    });
  });

  it('refuses an e-mail that is not one before touching anything', async () => {
    await expect(
      importGoogleKey(
        { bytes: corpus.files.opensslDefault, serviceAccountEmail: 'not-an-email' },
        secrets,
        settings,
      ),
    ).rejects.toMatchObject({
      code: 'key-bad-service-account-email',
      step: 'gcp.service-account',
    });
    expect(secrets.values.size).toBe(0);
  });

  describe('a failed import leaves keychain and settings as they were', () => {
    const seed = async () => {
      await secrets.set(PRIVATE_KEY_SECRET, PREVIOUS_PEM);
      settings.update({
        google: {
          clientId: '1',
          keyFingerprint: 'old',
          keyKind: 'json',
          serviceAccountEmail: 'old@p.iam.gserviceaccount.com',
        },
      });
      return readFileSync(join(dir, 'settings.json'), 'utf8');
    };

    it.each([
      'empty',
      'randomBytes',
      'pem',
      'truncatedHalf',
      'customPassword',
      'noPrivateKey',
      'ecKey',
      'jsonNotServiceAccount',
    ] as const)('for %s', async (file) => {
      const before = await seed();
      await expect(
        importGoogleKey({ bytes: corpus.files[file] }, secrets, settings),
      ).rejects.toBeInstanceOf(KeyImportError);
      expect(secrets.values.get(PRIVATE_KEY_SECRET)).toBe(PREVIOUS_PEM);
      expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(before);
    });

    it('when the keychain refuses the write', async () => {
      const before = await seed();
      secrets.failSet = true;
      await expect(
        importGoogleKey({ bytes: corpus.files.opensslDefault }, secrets, settings),
      ).rejects.toThrow('keychain locked');
      expect(secrets.values.get(PRIVATE_KEY_SECRET)).toBe(PREVIOUS_PEM);
      expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(before);
    });

    it('when the settings write fails, the keychain is rolled back', async () => {
      const before = await seed();
      const failing = new (class extends FileSettingsStore {
        override update(_patch: DeepPartial<Settings>): Settings {
          throw new Error('disk full');
        }
      })(join(dir, 'settings.json'));
      await expect(
        importGoogleKey({ bytes: corpus.files.opensslDefault }, secrets, failing),
      ).rejects.toThrow('disk full');
      expect(secrets.values.get(PRIVATE_KEY_SECRET)).toBe(PREVIOUS_PEM);
      expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(before);

      // With nothing stored before, the rollback deletes the new entry.
      secrets.values.clear();
      await expect(
        importGoogleKey({ bytes: corpus.files.opensslDefault }, secrets, failing),
      ).rejects.toThrow('disk full');
      expect(secrets.values.size).toBe(0);
    });
  });

  it('loadGoogleKey says key-missing when nothing was imported', async () => {
    await expect(loadGoogleKey(secrets)).rejects.toMatchObject({
      code: 'key-missing',
      step: 'gcp.p12-key',
    });
  });

  it('the imported PEM cannot pass through scrub(), raw or JSON-escaped', async () => {
    await importGoogleKey({ bytes: corpus.files.opensslDefault }, secrets, settings);
    const pem = secrets.values.get(PRIVATE_KEY_SECRET)!;
    const body = pem.split('\n')[5]!;
    expect(scrub(`oops ${pem} oops`)).not.toContain(body);
    expect(scrub(JSON.stringify({ oops: pem }))).not.toContain(body);
  });
});
