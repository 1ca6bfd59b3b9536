import forge from 'node-forge';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { z } from 'zod';
import { isAppError } from '../errors';
import type { Localized } from '../localized';
import { registerSecret, scrub, silentLogger, type Logger } from '../log';
import type { SecretStore } from '../store/secrets';
import type { SettingsStore } from '../store/settings';
import { serviceAccountEmailProblem } from './service-account-email';
import { keyErrors, keyWarnings } from './key-errors';

/** Google's keys are 2-3 KiB; anything this large is the wrong file (and not worth parsing). */
export const MAX_KEY_BYTES = 64 * 1024;
/** The password of every P12 key Google generates (setup step gcp.p12-key). */
export const GOOGLE_P12_PASSWORD = 'notasecret';
export const PRIVATE_KEY_SECRET = 'google-private-key';

export type GoogleKeyKind = 'p12' | 'json';

export interface ParsedGoogleKey {
  kind: GoogleKeyKind;
  /** PKCS#8 PEM: goes to the keychain and nowhere else. */
  privateKeyPem: string;
  /** The numeric OAuth2 client id (the P12 certificate's CN, the JSON's client_id), if the file has one. */
  clientId: string | null;
  /** Only a JSON key carries it; for a P12 the admin enters it. */
  serviceAccountEmail: string | null;
  projectId: string | null;
  /** sha256 of the public key's SPKI DER, hex: identifies the key without revealing it. */
  fingerprint: string;
  warnings: Localized[];
}

export interface ParseGoogleKeyInput {
  bytes: Uint8Array;
  /** Tried after `notasecret`. */
  password?: string;
  /** The client id the admin entered; a different one in the key gives a warning. */
  expectedClientId?: string;
}

type KeyMaterial = Omit<ParsedGoogleKey, 'fingerprint' | 'privateKeyPem' | 'warnings'> & {
  key: KeyObject;
};

/** Reads a key file, but never more than one byte beyond the limit, so a huge file is refused cheaply. */
export function readKeyFile(file: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw keyErrors.unreadable(file, (e as NodeJS.ErrnoException).code ?? 'error', e);
  }
  try {
    const buffer = Buffer.alloc(MAX_KEY_BYTES + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n)
      n = readSync(fd, buffer, length, buffer.length - length, null);
    return new Uint8Array(buffer.subarray(0, length));
  } catch (e) {
    throw keyErrors.unreadable(file, (e as NodeJS.ErrnoException).code ?? 'error', e);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a Google service-account key (P12 or JSON) into a PEM, the client id and a fingerprint,
 * or throws a KeyImportError saying what is wrong with the file. Parsing Google's P12 takes
 * about 350 ms of pure-JS key derivation: call this once per import, never per request.
 */
export function parseGoogleKey(input: ParseGoogleKeyInput): ParsedGoogleKey {
  const { bytes } = input;
  if (bytes.length === 0) throw keyErrors.empty();
  if (bytes.length > MAX_KEY_BYTES) throw keyErrors.tooLarge(MAX_KEY_BYTES / 1024);
  // Google's default is public (it is in Google's own docs), so it is named in messages.
  if (input.password !== GOOGLE_P12_PASSWORD) registerSecret(input.password);

  const head = Buffer.from(bytes.subarray(0, 64))
    .toString('latin1')
    .replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '')
    .trimStart();
  let material: KeyMaterial;
  if (head.startsWith('{')) material = readJsonKey(bytes);
  else if (head.startsWith('-----BEGIN')) throw keyErrors.notPkcs12(true);
  else if (looksLikePkcs12(bytes)) material = readP12(bytes, input.password);
  else throw keyErrors.notPkcs12(false);

  const privateKeyPem = material.key.export({ type: 'pkcs8', format: 'pem' }).toString();
  registerSecret(privateKeyPem);
  const spki = createPublicKey(material.key).export({ type: 'spki', format: 'der' });
  const expected = input.expectedClientId?.trim();
  const warnings =
    expected && material.clientId && expected !== material.clientId
      ? [keyWarnings.clientIdMismatch(expected, material.clientId)]
      : [];
  return {
    kind: material.kind,
    privateKeyPem,
    clientId: material.clientId ?? (expected || null),
    serviceAccountEmail: material.serviceAccountEmail,
    projectId: material.projectId,
    fingerprint: createHash('sha256').update(spki).digest('hex'),
    warnings,
  };
}

