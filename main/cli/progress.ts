import type { Language } from '../core/localized';
import { progressText, type SyncProgress } from '../core/sync/progress';

/** What the reporters need of a stream (process.stderr, process.stdout, or a test's). */
export interface OutputStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** A JSON progress event: one line, `{"event":"progress","time":…,` then the engine's fields. */
export const progressEvent = (p: SyncProgress, time = new Date()) =>
  JSON.stringify({ event: 'progress', time: time.toISOString(), ...p });

/** Erase the terminal's current line and return to its start (ANSI EL2). */
const CLEAR_LINE = '\r\x1b[2K';

export interface ProgressReporter {
  /** Undefined when nothing is to be shown (the engine then reports to no one). */
  onProgress: ((p: SyncProgress) => void) | undefined;
  /** The run is over: a terminal's progress line is erased before the result is printed. */
  end(): void;
}

/**
 * `sync`'s progress, on stderr so that stdout carries only the result (`sync --json | jq` keeps
 * working): with `--json` a JSON progress event per line, for a program that reads them; on a
 * terminal one line rewritten in place, cut to the terminal's width (a line that wraps cannot
 * be rewritten with \r); otherwise (a pipe, a log file, cron) nothing.
 */
export function syncProgressReporter(
  stream: OutputStream,
  options: { json: boolean; language: Language },
): ProgressReporter {
  if (options.json)
    return { onProgress: (p) => void stream.write(progressEvent(p) + '\n'), end: () => undefined };
  if (!stream.isTTY) return { onProgress: undefined, end: () => undefined };
  let shown = false;
  return {
    onProgress: (p) => {
      // A terminal that does not say its width (0: a bare pseudo-terminal) gets 80 columns.
      const width = Math.max(20, (stream.columns || 80) - 1);
      const line = progressText(p, options.language);
      stream.write(CLEAR_LINE + (line.length > width ? `${line.slice(0, width - 1)}…` : line));
      shown = true;
    },
    end: () => {
      if (shown) stream.write(CLEAR_LINE);
      shown = false;
    },
  };
}

/** The daemon writes a long run's progress to its log this often, never for a short run. */
export const DAEMON_PROGRESS_EVERY_MS = 60_000;

/**
 * The daemon's progress: a line in its log (stdout, the journal under systemd) once a minute
 * while a run goes on, as a JSON progress event with `--json` or as text. A run that ends within
 * the first minute (every run but a first sync, usually) writes none: its result line says it.
 */
export function daemonProgressReporter(
  stream: OutputStream,
  options: { json: boolean; language: Language; clock?: () => Date },
): (p: SyncProgress) => void {
  const clock = options.clock ?? (() => new Date());
  let run: { id: SyncProgress['runId']; last: number } | null = null;
  return (p) => {
    const now = clock();
    if (run?.id !== p.runId) run = { id: p.runId, last: now.getTime() };
    if (p.phase === 'done' || now.getTime() - run.last < DAEMON_PROGRESS_EVERY_MS) return;
    run.last = now.getTime();
    stream.write(
      options.json
        ? progressEvent(p, now) + '\n'
        : `${now.toISOString()} progress: ${progressText(p, options.language)}\n`,
    );
  };
}
