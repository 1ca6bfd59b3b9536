import { isAppError } from '../errors';
import { localized, type Localized } from '../localized';
import { scrub } from '../log';

/**
 * The sync log (`support.error-log`): one structured entry per action and per error, stored in
 * the state database (with retention) and emitted live to the app. The message is the server's
 * exact words, scrubbed: no secret ever reaches an entry.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type SyncLogLevel = (typeof LOG_LEVELS)[number];

export type Direction = 'to-google' | 'to-severa';
export type LogResult = 'ok' | 'error' | 'planned' | 'held' | 'stopped' | 'skipped';

export interface LogEntry {
  id?: number;
  time: string;
  runId: number | null;
  user: string | null;
  level: SyncLogLevel;
  direction: Direction | null;
  /** An action kind (`create-google`, …) or a run event (`run-start`, `brake`, `conflict`, …). */
  action: string;
  severaGuid: string | null;
  googleId: string | null;
  result: LogResult;
  /** Google's reason, Severa's error type, or our code. */
  errorType: string | null;
  /**
   * The exact message from the server (scrubbed; `messageFrom` says whose), or the English of
   * `text` when the words are ours (so the CLI and older readers keep reading `message`).
   */
  message: string | null;
  /** Whose words `message` is: Google's or Severa's own answer; null when they are ours. */
  messageFrom?: MessageFrom | null;
  /**
   * What the engine itself says about the entry, in Finnish and English (the UI shows the
   * admin's language). Null for entries without words and for those written before migration 4.
   */
  text?: Localized | null;
  /** The set-up step that fixes the error, when one does. */
  step: string | null;
  /** E.g. both versions of a conflict. */
  details: Record<string, unknown> | null;
  /** The item's title and start, when the entry is about one (filled in by the engine's record). */
  title?: string | null;
  start?: string | null;
}

export interface LogQuery {
  since?: string;
  user?: string;
  levels?: SyncLogLevel[];
  runId?: number;
  limit?: number;
}

/** `--level warn` means warn and worse. */
export const levelsFrom = (min: SyncLogLevel): SyncLogLevel[] =>
  LOG_LEVELS.slice(LOG_LEVELS.indexOf(min));

export type MessageFrom = 'google' | 'severa';

export interface ErrorFields {
  errorType: string;
  message: string;
  messageFrom: MessageFrom | null;
  /** Our diagnosis in both languages (an AppError's text), else the unexpected error wrapped. */
  text: Localized;
  step: string | null;
}

/** The error type, the server's own message and our diagnosis, whichever client raised it. */
export function errorFields(e: unknown): ErrorFields {
  const fields = (e ?? {}) as {
    reason?: unknown;
    type?: unknown;
    code?: unknown;
    googleMessage?: unknown;
    serverMessage?: unknown;
  };
  const errorType = [fields.reason, fields.type, fields.code].find(
    (v) => typeof v === 'string' && v,
  ) as string | undefined;
  const serverMessage = [fields.googleMessage, fields.serverMessage].find(
    (v) => typeof v === 'string' && v,
  ) as string | undefined;
  const message = scrub(serverMessage ?? (e instanceof Error ? e.message : String(e)));
  return {
    errorType: errorType ?? (e instanceof Error ? e.name : 'Error'),
    message,
    messageFrom: !serverMessage
      ? null
      : typeof fields.googleMessage === 'string' && fields.googleMessage
        ? 'google'
        : 'severa',
    text: isAppError(e) ? scrubbed(e.text) : unexpected(message),
    step: isAppError(e) ? e.step : null,
  };
}

/** A failure none of our diagnoses names (a bug, the OS): its own words, said to be such. */
export const unexpected = (message: string): Localized =>
  localized(`Odottamaton virhe: "${message}"`, `Unexpected error: "${message}"`);

const scrubbed = (text: Localized): Localized => localized(scrub(text.fi), scrub(text.en));

/**
 * The words of an entry: none, or ours in both languages (`message` then gets their English),
 * with the server's own beside them when it answered (`errorFields` gives all three). A message
 * without our words in Finnish does not compile.
 */
type EntryWords =
  | { text: Localized; message?: string; messageFrom?: MessageFrom | null }
  | { text?: null; message?: null; messageFrom?: null };

/** A complete entry from the parts that matter; text fields are scrubbed here, once. */
export function makeEntry(
  parts: Pick<LogEntry, 'action' | 'result'> &
    Partial<Omit<LogEntry, 'action' | 'result' | 'message' | 'messageFrom' | 'text'>> &
    EntryWords,
): LogEntry {
  const message = parts.message ?? parts.text?.en ?? null;
  return {
    time: parts.time ?? new Date().toISOString(),
    runId: parts.runId ?? null,
    user: parts.user ?? null,
    level: parts.level ?? (parts.result === 'error' ? 'error' : 'info'),
    direction: parts.direction ?? null,
    action: parts.action,
    severaGuid: parts.severaGuid ?? null,
    googleId: parts.googleId ?? null,
    result: parts.result,
    errorType: parts.errorType ?? null,
    message: message === null ? null : scrub(message),
    messageFrom: parts.messageFrom ?? null,
    text: parts.text ? scrubbed(parts.text) : null,
    step: parts.step ?? null,
    details: parts.details
      ? (JSON.parse(scrub(JSON.stringify(parts.details))) as Record<string, unknown>)
      : null,
    title: parts.title == null ? null : scrub(parts.title),
    start: parts.start ?? null,
  };
}
