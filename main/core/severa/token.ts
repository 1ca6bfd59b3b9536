import { z } from 'zod';
import { forgetSecret, registerSecret } from '../log';
import { tokenResponseSchema } from './schemas';
import { SeveraApiError } from './severa-errors';

export interface IssuedToken {
  accessToken: string;
  /** Local clock, ms since the epoch. */
  expiresAt: number;
  /** What Severa says the token carries (empty when it does not say). */
  scopes: string[];
}

/** How much before its expiry a token is replaced: a minute, or a tenth of a short lifetime. */
const renewalMargin = (lifetimeMs: number) => Math.min(60_000, lifetimeMs / 10);

/** Reads Severa's token answer; the lifetime is taken relative to our clock (`expires_in`) when given. */
export function parseTokenResponse(body: unknown, receivedAt: number): IssuedToken {
  const result = tokenResponseSchema.safeParse(body);
  const parsed = result.success ? result.data : null;
  if (!parsed?.access_token)
    throw new SeveraApiError(
      'UnexpectedResponse',
      200,
      result.success ? 'The token answer has no access_token.' : z.prettifyError(result.error),
      'POST /v1/token',
    );
  registerSecret(parsed.access_token);
  const expiresAt =
    parsed.access_token_expires_in != null
      ? receivedAt + parsed.access_token_expires_in * 1000
      : parsed.access_token_expires_utc
        ? Date.parse(parsed.access_token_expires_utc)
        : receivedAt + 3_600_000;
  return {
    accessToken: parsed.access_token,
    expiresAt,
    scopes: (parsed.scope ?? '').split(/[\s,]+/).filter(Boolean),
  };
}

/**
 * One access token at a time, fetched once however many callers ask together, replaced shortly
 * before `access_token_expires_utc`, and dropped when Severa answers 401 to it.
 */
export class TokenCache {
  private current: { token: IssuedToken; issuedAt: number } | null = null;
  private pending: Promise<IssuedToken> | null = null;

  constructor(private readonly issue: () => Promise<IssuedToken>) {}

  async get(): Promise<IssuedToken> {
    const now = Date.now();
    if (
      this.current &&
      now <
        this.current.token.expiresAt -
          renewalMargin(this.current.token.expiresAt - this.current.issuedAt)
    ) {
      return this.current.token;
    }
    this.pending ??= this.issue()
      .then((token) => {
        // The old token may still be in flight, but it is never written anywhere, only sent.
        if (this.current) forgetSecret(this.current.token.accessToken);
        this.current = { token, issuedAt: now };
        return token;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }

  /** Forget this token (Severa refused it); a newer one fetched meanwhile is kept. */
  invalidate(accessToken: string): void {
    if (this.current?.token.accessToken === accessToken) this.current = null;
  }
}
