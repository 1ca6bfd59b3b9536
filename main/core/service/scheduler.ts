/**
 * Background sync timing, in plain Node so the app, the daemon and the tests share it: runs on
 * the configured interval, one run at a time ("Sync now" during a run is queued, and several
 * presses share the one queued run), backs off exponentially after failed runs, and can be
 * paused (manual runs still work while paused).
 */
export type SchedulerState = 'idle' | 'syncing' | 'error' | 'paused';

export interface SchedulerStatus {
  state: SchedulerState;
  running: boolean;
  paused: boolean;
  nextRunAt: Date | null;
  consecutiveFailures: number;
}

export interface SchedulerOptions<R extends { ok: boolean }> {
  /** One sync run. A thrown error counts as a failed run. */
  run: () => Promise<R>;
  /** Read on every scheduling, so a changed setting applies from the next run on. */
  intervalMinutes: () => number;
  paused?: boolean;
  /** Longest wait after repeated failures. */
  maxBackoffMinutes?: number;
  onStatus?: (status: SchedulerStatus) => void;
  now?: () => number;
}

const MINUTE = 60_000;

export class Scheduler<R extends { ok: boolean }> {
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The interval the pending timer was set with. */
  private timerInterval: number | null = null;
  private nextRunAt: number | null = null;
  private current: Promise<R> | null = null;
  private queued: Promise<R> | null = null;
  private failures = 0;
  private paused: boolean;
  private started = false;
  private readonly now: () => number;

  constructor(private readonly options: SchedulerOptions<R>) {
    this.paused = options.paused ?? false;
    this.now = options.now ?? Date.now;
  }

  /** Turns timed runs on; a timer already pending is kept unless the interval changed. */
  start(): void {
    this.started = true;
    this.ensureScheduled();
  }

  stop(): void {
    this.started = false;
    this.clearTimer();
    this.emit();
  }

  pause(): void {
    this.paused = true;
    this.clearTimer();
    this.emit();
  }

  resume(): void {
    this.paused = false;
    this.ensureScheduled();
  }

  /** Runs now, or once more right after the run in progress; resolves with that run's result. */
  runNow(): Promise<R> {
    if (!this.current) return this.begin();
    this.queued ??= this.current.then(
      () => this.begin(),
      () => this.begin(),
    );
    return this.queued;
  }

  /** Resolves when no run is in progress or queued. */
  async idle(): Promise<void> {
    while (this.current) await this.current.catch(() => undefined);
  }

  status(): SchedulerStatus {
    const running = this.current !== null;
    const state: SchedulerState = running
      ? 'syncing'
      : this.paused
        ? 'paused'
        : this.failures > 0
          ? 'error'
          : 'idle';
    return {
      state,
      running,
      paused: this.paused,
      nextRunAt: this.nextRunAt === null ? null : new Date(this.nextRunAt),
      consecutiveFailures: this.failures,
    };
  }

  private begin(): Promise<R> {
    this.queued = null;
    this.clearTimer();
    const run = this.execute();
    this.current = run;
    this.emit();
    return run;
  }

  private async execute(): Promise<R> {
    let ok = false;
    try {
      const result = await this.options.run();
      ok = result.ok;
      return result;
    } finally {
      this.failures = ok ? 0 : this.failures + 1;
      this.current = null;
      // A queued run starts by itself; otherwise plan the next timed one.
      if (this.queued) this.emit();
      else this.schedule();
    }
  }

  /** The wait before the next timed run: the interval, doubled per consecutive failure. */
  private delayMs(): number {
    const interval = Math.max(1, this.options.intervalMinutes()) * MINUTE;
    if (this.failures === 0) return interval;
    const max = (this.options.maxBackoffMinutes ?? 240) * MINUTE;
    return Math.min(interval * 2 ** this.failures, Math.max(max, interval));
  }

  private ensureScheduled(): void {
    if (this.timer && this.timerInterval === this.options.intervalMinutes()) this.emit();
    else this.schedule();
  }

  private schedule(): void {
    this.clearTimer();
    if (this.started && !this.paused && !this.current) {
      this.timerInterval = this.options.intervalMinutes();
      const delay = this.delayMs();
      this.nextRunAt = this.now() + delay;
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.runNow().catch(() => undefined);
      }, delay);
    }
    this.emit();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextRunAt = null;
  }

  private emit(): void {
    this.options.onStatus?.(this.status());
  }
}