/**
 * A PFX starts with SEQUENCE { INTEGER 3, ... }. Checking that header separates "not a P12 at
 * all" (random bytes, another format) from "a P12 that is damaged" (truncated download).
 */
function looksLikePkcs12(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x30 || bytes[1] === undefined) return false;
  const lengthOctets = bytes[1] < 0x80 ? 0 : bytes[1] - 0x80;
  if (lengthOctets > 4) return false;
  const at = 2 + lengthOctets;
  return bytes[at] === 0x02 && bytes[at + 1] === 0x01 && bytes[at + 2] === 0x03;
}

const isPasswordFailure = (e: unknown) =>
  e instanceof Error && /Invalid password\?|wrong password\?/i.test(e.message);

function readP12(bytes: Uint8Array, password: string | undefined): KeyMaterial {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(Buffer.from(bytes).toString('binary'), true);
  } catch (e) {
    throw keyErrors.corrupt(e);
  }
  let p12: forge.pkcs12.Pkcs12Pfx | undefined;
  for (const candidate of new Set([GOOGLE_P12_PASSWORD, password ?? GOOGLE_P12_PASSWORD])) {
    try {
      p12 = forge.pkcs12.pkcs12FromAsn1(asn1, true, candidate);
      break;
    } catch (e) {
      if (!isPasswordFailure(e)) throw keyErrors.corrupt(e);
    }
  }
  if (!p12)
    throw keyErrors.wrongPassword(password !== undefined && password !== GOOGLE_P12_PASSWORD);

  // By bag type, not friendly name: Google and OpenSSL name and order the bags differently.
  const bagsOf = (type: string) => p12.getBags({ bagType: type })[type] ?? [];
  const keyBag = [
    ...bagsOf(forge.pki.oids.pkcs8ShroudedKeyBag!),
    ...bagsOf(forge.pki.oids.keyBag!),
  ][0];
  if (!keyBag) throw keyErrors.noPrivateKey();
  const keyInfo = keyBag.key
    ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key))
    : keyBag.asn1;
  const key = rsaKey(() => createPrivateKey({ key: derOf(keyInfo), format: 'der', type: 'pkcs8' }));

  const certificates = bagsOf(forge.pki.oids.certBag!).flatMap((bag) => {
    try {
      return [
        new X509Certificate(derOf(bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1)),
      ];
    } catch {
      return []; // a certificate we cannot read only costs the client-id cross-check
    }
  });
  const own = certificates.find((c) => c.checkPrivateKey(key));
  const commonName = own?.subject.match(/^CN=(.*)$/m)?.[1]?.trim();
  return {
    kind: 'p12',
    key,
    clientId: commonName && /^\d+$/.test(commonName) ? commonName : null,
    serviceAccountEmail: null,
    projectId: null,
  };
}

const derOf = (asn1: forge.asn1.Asn1) => Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');

/** Loads a private key and insists on RSA (Google signs service-account JWTs with RS256). */
function rsaKey(load: () => KeyObject): KeyObject {
  let key: KeyObject;
  try {
    key = load();
  } catch (e) {
    throw keyErrors.corrupt(e);
  }
  if (key.asymmetricKeyType !== 'rsa') throw keyErrors.notRsa(key.asymmetricKeyType ?? 'unknown');
  return key;
}

const jsonKeySchema = z.object({
  type: z.literal('service_account'),
  private_key: z.string().min(1),
  client_email: z.string().trim().toLowerCase().email(),
  client_id: z.string().regex(/^\d+$/),
  project_id: z.string().min(1).optional(),
});

