import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  GoogleApiError,
  parseRetryAfter,
  toGoogleApiError,
} from '../../main/core/google/google-errors';
import { acquireAll, SlidingWindowLimiter, type Clock } from '../../main/core/google/rate-limit';
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  isRetryable,
  withRetry,
} from '../../main/core/google/retry';

/** Virtual time: sleeping moves the clock, so minutes pass instantly and exactly. */
function virtualClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const apiError = (status: number, reason: string, headers: Record<string, string> = {}) =>
  toGoogleApiError(
    {
      response: {
        status,
        headers,
        data: { error: { code: status, message: reason, errors: [{ reason, message: reason }] } },
      },
    },
    'u@example.test',
    0,
  );

describe('SlidingWindowLimiter + acquireAll', () => {
  test('no window of the given length ever holds more than the limit, whatever the arrival pattern', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 60 }),
        async (userLimit, projectLimit, gaps) => {
          const clock = virtualClock();
          const window = 1_000;
          const user = new SlidingWindowLimiter(userLimit, window);
          const project = new SlidingWindowLimiter(projectLimit, window);
          const sent: number[] = [];
          for (const gap of gaps) {
            await clock.sleep(gap % 400);
            await acquireAll([user, project], clock);
            sent.push(clock.now());
          }
          const limit = Math.min(userLimit, projectLimit);
          for (const t of sent)
            expect(sent.filter((s) => s >= t && s < t + window).length).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('a free slot is taken at once; a full window waits exactly until its oldest request is a window old', async () => {
    const clock = virtualClock();
    const limiter = new SlidingWindowLimiter(2, 60_000);
    await acquireAll([limiter], clock);
    await clock.sleep(10_000);
    await acquireAll([limiter], clock);
    clock.slept.length = 0;
    await acquireAll([limiter], clock);
    expect(clock.slept).toEqual([50_000]);
    expect(limiter.inWindow(clock.now())).toBe(2);
  });

  test('rejects a budget that is not a positive integer', () => {
    expect(() => new SlidingWindowLimiter(0, 1_000)).toThrow(RangeError);
  });
});

describe('retry policy', () => {
  test('retries 429, 403 rate limits, 5xx and network errors; not 400/401/403 others/404/409/410/412 or quotaExceeded', () => {
    for (const [status, reason] of [
      [429, 'rateLimitExceeded'],
      [403, 'rateLimitExceeded'],
      [403, 'userRateLimitExceeded'],
      [500, 'backendError'],
      [503, 'backendError'],
    ] as const)
      expect(isRetryable(apiError(status, reason))).toBe(true);
    expect(
      isRetryable(
        toGoogleApiError(
          Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
          'u@example.test',
        ),
      ),
    ).toBe(true);
    for (const [status, reason] of [
      [400, 'invalid'],
      [401, 'authError'],
      [403, 'quotaExceeded'],
      [403, 'accessNotConfigured'],
      [404, 'notFound'],
      [409, 'duplicate'],
      [410, 'fullSyncRequired'],
      [412, 'conditionNotMet'],
    ] as const)
      expect(isRetryable(apiError(status, reason))).toBe(false);
    const tokenError = toGoogleApiError(
      { response: { status: 401, data: { error: 'unauthorized_client', error_description: 'x' } } },
      'u@example.test',
    );
    expect(isRetryable(tokenError)).toBe(false);
  });

  test('backoff grows exponentially with jitter and stays under the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (retry, r) => {
          const delay = backoffDelayMs(retry, DEFAULT_RETRY_POLICY, () => r);
          const ceiling = Math.min(
            DEFAULT_RETRY_POLICY.maxDelayMs,
            DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** (retry - 1),
          );
          expect(delay).toBeGreaterThanOrEqual(ceiling / 2 - 1);
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });

  test('Retry-After (seconds or a date) is waited for, and a Retry-After beyond the limit fails at once', async () => {
    expect(parseRetryAfter('3', 0)).toBe(3_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon', 0)).toBeNull();

    const clock = virtualClock();
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 3) throw apiError(429, 'rateLimitExceeded', { 'retry-after': '7' });
        return 'ok';
      },
      (e) => e as GoogleApiError,
      { clock, policy: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 1 } },
    );
    expect(result).toBe('ok');
    expect(clock.slept).toEqual([7_000, 7_000]);

    const tooLong = withRetry(
      async () => {
        throw apiError(429, 'rateLimitExceeded', { 'retry-after': '3600' });
      },
      (e) => e as GoogleApiError,
      { clock: virtualClock(), policy: DEFAULT_RETRY_POLICY },
    );
    await expect(tooLong).rejects.toMatchObject({ status: 429, retryAfterMs: 3_600_000 });
  });
});

describe('403s that retrying will not cure, deadlines and stops (issue 10)', () => {
  const user = 'u@example.test';
  const body = (reason: string, message: string) => ({
    response: {
      status: 403,
      data: { error: { code: 403, message, errors: [{ domain: 'calendar', reason, message }] } },
    },
  });

  test("forbiddenForNonOrganizer: the organiser's meeting, classified and never retried", () => {
    const e = toGoogleApiError(
      body(
        'forbiddenForNonOrganizer',
        'Shared properties can only be changed by the organizer of the event.',
      ),
      user,
    );
    expect(e).toMatchObject({
      code: 'google.api.forbiddenForNonOrganizer',
      reason: 'forbiddenForNonOrganizer',
      step: null,
      googleMessage: 'Shared properties can only be changed by the organizer of the event.',
    });
    expect(e.text.en).toMatch(/belongs to its organiser: u@example.test is a guest/);
    expect(e.text.fi).toMatch(/kuuluu järjestäjälleen/);
    expect(isRetryable(e)).toBe(false);
  });

  test('requiredAccessLevel and forbidden point at the delegation and are not retried', () => {
    for (const reason of ['requiredAccessLevel', 'forbidden']) {
      const e = toGoogleApiError(
        body(reason, 'You need to have writer access to this calendar.'),
        user,
      );
      expect(e).toMatchObject({ reason, step: 'admin.dwd-authorize' });
      expect(e.text.en).toContain('You need to have writer access to this calendar.');
      expect(isRetryable(e)).toBe(false);
    }
  });

  test('a deadline is a retryable timeout; a stopped run is not retried', () => {
    const timeout = toGoogleApiError(
      Object.assign(new Error('No answer'), { code: 'TimeoutError' }),
      user,
    );
    expect(timeout).toMatchObject({ code: 'google.timeout', reason: 'timeout' });
    expect(isRetryable(timeout)).toBe(true);
    const stopped = toGoogleApiError(new DOMException('The sync was stopped', 'AbortError'), user);
    expect(stopped).toMatchObject({ code: 'google.aborted', reason: 'aborted' });
    expect(isRetryable(stopped)).toBe(false);
  });

  test('withRetry starts nothing once the signal is aborted', async () => {
    const abort = new AbortController();
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        abort.abort();
        throw apiError(503, 'backendError');
      },
      (e) => toGoogleApiError(e, user),
      { clock: virtualClock(), policy: DEFAULT_RETRY_POLICY, signal: abort.signal },
    );
    await expect(run).rejects.toMatchObject({ status: 503 });
    expect(calls).toBe(1);
  });
});
