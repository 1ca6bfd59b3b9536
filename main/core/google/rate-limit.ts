/**
 * Client-side request budgets, so that the sync stays under Google's quotas instead of
 * bouncing off them: 600 requests/min per user and 10 000/min per project by default
 * (design §4). Google counts in a sliding minute, so the limiter does too: it remembers the
 * send times of the last `limit` requests and lets a new one go only when the oldest of them
 * is a full window old.
 */
export class SlidingWindowLimiter {
  private readonly sent: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  /** Ms until a request may be sent at `now` (0 = now). */
  waitMs(now: number): number {
    this.forget(now);
    if (this.sent.length < this.limit) return 0;
    return (this.sent[0] as number) + this.windowMs - now;
  }

  record(now: number): void {
    this.sent.push(now);
  }

  /** Requests counted in the window ending at `now`. */
  inWindow(now: number): number {
    this.forget(now);
    return this.sent.length;
  }

  private forget(now: number): void {
    while (this.sent.length > 0 && (this.sent[0] as number) <= now - this.windowMs)
      this.sent.shift();
  }
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Waits until every limiter has room, then records the request in all of them at the same
 * instant. Recording only when all agree (rather than taking the user's slot and then waiting
 * for the project's) keeps the recorded time equal to the send time, which is what Google
 * counts.
 */
export async function acquireAll(
  limiters: readonly SlidingWindowLimiter[],
  clock: Clock = systemClock,
): Promise<void> {
  for (;;) {
    const now = clock.now();
    const wait = Math.max(0, ...limiters.map((l) => l.waitMs(now)));
    if (wait === 0) {
      for (const l of limiters) l.record(now);
      return;
    }
    await clock.sleep(wait);
  }
}

/**
 * A minute plus a margin: requests arrive at Google a little after we count them, and uneven
 * network delay must not squeeze `limit + 1` of them into Google's minute.
 */
export const GOOGLE_QUOTA_WINDOW_MS = 61_000;
