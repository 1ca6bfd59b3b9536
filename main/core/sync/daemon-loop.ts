import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors';
import { localized } from '../localized';
import { Scheduler, type SchedulerStatus } from '../service/scheduler';
import type { SyncResult } from './engine';

/**
 * The headless daemon's loop (design D9, server mode), in plain Node so tests drive it without
 * a process: one run at start, then one per interval through the app's own Scheduler (single
 * flight, backoff after failed runs). `stop()` aborts the run in progress between items — the
 * current item finishes and is recorded — and resolves once nothing runs any more.
 */
export interface DaemonLoopOptions {
  /** One sync run; it must honour the signal (runSync does, between items and users). */
  runOnce: (signal: AbortSignal) => Promise<SyncResult>;
  /** Read before every scheduling, so a changed setting applies from the next run on. */
  intervalMinutes: () => number;
  /** Each finished run, or the error a run threw (connect failures, a missing secret). */
  onRun?: (outcome: { result: SyncResult } | { error: unknown }) => void;
  onStatus?: (status: SchedulerStatus) => void;
  maxBackoffMinutes?: number;
}

export interface DaemonLoop {
  status(): SchedulerStatus;
  /** Resolves when the first run has finished (tests and `--once`-style callers). */
  firstRun: Promise<void>;
  stop(): Promise<void>;
}

export function startDaemonLoop(options: DaemonLoopOptions): DaemonLoop {
  const abort = new AbortController();
  const scheduler = new Scheduler<SyncResult>({
    run: async () => {
      try {
        const result = await options.runOnce(abort.signal);
        options.onRun?.({ result });
        return result;
      } catch (error) {
        options.onRun?.({ error });
        throw error;
      }
    },
    intervalMinutes: options.intervalMinutes,
    maxBackoffMinutes: options.maxBackoffMinutes,
    onStatus: options.onStatus,
  });
  scheduler.start();
  const firstRun = scheduler.runNow().then(
    () => undefined,
    () => undefined,
  );
  return {
    status: () => scheduler.status(),
    firstRun,
    async stop() {
      abort.abort();
      scheduler.stop();
      await scheduler.idle();
    },
  };
}

export const daemonAlreadyRunning = (pid: number) =>
  new AppError(
    'daemon-already-running',
    'app.schedule',
    localized(
      `Tälle profiilille on jo käynnissä taustasynkronointi (prosessi ${pid}). Pysäytä se ensin tai käytä toista profiilia.`,
      `A background sync is already running for this profile (process ${pid}). Stop it first or use another profile.`,
    ),
  );

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One daemon per profile: a lock file holding the owner's pid, created exclusively. A lock left
 * by a killed daemon (its pid no longer runs) is taken over, so SIGKILL never blocks a restart.
 */
export function lockProfile(profileDir: string, name = 'daemon.lock'): { release(): void } {
  const file = join(profileDir, name);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return {
        release: () => {
          try {
            unlinkSync(file);
          } catch {
            // already gone: nothing to release
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner))
        throw daemonAlreadyRunning(owner);
      unlinkSync(file);
    }
  }
  throw daemonAlreadyRunning(0);
}
