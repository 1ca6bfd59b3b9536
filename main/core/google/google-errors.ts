import { AppError } from '../errors';
import { localized, type Localized } from '../localized';
import { scrub } from '../log';
import { networkFailureText } from '../network-errors';
import type { StepId } from '../setup/steps';

/**
 * Google's answers, turned into errors the admin can act on (reference/google-api.md §2). Token
 * endpoint errors carry `error`/`error_description`; Calendar API errors carry
 * `error.errors[0].reason` (or `details[].reason`). `reason` is Google's word for what happened,
 * `googleMessage` Google's exact text (scrubbed), `step` the set-up step that fixes it.
 */
export class GoogleApiError extends AppError {
  constructor(
    code: string,
    step: StepId | null,
    text: Localized,
    readonly status: number | null,
    readonly reason: string,
    readonly googleMessage: string,
    options?: { retryAfterMs?: number | null },
  ) {
    // No `cause`: the library's error holds the request (headers, form data) it was made with.
    super(code, step, text);
    this.name = 'GoogleApiError';
    this.retryAfterMs = options?.retryAfterMs ?? null;
  }

  /** From a `Retry-After` header, when Google sent one. */
  readonly retryAfterMs: number | null;

  /** Whether this came from the token endpoint (delegation, key, user), not the Calendar API. */
  get fromTokenEndpoint(): boolean {
    return this.code.startsWith('google.token.');
  }
}

export const DWD_DELAY_NOTE = localized(
  'Huom: valtuutuksen voimaantulo voi kestää jopa 24 tuntia.',
  'Note: a new authorization can take up to 24 hours to take effect.',
);

const join = (a: Localized, b: Localized): Localized =>
  localized(`${a.fi} ${b.fi}`, `${a.en} ${b.en}`);

interface Diagnosis {
  step: StepId | null;
  text: Localized;
}

/** Token endpoint: `error` + the start of `error_description` → the fix. */
function diagnoseTokenError(error: string, description: string, user: string): Diagnosis {
  const d = description.toLowerCase();
  if (
    error === 'unauthorized_client' ||
    error === 'access_denied' ||
    error === 'admin_policy_enforced'
  )
    return {
      step: 'admin.dwd-authorize',
      text: join(
        localized(
          `Palvelutililla ei ole oikeutta toimia käyttäjänä ${user}: Admin-konsolin toimialueen laajuisesta delegoinnista puuttuu palvelutilin Client ID tai kalenterin käyttöoikeus (scope) ${'https://www.googleapis.com/auth/calendar'}. (Google: ${error})`,
          `The service account may not act as ${user}: the Admin console's domain-wide delegation lacks the service account's client ID or the scope https://www.googleapis.com/auth/calendar. (Google: ${error})`,
        ),
        DWD_DELAY_NOTE,
      ),
    };
  if (error === 'invalid_grant' && d.includes('invalid jwt signature'))
    return {
      step: 'gcp.p12-key',
      text: localized(
        'Google ei tunnista avainta (Invalid JWT Signature): avain on poistettu tai vaihdettu palvelutililtä, tai se kuuluu toiselle palvelutilille. Luo uusi P12-avain ja tuo se.',
        'Google does not recognise the key (Invalid JWT Signature): the key was deleted or rotated on the service account, or it belongs to another service account. Create a new P12 key and import it.',
      ),
    };
  if (
    error === 'invalid_grant' &&
    (d.includes('short-lived') || d.includes('reasonable timeframe'))
  )
    return {
      step: null,
      text: localized(
        'Tietokoneen kello on väärässä ajassa, joten Google hylkää kirjautumisen (short-lived token). Korjaa kello ja aikavyöhyke (automaattinen aika päälle).',
        "This computer's clock is wrong, so Google refuses the sign-in (short-lived token). Fix the clock and time zone (turn on automatic time).",
      ),
    };
  if (
    error === 'invalid_grant' &&
    (d.includes('invalid email or user id') ||
      d.includes('not a valid email') ||
      d.includes('has been deleted'))
  )
    return {
      step: 'pre.same-email',
      text: localized(
        `Googlella ei ole käyttäjää ${user} (Invalid email or User ID). Tarkista, että osoite on sama Severassa ja Googlessa ja että tili on olemassa.`,
        `Google has no user ${user} (Invalid email or User ID). Check that the address is the same in Severa and Google and that the account exists.`,
      ),
    };
  if (error === 'invalid_request')
    return {
      step: 'pre.same-email',
      text: localized(
        `Osoite ${user} ei kelpaa Googlelle käyttäjäksi.`,
        `Google does not accept ${user} as a user address.`,
      ),
    };
  if (
    error === 'deleted_client' ||
    error === 'disabled_client' ||
    (error === 'invalid_grant' &&
      (d.includes('account not found') ||
        d.includes('robot is disabled') ||
        d.includes('no valid verifier')))
  )
    return {
      step: 'gcp.service-account',
      text: localized(
        'Palvelutiliä ei löydy tai se on poistettu tai poistettu käytöstä. Tarkista palvelutilin sähköpostiosoite tai luo palvelutili uudelleen.',
        'The service account does not exist or was deleted or disabled. Check the service-account e-mail address or create the service account again.',
      ),
    };
  return {
    step: 'support.error-log',
    text: localized(
      `Google hylkäsi kirjautumisen: ${error}.`,
      `Google refused the sign-in: ${error}.`,
    ),
  };
}

