import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../main/core/severa/rate-limiter';
import { severaErrorFromResponse } from '../../main/core/severa/severa-errors';
import { parseTokenResponse } from '../../main/core/severa/token';

describe("Severa's error envelope", () => {
  it('keeps the type, the status and the exact message, with the step that fixes it', () => {
    const body = JSON.stringify({
      error: {
        httpStatusCode: 403,
        type: 'InsufficientApiScope',
        details: [{ message: 'Scope activities:write is required.' }, { message: 'Second line.' }],
      },
    });
    const e = severaErrorFromResponse(403, body, 'PATCH /v1/activities/{guid}');
    expect(e).toMatchObject({
      type: 'InsufficientApiScope',
      httpStatus: 403,
      serverMessage: 'Scope activities:write is required. Second line.',
      step: 'severa.api-credentials',
      code: 'severa-insufficient-api-scope',
    });
    expect(e.text.fi).toContain('Scope activities:write is required.');
    expect(e.text.en).toContain('PATCH /v1/activities/{guid}, HTTP 403');
    expect(
      severaErrorFromResponse(
        403,
        JSON.stringify({ error: { type: 'FeatureIsNotEnabled', details: [] } }),
        'x',
      ),
    ).toMatchObject({
      step: 'pre.severa-addon',
      serverMessage: 'FeatureIsNotEnabled',
    });
  });

  it('names what it cannot read: an unknown type, a non-JSON body, a bare 404 or 429', () => {
    expect(
      severaErrorFromResponse(
        400,
        JSON.stringify({ error: { type: 'SomethingNew', details: [{ message: 'm' }] } }),
        'x',
      ),
    ).toMatchObject({ type: 'UnexpectedResponse', serverMessage: 'm' });
    expect(severaErrorFromResponse(502, '<html>Bad gateway</html>', 'x')).toMatchObject({
      type: 'InternalSystemError',
      serverMessage: '<html>Bad gateway</html>',
    });
    expect(severaErrorFromResponse(404, '', 'x')).toMatchObject({ type: 'NotFound', step: null });
    expect(
      severaErrorFromResponse(429, 'API calls quota exceeded! maximum admitted 10 per 1s.', 'x'),
    ).toMatchObject({ type: 'RateLimited' });
  });
});

describe('token answers', () => {
  it('take the lifetime from expires_in on our clock, else from the UTC expiry, and read the scopes either way they are joined', () => {
    const at = Date.parse('2026-01-01T00:00:00Z');
    expect(
      parseTokenResponse(
        {
          access_token: 'token-value-1',
          access_token_expires_in: 3600,
          scope: 'users:read settings:read',
        },
        at,
      ),
    ).toEqual({
      accessToken: 'token-value-1',
      expiresAt: at + 3_600_000,
      scopes: ['users:read', 'settings:read'],
    });
    expect(
      parseTokenResponse(
        {
          access_token: 'token-value-2',
          access_token_expires_utc: '2026-01-01T00:30:00Z',
          scope: 'a, b,c',
        },
        at,
      ),
    ).toMatchObject({
      expiresAt: Date.parse('2026-01-01T00:30:00Z'),
      scopes: ['a', 'b', 'c'],
    });
    expect(() => parseTokenResponse({ token: 'x' }, at)).toThrow();
  });
});

describe('rate limiter', () => {
  it('lets `rate` requests through, then the next only one window after an answer', async () => {
    const limiter = createRateLimiter(4);
    const started = performance.now();
    const releases = await Promise.all(Array.from({ length: 4 }, () => limiter.acquire()));
    expect(performance.now() - started).toBeLessThan(200);
    for (const release of releases) release();
    await limiter.acquire();
    expect(performance.now() - started).toBeGreaterThanOrEqual(995);
  });

  it('keeps a slot while its request is in flight, and turns a fractional rate into a longer window', async () => {
    const limiter = createRateLimiter(0.5); // one slot per 2 s
    const release = await limiter.acquire();
    let second = false;
    const next = limiter.acquire().then((r) => ((second = true), r));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(second).toBe(false); // the first is still in flight
    const releasedAt = performance.now();
    release();
    (await next)();
    expect(performance.now() - releasedAt).toBeGreaterThanOrEqual(1995);
  });
});
