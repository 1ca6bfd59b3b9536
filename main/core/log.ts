import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The debug log and the scrubber every outgoing text passes through (logs, error messages,
 * exported bundles). Secret values are registered when they are loaded from the keychain, so
 * they are removed even where no pattern would recognise them.
 */
const knownSecrets = new Set<string>();

export function registerSecret(value: string | null | undefined): void {
  if (value && value.length >= 6) {
    knownSecrets.add(value);
    // A PEM also travels with its line breaks escaped (JSON) or stripped.
    knownSecrets.add(JSON.stringify(value).slice(1, -1));
  }
}

/** For short-lived values (access tokens) once replaced, so the set does not grow for ever. */
export function forgetSecret(value: string): void {
  knownSecrets.delete(value);
  knownSecrets.delete(JSON.stringify(value).slice(1, -1));
}

const PATTERNS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[private key]'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*/g, '[private key]'],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[token]'],
  [
    /("?(?:access_token|refresh_token|client_secret|private_key|assertion|id_token)"?\s*[:=]\s*"?)[^"&\s,}]+/gi,
    '$1[secret]',
  ],
  [/\bya29\.[A-Za-z0-9._-]+/g, '[token]'],
  [/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+/g, '[jwt]'],
];

export function scrub(text: string): string {
  let out = text;
  for (const secret of knownSecrets) out = out.split(secret).join('[secret]');
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

/** For exported bundles: an entry's title or notes as far as support needs them (`S***`). */
export const maskText = (text: string): string => (text ? `${[...text][0]}***` : text);

/** For exported bundles: `maija.meikalainen@firma.fi` → `m***@firma.fi`. */
export const maskEmails = (text: string): string =>
  text.replace(/([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g, '$1***@$2');

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

const MAX_LOG_BYTES = 10 * 1024 * 1024;

/** JSON lines in `file` (rotated to `.old` at 10 MB), every line scrubbed; no file → silent. */
export function createLogger(file: string | null, scope = 'core'): Logger {
  if (file) mkdirSync(dirname(file), { recursive: true });
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (!file) return;
    const line =
      scrub(JSON.stringify({ time: new Date().toISOString(), level, scope, message, ...fields })) +
      '\n';
    try {
      if (statSync(file).size > MAX_LOG_BYTES) renameSync(file, `${file}.old`);
    } catch {
      // no file yet
    }
    appendFileSync(file, line, { mode: 0o600 });
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (s) => createLogger(file, `${scope}:${s}`),
  };
}

export const silentLogger: Logger = createLogger(null);