const PROJECT_NUMBER_IN_MESSAGE = /project[= ](\d+)/;

/** Calendar API: `reason` → the fix (null when the engine handles it, e.g. `duplicate`). */
function diagnoseApiError(
  status: number,
  reason: string,
  message: string,
  user: string,
): Diagnosis {
  switch (reason) {
    case 'accessNotConfigured':
    case 'SERVICE_DISABLED': {
      const project = PROJECT_NUMBER_IN_MESSAGE.exec(message)?.[1];
      const which = project ? ` (${project})` : '';
      return {
        step: 'gcp.enable-calendar-api',
        text: localized(
          `Google Calendar API ei ole käytössä palvelutilin projektissa${which}. Ota se käyttöön Cloud Consolessa ja odota muutama minuutti.`,
          `The Google Calendar API is not enabled in the service account's project${which}. Enable it in the Cloud Console and wait a few minutes.`,
        ),
      };
    }
    case 'notACalendarUser':
      return {
        step: 'pre.workspace-licence',
        text: localized(
          `Käyttäjällä ${user} ei ole Google-kalenteria (ei Workspace-lisenssiä, kalenteripalvelu pois päältä tai tili jäädytetty).`,
          `${user} has no Google Calendar (no Workspace licence, the Calendar service turned off, or the account suspended).`,
        ),
      };
    case 'insufficientPermissions':
    case 'ACCESS_TOKEN_SCOPE_INSUFFICIENT':
      return {
        step: 'admin.dwd-authorize',
        text: join(
          localized(
            'Delegoinnin käyttöoikeus ei riitä kalenterin muokkaamiseen. Valtuuta scope https://www.googleapis.com/auth/calendar.',
            'The delegated scope does not allow changing the calendar. Authorize the scope https://www.googleapis.com/auth/calendar.',
          ),
          DWD_DELAY_NOTE,
        ),
      };
    case 'quotaExceeded':
      return {
        step: null,
        text: localized(
          `Google on rajoittanut käyttäjän ${user} kalenterin käyttöä (Calendar usage limits exceeded). Käyttäjän synkronointi pidetään tauolla tunteja.`,
          `Google has limited ${user}'s calendar (Calendar usage limits exceeded). This user's sync is paused for hours.`,
        ),
      };
    case 'forbiddenForNonOrganizer':
      return {
        step: null,
        text: localized(
          `Kokous kuuluu järjestäjälleen: käyttäjä ${user} on siinä vieraana, joten vain järjestäjä voi muuttaa sen otsikkoa, aikaa, paikkaa tai kuvausta. Severassa tehtyjä muutoksia ei viedä Googleen.`,
          `The meeting belongs to its organiser: ${user} is a guest, so only the organiser can change its title, time, place or description. Changes made in Severa are not sent to Google.`,
        ),
      };
    case 'requiredAccessLevel':
    case 'forbidden':
      return {
        step: 'admin.dwd-authorize',
        text: localized(
          `Google ei salli muutosta käyttäjän ${user} kalenteriin (${reason}: ${message}). Tarkista, että palvelutili toimii käyttäjänä itsenään (delegointi) eikä kalenteria ole rajattu vain luettavaksi.`,
          `Google does not allow this change to ${user}'s calendar (${reason}: ${message}). Check that the service account acts as the user (delegation) and that the calendar is not read-only.`,
        ),
      };
    case 'rateLimitExceeded':
    case 'userRateLimitExceeded':
    case 'rateLimited':
      return {
        step: null,
        text: localized(
          'Googlen pyyntörajat ylittyivät, eivätkä uudelleenyritykset auttaneet.',
          "Google's request limits were exceeded and the retries did not help.",
        ),
      };
    default:
      return {
        step: null,
        text: localized(
          `Google Calendar vastasi ${status} ${reason}: ${message}`,
          `Google Calendar answered ${status} ${reason}: ${message}`,
        ),
      };
  }
}

interface ResponseLike {
  status?: number;
  data?: unknown;
  headers?: unknown;
}

interface ErrorLike {
  message?: string;
  code?: unknown;
  status?: number;
  response?: ResponseLike;
  config?: { url?: unknown };
}