function readJsonKey(bytes: Uint8Array): KeyMaterial {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    // No cause: V8's JSON messages quote the input, which may be the private key.
    throw keyErrors.corrupt(undefined);
  }
  const parsed = jsonKeySchema.safeParse(raw);
  if (!parsed.success) throw keyErrors.jsonNotServiceAccount();
  registerSecret(parsed.data.private_key);
  return {
    kind: 'json',
    key: rsaKey(() => createPrivateKey(parsed.data.private_key)),
    clientId: parsed.data.client_id,
    serviceAccountEmail: parsed.data.client_email,
    projectId: parsed.data.project_id ?? null,
  };
}

export interface ImportGoogleKeyInput {
  bytes: Uint8Array;
  password?: string;
  clientId?: string;
  serviceAccountEmail?: string;
}

/** What the UI and the CLI may show about an imported key: everything but the key. */
export type ImportedGoogleKey = Omit<ParsedGoogleKey, 'privateKeyPem'>;

/** `name@my-project.iam.gserviceaccount.com` names its project. */
const projectOfEmail = (email: string | null) =>
  email?.match(/@([a-z][a-z0-9-]+)\.iam\.gserviceaccount\.com$/)?.[1] ?? null;

/**
 * Parses the key, stores the PEM in the keychain and the facts about it in settings, as one
 * step: when anything fails, keychain and settings are left as they were.
 */
export async function importGoogleKey(
  input: ImportGoogleKeyInput,
  secrets: SecretStore,
  settings: SettingsStore,
  logger: Logger = silentLogger,
): Promise<ImportedGoogleKey> {
  try {
    const enteredEmail = input.serviceAccountEmail?.trim().toLowerCase() || undefined;
    const problem = enteredEmail === undefined ? null : serviceAccountEmailProblem(enteredEmail);
    if (problem) throw keyErrors.badServiceAccountEmail(problem);
    const { privateKeyPem, ...parsed } = parseGoogleKey({
      bytes: input.bytes,
      password: input.password,
      expectedClientId: input.clientId,
    });
    const current = settings.get().google;
    const serviceAccountEmail =
      parsed.serviceAccountEmail ?? enteredEmail ?? current.serviceAccountEmail;
    const warnings = [...parsed.warnings];
    if (parsed.serviceAccountEmail && enteredEmail && enteredEmail !== parsed.serviceAccountEmail)
      warnings.push(keyWarnings.emailMismatch(enteredEmail, parsed.serviceAccountEmail));
    const imported: ImportedGoogleKey = {
      ...parsed,
      // A new key of the same service account keeps its client id and e-mail.
      clientId: parsed.clientId ?? current.clientId,
      serviceAccountEmail,
      projectId: parsed.projectId ?? projectOfEmail(serviceAccountEmail) ?? current.projectId,
      warnings,
    };

    const previous = await secrets.get(PRIVATE_KEY_SECRET);
    await secrets.set(PRIVATE_KEY_SECRET, privateKeyPem);
    try {
      settings.update({
        google: {
          serviceAccountEmail: imported.serviceAccountEmail,
          clientId: imported.clientId,
          keyFingerprint: imported.fingerprint,
          keyKind: imported.kind,
          projectId: imported.projectId,
        },
      });
    } catch (e) {
      await (previous === null
        ? secrets.delete(PRIVATE_KEY_SECRET)
        : secrets.set(PRIVATE_KEY_SECRET, previous));
      throw e;
    }
    logger.info('google key imported', {
      kind: imported.kind,
      fingerprint: imported.fingerprint,
      clientId: imported.clientId,
    });
    return imported;
  } catch (e) {
    logger.warn('google key import failed', {
      code: isAppError(e) ? e.code : undefined,
      message: scrub(e instanceof Error ? e.message : String(e)),
    });
    throw e;
  }
}

/** The stored private key (PEM), for signing; throws `key-missing` when none was imported. */
export async function loadGoogleKey(secrets: SecretStore): Promise<string> {
  const pem = await secrets.get(PRIVATE_KEY_SECRET);
  if (!pem) throw keyErrors.missing();
  return pem;
}
