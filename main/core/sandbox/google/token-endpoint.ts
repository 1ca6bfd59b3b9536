import { randomBytes, verify } from 'node:crypto';
import { REAL_GOOGLE_TOKEN_URL } from '../../store/settings';
import { ok, tokenError, TOKEN_TEXT, type SandboxResponse } from './responses';

/** What the token endpoint needs to know about the Google side (a view of the sandbox state). */
export interface TokenAuthority {
  now(): number;
  tokenUrl: string;
  serviceAccount(
    email: string,
  ): { clientId: string; publicKeysPem: string[]; deleted: boolean } | undefined;
  hasUser(email: string): boolean;
  delegatedScopes(clientId: string): ReadonlySet<string> | undefined;
}

export interface IssuedToken {
  accessToken: string;
  user: string;
  scopes: string[];
  expiresAt: number;
}

const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const LIFETIME_S = 3599;
/** How far `iat` may be from the server's clock before Google calls the token not short-lived. */
const CLOCK_TOLERANCE_S = 300;
const SCOPE = /^https:\/\/www\.googleapis\.com\/auth\/[a-z][a-z0-9._-]*$/;

const decodeJson = (part: string | undefined): Record<string, unknown> | null => {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

/**
 * `POST /token` with the JWT bearer grant, checked the way Google does (reference §1.2, §2.1):
 * the RS256 signature against the service account's registered public keys, `aud`, the
 * lifetime and the clock, the scopes, that `sub` is a user of the domain, and the
 * domain-wide-delegation entry for the service account's client id.
 */
export function handleTokenRequest(
  form: URLSearchParams,
  authority: TokenAuthority,
): { response: SandboxResponse; issued?: IssuedToken } {
  if (form.get('grant_type') !== GRANT_TYPE)
    return {
      response: tokenError(
        400,
        'unsupported_grant_type',
        'Invalid grant_type: ' + (form.get('grant_type') ?? ''),
      ),
    };
  const parts = (form.get('assertion') ?? '').split('.');
  const header = decodeJson(parts[0]);
  const claims = decodeJson(parts[1]);
  if (parts.length !== 3 || !header || !claims || header.alg !== 'RS256')
    return { response: tokenError(400, 'invalid_request', 'Invalid JWT format.') };

  const iss = String(claims.iss ?? '').toLowerCase();
  const account = authority.serviceAccount(iss);
  if (!account) return { response: tokenError(400, 'invalid_grant', TOKEN_TEXT.accountNotFound) };
  if (account.deleted)
    return { response: tokenError(401, 'deleted_client', TOKEN_TEXT.deletedClient) };

  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2] ?? '', 'base64url');
  if (!account.publicKeysPem.some((pem) => verify('RSA-SHA256', signed, pem, signature)))
    return { response: tokenError(400, 'invalid_grant', TOKEN_TEXT.invalidSignature) };

  if (claims.aud !== REAL_GOOGLE_TOKEN_URL && claims.aud !== authority.tokenUrl)
    return { response: tokenError(400, 'invalid_grant', 'Invalid JWT: Failed audience check.') };

  const nowS = Math.floor(authority.now() / 1000);
  const iat = Number(claims.iat);
  const exp = Number(claims.exp);
  if (
    !Number.isFinite(iat) ||
    !Number.isFinite(exp) ||
    exp < iat ||
    exp - iat > 3600 ||
    Math.abs(iat - nowS) > CLOCK_TOLERANCE_S ||
    exp <= nowS
  )
    return { response: tokenError(400, 'invalid_grant', TOKEN_TEXT.shortLived) };

  const scopeClaim = typeof claims.scope === 'string' ? claims.scope : '';
  const scopes = scopeClaim.split(' ').filter(Boolean);
  if (scopes.length === 0 || !scopes.every((s) => SCOPE.test(s)))
    return { response: tokenError(400, 'invalid_scope', TOKEN_TEXT.invalidScope) };

  const sub = typeof claims.sub === 'string' ? claims.sub.toLowerCase() : null;
  if (sub !== null) {
    if (!authority.hasUser(sub))
      return { response: tokenError(400, 'invalid_grant', TOKEN_TEXT.invalidUser) };
    const delegated = authority.delegatedScopes(account.clientId);
    if (!delegated || !scopes.every((s) => delegated.has(s)))
      return { response: tokenError(401, 'unauthorized_client', TOKEN_TEXT.unauthorizedClient) };
  }

  const accessToken = `ya29.sandbox-${randomBytes(24).toString('base64url')}`;
  return {
    response: ok({ access_token: accessToken, expires_in: LIFETIME_S, token_type: 'Bearer' }),
    issued: {
      accessToken,
      user: sub ?? iss,
      scopes,
      expiresAt: authority.now() + LIFETIME_S * 1000,
    },
  };
}