const asObject = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

function header(headers: unknown, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const value = asObject(headers)?.[name.toLowerCase()];
  return typeof value === 'string' ? value : null;
}

/** `Retry-After` in seconds or as an HTTP date, in ms from `nowMs`. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** The reason in a Calendar error body: `errors[0].reason`, else `details[].reason`. */
function apiReason(error: Record<string, unknown>): string | null {
  const first = asObject((error.errors as unknown[] | undefined)?.[0]);
  if (typeof first?.reason === 'string') return first.reason;
  for (const detail of (error.details as unknown[] | undefined) ?? []) {
    const reason = asObject(detail)?.reason;
    if (typeof reason === 'string') return reason;
  }
  return null;
}

const TIMEOUT_TEXT = localized(
  'Google ei vastannut määräajassa (pyynnön aikaraja). Yritetään uudelleen; jos tämä toistuu, tarkista verkkoyhteys ja välityspalvelin.',
  'Google did not answer in time (the request deadline passed). It is retried; if this keeps happening, check the network connection and proxy.',
);

const ABORTED_TEXT = localized(
  'Synkronointi pysäytettiin kesken pyynnön.',
  'The sync was stopped while a request was in flight.',
);

/** Failures past the HTTP layer that Gaxios (or an aborted wait) names by a DOMException name. */
const transportName = (e: unknown, err: ErrorLike): string | null => {
  if (typeof err.code === 'string') return err.code;
  const name = (e as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError' ? name : null;
};

/**
 * Any failure of a Google call (a GaxiosError from the token endpoint or the Calendar API, or a
 * network error) as a `GoogleApiError`. `user` is the impersonated user, named in messages.
 */
export function toGoogleApiError(e: unknown, user: string, nowMs = Date.now()): GoogleApiError {
  if (e instanceof GoogleApiError) return e;
  const err = (asObject(e) ?? {}) as ErrorLike;
  const response = err.response;
  const status = response?.status ?? (typeof err.status === 'number' ? err.status : null);
  const body = asObject(response?.data);
  const retryAfterMs = parseRetryAfter(header(response?.headers, 'retry-after'), nowMs);

  if (body && typeof body.error === 'string') {
    const description = typeof body.error_description === 'string' ? body.error_description : '';
    const { step, text } = diagnoseTokenError(body.error, description, user);
    const message = scrub(description ? `${body.error}: ${description}` : body.error);
    return new GoogleApiError(
      `google.token.${body.error}`,
      step,
      text,
      status,
      body.error,
      message,
      { retryAfterMs },
    );
  }
  const apiError = asObject(body?.error);
  if (status !== null && apiError) {
    const reason = apiReason(apiError) ?? (status >= 500 ? 'backendError' : `http${status}`);
    const message = scrub(typeof apiError.message === 'string' ? apiError.message : '');
    const { step, text } = diagnoseApiError(status, reason, message, user);
    return new GoogleApiError(`google.api.${reason}`, step, text, status, reason, message, {
      retryAfterMs,
    });
  }
  if (status !== null) {
    const reason =
      status >= 500 ? 'backendError' : status === 429 ? 'rateLimitExceeded' : `http${status}`;
    const { step, text } = diagnoseApiError(status, reason, `HTTP ${status}`, user);
    return new GoogleApiError(
      `google.api.${reason}`,
      step,
      text,
      status,
      reason,
      `HTTP ${status}`,
      { retryAfterMs },
    );
  }
  const code = transportName(e, err) ?? 'network';
  const detail = scrub(err.message ?? String(e));
  if (code === 'TimeoutError')
    return new GoogleApiError(
      'google.timeout',
      'pre.network',
      TIMEOUT_TEXT,
      null,
      'timeout',
      detail,
    );
  if (code === 'AbortError')
    return new GoogleApiError('google.aborted', null, ABORTED_TEXT, null, 'aborted', detail);
  const url = typeof err.config?.url === 'string' ? err.config.url : 'https://www.googleapis.com/';
  return new GoogleApiError(
    'google.network',
    'pre.network',
    networkFailureText(e, 'Google', url),
    null,
    'network',
    detail,
    {},
  );
}

/** A user whose calendar Google has limited (`quotaExceeded`); calls fail fast until `until`. */
export function userPausedError(user: string, until: Date): GoogleApiError {
  return new GoogleApiError(
    'google.user-paused',
    null,
    localized(
      `Käyttäjän ${user} synkronointi on tauolla ${until.toISOString()} asti, koska Google rajoitti hänen kalenteriaan (quotaExceeded).`,
      `${user}'s sync is paused until ${until.toISOString()} because Google limited the calendar (quotaExceeded).`,
    ),
    null,
    'userPaused',
    'Calendar usage limits exceeded.',
  );
}
