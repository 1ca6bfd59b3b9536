import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Google's own P12 (see test/fixtures/README.md): password notasecret, CN = client id. */
export const GOOGLE_FIXTURE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../fixtures/google-generated-2019.p12',
);
export const GOOGLE_FIXTURE_CLIENT_ID = '104849618361176160538';

/** The numeric client id the corpus certificates carry as their CN. */
export const CORPUS_CLIENT_ID = '112233445566778899001';
export const CORPUS_EMAIL = 'sync@corpus-project.iam.gserviceaccount.com';
export const CUSTOM_PASSWORD = 'corpus-Pass-42';

/** Every file of the corpus, as bytes, plus the PEM the good ones hold. */
export interface P12Corpus {
  dir: string;
  /** PKCS#8 PEM of the RSA key inside every good file. */
  rsaKeyPem: string;
  files: {
    opensslDefault: Uint8Array;
    opensslLegacy: Uint8Array;
    triple3desSha1: Uint8Array;
    customPassword: Uint8Array;
    noCertificate: Uint8Array;
    noPrivateKey: Uint8Array;
    ecKey: Uint8Array;
    truncatedHalf: Uint8Array;
    truncatedTail: Uint8Array;
    randomBytes: Uint8Array;
    pem: Uint8Array;
    jsonKey: Uint8Array;
    jsonEcKey: Uint8Array;
    jsonNotServiceAccount: Uint8Array;
    jsonBroken: Uint8Array;
    empty: Uint8Array;
    tooLarge: Uint8Array;
  };
  cleanup(): void;
}

/** Builds the corpus with the `openssl` CLI in a fresh temp dir (about 1 s). */
export function buildP12Corpus(): P12Corpus {
  const dir = mkdtempSync(join(tmpdir(), 'p12-corpus-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (name: string) => new Uint8Array(readFileSync(path(name)));
  const selfSigned = (keyFile: string, certFile: string, newKey: string[]) =>
    openssl(
      'req',
      '-x509',
      ...newKey,
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      `/CN=${CORPUS_CLIENT_ID}`,
      '-days',
      '3650',
    );
  const exportP12 = (out: string, extra: string[], password = 'notasecret', key = 'rsa') => {
    openssl(
      'pkcs12',
      '-export',
      '-inkey',
      `${key}.key.pem`,
      '-in',
      `${key}.cert.pem`,
      '-out',
      out,
      '-passout',
      `pass:${password}`,
      ...extra,
    );
    return read(out);
  };

  selfSigned('rsa.key.pem', 'rsa.cert.pem', ['-newkey', 'rsa:2048']);
  selfSigned('ec.key.pem', 'ec.cert.pem', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  const rsaKeyPem = readFileSync(path('rsa.key.pem'), 'utf8');
  const ecKeyPem = readFileSync(path('ec.key.pem'), 'utf8');

  const opensslDefault = exportP12('default.p12', []);
  const serviceAccountJson = (privateKey: string) =>
    new TextEncoder().encode(
      JSON.stringify({
        type: 'service_account',
        project_id: 'corpus-project',
        private_key_id: 'abc123',
        private_key: privateKey,
        client_email: CORPUS_EMAIL,
        client_id: CORPUS_CLIENT_ID,
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: 'https://oauth2.googleapis.com/token',
        universe_domain: 'googleapis.com',
      }),
    );
  const jsonKey = serviceAccountJson(rsaKeyPem);
  const files: P12Corpus['files'] = {
    opensslDefault,
    opensslLegacy: exportP12('legacy.p12', ['-legacy']),
    triple3desSha1: exportP12('3des.p12', [
      '-keypbe',
      'PBE-SHA1-3DES',
      '-certpbe',
      'PBE-SHA1-3DES',
      '-macalg',
      'sha1',
    ]),
    customPassword: exportP12('custom.p12', [], CUSTOM_PASSWORD),
    noCertificate: exportP12('nocerts.p12', ['-nocerts']),
    noPrivateKey: (() => {
      openssl(
        'pkcs12',
        '-export',
        '-nokeys',
        '-in',
        'rsa.cert.pem',
        '-out',
        'nokeys.p12',
        '-passout',
        'pass:notasecret',
      );
      return read('nokeys.p12');
    })(),
    ecKey: exportP12('ec.p12', [], 'notasecret', 'ec'),
    truncatedHalf: opensslDefault.slice(0, Math.floor(opensslDefault.length / 2)),
    truncatedTail: opensslDefault.slice(0, opensslDefault.length - 7),
    randomBytes: new Uint8Array(randomBytes(2048)),
    pem: new TextEncoder().encode(rsaKeyPem),
    jsonKey,
    jsonEcKey: serviceAccountJson(ecKeyPem),
    jsonNotServiceAccount: new TextEncoder().encode(
      JSON.stringify({
        installed: {
          client_id: '1234-abc.apps.googleusercontent.com',
          project_id: 'corpus-project',
        },
      }),
    ),
    jsonBroken: jsonKey.slice(0, 300),
    empty: new Uint8Array(0),
    tooLarge: new Uint8Array(64 * 1024 + 1).fill(0x30),
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path(`${name}.bin`), bytes);
  return { dir, rsaKeyPem, files, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
