/**
 * Severa allows about 10 requests per second (reference/severa-api.md §5.2). A request takes a
 * slot before it is sent and the slot stays taken until one window after its response arrived:
 * the server has certainly seen a request by the time it answers, so no window of the server's
 * clock can ever see more than `requestsPerSecond` requests, whatever the network delay. A slow
 * response costs a little throughput, never a 429.
 */
export interface RateLimiter {
  /**
   * Resolves when a request may be sent; call the returned function once its answer (or
   * failure) is in. An `urgent` request goes before the others waiting (what every other
   * request of a run waits for: the token, the user and type pages).
   */
  acquire(urgent?: boolean): Promise<() => void>;
  setRate(requestsPerSecond: number): void;
}

const WINDOW_MS = 1000;

export function createRateLimiter(requestsPerSecond: number): RateLimiter {
  /** Per slot: the time it becomes free (Infinity while its request is in flight). */
  let freeAt: number[] = [];
  let windowMs = WINDOW_MS;
  const waiters: ((slot: number) => void)[] = [];
  let timer: NodeJS.Timeout | null = null;

  const setRate = (rate: number) => {
    if (!(rate > 0)) throw new RangeError(`requestsPerSecond must be positive, got ${rate}`);
    // A fractional rate (0.5/s) becomes whole slots over a longer window (1 per 2 s).
    const slots = Math.max(1, Math.ceil(rate));
    windowMs = (WINDOW_MS * slots) / rate;
    freeAt = Array.from({ length: slots }, (_, i) => freeAt[i] ?? 0);
  };

  const pump = () => {
    while (waiters.length > 0) {
      const now = performance.now();
      const slot = freeAt.findIndex((t) => t <= now);
      if (slot < 0) break;
      freeAt[slot] = Infinity;
      waiters.shift()?.(slot);
    }
    if (waiters.length === 0 || timer) return;
    const next = Math.min(...freeAt);
    if (next === Infinity) return; // every slot is in flight: a release will pump
    timer = setTimeout(
      () => {
        timer = null;
        pump();
      },
      Math.max(1, Math.ceil(next - performance.now())),
    );
  };

  const release = (slot: number) => {
    if (slot < freeAt.length) freeAt[slot] = performance.now() + windowMs;
    pump();
  };

  setRate(requestsPerSecond);
  return {
    setRate: (rate) => {
      setRate(rate);
      pump();
    },
    acquire: (urgent = false) =>
      new Promise((resolve) => {
        waiters[urgent ? 'unshift' : 'push']((slot) => {
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            release(slot);
          });
        });
        pump();
      }),
  };
}

const processLimiters = new Map<string, RateLimiter>();

/**
 * The one limiter per Severa API root in this process (every client, every user, the
 * diagnostics and the engine share it). A later call with another rate changes the rate.
 */
export function processRateLimiter(apiRoot: string, requestsPerSecond: number): RateLimiter {
  const key = apiRoot.replace(/\/+$/, '');
  let limiter = processLimiters.get(key);
  if (limiter) limiter.setRate(requestsPerSecond);
  else processLimiters.set(key, (limiter = createRateLimiter(requestsPerSecond)));
  return limiter;
}
