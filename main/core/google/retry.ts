import type { GoogleApiError } from './google-errors';
import type { Clock } from './rate-limit';

/**
 * Our retry policy on top of googleapis' (which retries GET/DELETE only and never a 403 rate
 * limit, reference §1.5): truncated exponential backoff with jitter, `Retry-After` when
 * Google sends one, for inserts and patches too. A lost response to an insert comes back as
 * 409 `duplicate` on the retry, which the engine treats as "already there" (design D7).
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the call fails instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 32_000,
  maxRetryAfterMs: 120_000,
};

const RETRYABLE_REASONS = new Set([
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'rateLimited',
  'backendError',
  'internalError',
  'network',
  'timeout',
]);

/** Transient failures only; 400/401/404/409/410/412 and `quotaExceeded` are never retried blindly. */
export function isRetryable(error: GoogleApiError): boolean {
  if (error.fromTokenEndpoint)
    return error.status !== null && (error.status === 429 || error.status >= 500);
  if (error.status === 429 || (error.status !== null && error.status >= 500)) return true;
  return RETRYABLE_REASONS.has(error.reason);
}

/** Delay before retry number `retry` (1-based): uniform in [c/2, c] for c = min(max, base·2^(retry−1)). */
export function backoffDelayMs(
  retry: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface RetryHooks {
  clock: Clock;
  policy: RetryPolicy;
  random?: () => number;
  /** Called before each wait, e.g. to log. */
  onRetry?: (error: GoogleApiError, retry: number, delayMs: number) => void;
  /** Once aborted, no attempt is started and no failure is retried. */
  signal?: AbortSignal;
}

/** Runs `attempt` until it succeeds, fails with a non-retryable error, or attempts run out. */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  toError: (e: unknown) => GoogleApiError,
  hooks: RetryHooks,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      if (hooks.signal?.aborted) throw hooks.signal.reason;
      return await attempt();
    } catch (e) {
      const error = toError(e);
      if (hooks.signal?.aborted || !isRetryable(error) || retry + 1 >= hooks.policy.maxAttempts)
        throw error;
      if (error.retryAfterMs !== null && error.retryAfterMs > hooks.policy.maxRetryAfterMs)
        throw error;
      const delay = Math.max(
        error.retryAfterMs ?? 0,
        backoffDelayMs(retry + 1, hooks.policy, hooks.random),
      );
      hooks.onRetry?.(error, retry + 1, delay);
      await hooks.clock.sleep(delay);
    }
  }
}
