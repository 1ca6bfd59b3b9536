import { GoogleApiError } from '../google/google-errors';
import { isRetryable } from '../google/retry';
import { SeveraApiError } from '../severa/severa-errors';
import { actionIds } from './apply';
import type { Action } from './plan';

/**
 * One item never stops a user: a failure that repeats for the same item over several runs, and
 * that retrying will not cure, quarantines the item (it is left alone, with the server's message
 * in the log and the dashboard, until the admin asks to retry it), so the user's sync token and
 * Severa's watermark move again. Transient failures (network, deadlines, rate limits, 5xx, an
 * etag that moved) never quarantine: they hold the token, as every failure did before.
 */
export const QUARANTINE_AFTER_RUNS = 3;

/** What an action is about: the Severa activity when there is one, else the Google event. */
export function itemKey(action: Action): string {
  const { severaGuid, googleId } = actionIds(action);
  return severaGuid ? `severa:${severaGuid}` : `google:${googleId ?? ''}`;
}

export function isTransient(e: unknown): boolean {
  if (e instanceof GoogleApiError)
    return (
      isRetryable(e) || e.status === 412 || e.reason === 'aborted' || e.reason === 'userPaused'
    );
  if (e instanceof SeveraApiError)
    return (
      e.type === 'Unreachable' ||
      e.type === 'RateLimited' ||
      e.type === 'InternalSystemError' ||
      e.httpStatus === null ||
      e.httpStatus === 429 ||
      e.httpStatus >= 500
    );
  return false;
}
