import { Scheduler, type SchedulerStatus } from '../service/scheduler';
import type { SyncResult } from './engine';

/**
 * The headless daemon's loop (design D9, server mode), in plain Node so tests drive it without
 * a process: one run at start, then one per interval through the app's own Scheduler (single
 * flight, backoff after failed runs). `stop()` aborts the run in progress: its requests in
 * flight end, nothing half-done is recorded, and it resolves once nothing runs any more. One
 * daemon per profile and one run at a time: `store/profile-lock.ts`.
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
