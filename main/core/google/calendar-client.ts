import { auth as googleAuth, calendar, type calendar_v3 } from '@googleapis/calendar';
import { setTimeout as delay } from 'node:timers/promises';
import { AppError } from '../errors';
import { localized } from '../localized';
import { registerSecret, silentLogger, type Logger } from '../log';
import { GOOGLE_CALENDAR_SCOPE } from '../setup/steps';
import { REAL_GOOGLE_TOKEN_URL, type Settings } from '../store/settings';
import { GoogleApiError, toGoogleApiError, userPausedError } from './google-errors';
import {
  acquireAll,
  GOOGLE_QUOTA_WINDOW_MS,
  SlidingWindowLimiter,
  systemClock,
  type Clock,
} from './rate-limit';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry';
import type {
  EventListing,
  GoogleCalendars,
  GoogleEvent,
  ListEventsOptions,
  UserCalendar,
} from './types';

export type GoogleSettings = Settings['google'];

export interface GoogleCalendarsOptions {
  settings: GoogleSettings;
  privateKeyPem: string;
  logger?: Logger;
  /** The local clock (ms); tests move it. */
  now?: () => number;
  /** Waiting between retries and for the limiters; tests may shorten it. */
  sleep?: (ms: number) => Promise<void>;
  retry?: Partial<RetryPolicy>;
  /** How long a user stays paused after `quotaExceeded` (Google: "for hours"). */
  quotaPauseMs?: number;
  /** The budgets' window; Google counts per minute (default: a minute plus a margin). Tests shorten it. */
  quotaWindowMs?: number;
  /** Each HTTP request (token or Calendar) that has not answered by then fails as `timeout`. */
  requestTimeoutMs?: number;
  /** Aborts every request in flight and every wait (SIGTERM, a stopped daemon). */
  signal?: AbortSignal;
}

/** What the engine, the diagnostics and the benchmark see of the Google side. */
export interface GoogleCalendarsClient extends GoogleCalendars {
  /** Calendar API HTTP requests sent (every attempt, retries included). */
  requestCount(): number;
  /** Token endpoint requests sent. */
  tokenRequestCount(): number;
  /** Google's clock minus ours, from the `Date` header of the last answer (0 before any). */
  clockOffsetMs(): number;
  /** Users Google put in read-only mode (`quotaExceeded`), and until when we leave them alone. */
  pausedUsers(): { user: string; until: Date }[];
  /** Mints a fresh access token for `user`; throws a classified `GoogleApiError`. */
  verifyToken(user: string): Promise<void>;
  close(): void;
}

const DEFAULT_QUOTA_PAUSE_MS = 3 * 60 * 60 * 1000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const PAGE_SIZE = 2500;
/** Below this the `Date` header's one-second resolution is all we would be correcting. */
const SIGNIFICANT_SKEW_MS = 5_000;

type Jwt = InstanceType<typeof googleAuth.JWT>;
// The transport types of the google-auth-library copy the Calendar client is built on.
type JwtOptions = Exclude<ConstructorParameters<typeof googleAuth.JWT>[0], string | undefined>;
type Adapter = NonNullable<NonNullable<JwtOptions['transporterOptions']>['adapter']>;

interface UserClient {
  jwt: Jwt;
  api: calendar_v3.Calendar;
  limiter: SlidingWindowLimiter;
  timeZone?: string;
}

const missingServiceAccount = () =>
  new AppError(
    'google.no-service-account',
    'gcp.client-id',
    localized(
      'Palvelutilin sähköpostiosoitetta ei ole annettu.',
      'The service-account e-mail address has not been given.',
    ),
  );

/**
 * Per-user Calendar clients (design D3/D4): one google-auth-library `JWT` per impersonated user
 * (subject = the user, scope calendar), reused, and one googleapis Calendar client on it with
 * `rootUrl` from the settings. The token URL is hard-coded in the library, so every HTTP
 * request of a user's client passes an adapter on its gaxios transporter that re-targets the
 * token request to `settings.tokenUrl`, holds API requests to the per-user and per-project
 * budgets, counts them and reads Google's clock from the `Date` header.
 *
 * `JWT` is taken from the googleapis package's own google-auth-library (`auth.JWT`) so that the
 * Calendar client accepts it without a second copy of the types.
 */
export function createGoogleCalendars(options: GoogleCalendarsOptions): GoogleCalendarsClient {
  const { settings, privateKeyPem } = options;
  const email = settings.serviceAccountEmail;
  if (!email) throw missingServiceAccount();
  registerSecret(privateKeyPem);
  const logger = (options.logger ?? silentLogger).child('google');
  const { signal } = options;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const sleep = options.sleep;
  const clock: Clock = {
    now: options.now ?? systemClock.now,
    // Waits (backoff, budgets) end early, timer and all, when the run is aborted.
    sleep: (ms) =>
      sleep
        ? signal
          ? abortable(sleep(ms), signal)
          : sleep(ms)
        : delay(ms, undefined, { signal }),
  };
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const quotaPauseMs = options.quotaPauseMs ?? DEFAULT_QUOTA_PAUSE_MS;
  const quotaWindowMs = options.quotaWindowMs ?? GOOGLE_QUOTA_WINDOW_MS;
  const projectLimiter = new SlidingWindowLimiter(settings.projectRequestsPerMinute, quotaWindowMs);
  const users = new Map<string, UserClient>();
  const pausedUntil = new Map<string, number>();
  let apiRequests = 0;
  let tokenRequests = 0;
  let offsetMs = 0;

  const observeDate = (date: string | null) => {
    const serverMs = date ? Date.parse(date) : NaN;
    // The header has whole seconds; the middle of that second is the best estimate.
    if (!Number.isNaN(serverMs)) offsetMs = serverMs + 500 - clock.now();
  };
  const correctedSeconds = () =>
    Math.floor((clock.now() + (Math.abs(offsetMs) >= SIGNIFICANT_SKEW_MS ? offsetMs : 0)) / 1000);
  // Read by the library each time it signs an assertion (it spreads these over its own
  // iat/exp), so a token minted after a skew was seen carries Google's time.
  const clockClaims = {
    get iat() {
      return correctedSeconds();
    },
    get exp() {
      return correctedSeconds() + 3600;
    },
  };

  const adapterFor =
    (limiter: SlidingWindowLimiter): Adapter =>
    async (opts, next) => {
      if (opts.url.href === REAL_GOOGLE_TOKEN_URL) {
        opts = { ...opts, url: new URL(settings.tokenUrl) };
        tokenRequests++;
      } else {
        await acquireAll([limiter, projectLimiter], clock);
        apiRequests++;
      }
      // Our retry policy is the only one (the library would retry the token POST on its own),
      // and every request has a deadline and ends with the run.
      opts.retryConfig = { ...opts.retryConfig, retry: 0, noResponseRetries: 0 };
      const deadline = AbortSignal.timeout(requestTimeoutMs);
      opts.signal = AbortSignal.any(
        [deadline, signal, opts.signal].filter((s): s is AbortSignal => s !== undefined),
      );
      let response: Awaited<ReturnType<typeof next>>;
      try {
        response = await next(opts);
      } catch (e) {
        // The fetch layer reports both as a bare abort: say which it was.
        if (deadline.aborted)
          throw new DOMException(`No answer within ${requestTimeoutMs} ms`, 'TimeoutError');
        if (signal?.aborted) throw new DOMException('The sync was stopped', 'AbortError');
        throw e;
      }
      observeDate(response.headers.get('date'));
      return response;
    };

  /** A user's JWT and Calendar client; `renew` replaces them (a new JWT holds no cached token). */
  const connect = (user: string, limiter: SlidingWindowLimiter): UserClient => {
    const jwt = new googleAuth.JWT({
      email,
      key: privateKeyPem,
      scopes: [GOOGLE_CALENDAR_SCOPE],
      subject: user,
      additionalClaims: clockClaims,
      transporterOptions: { adapter: adapterFor(limiter) },
    });
    return { jwt, limiter, api: calendar({ version: 'v3', auth: jwt, rootUrl: settings.apiRoot }) };
  };
  const userClient = (user: string, renew = false): UserClient => {
    const existing = users.get(user);
    if (existing && !renew) return existing;
    const limiter =
      existing?.limiter ?? new SlidingWindowLimiter(settings.userRequestsPerMinute, quotaWindowMs);
    const client = { ...connect(user, limiter), timeZone: existing?.timeZone };
    users.set(user, client);
    return client;
  };

  const isClockError = (e: GoogleApiError) =>
    e.reason === 'invalid_grant' && /short-lived|reasonable timeframe/i.test(e.googleMessage);

  /**
   * Runs `run`, and once more after Google refused the access token (401: a new JWT signs in
   * again) or the assertion's times when its `Date` showed our clock is off (the next
   * assertion carries corrected times).
   */
  async function withFreshCredentials<T>(user: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      const error = toGoogleApiError(e, user, clock.now());
      if (error.status === 401 && !error.fromTokenEndpoint) {
        // The library only refreshes a token it believes expired; Google may end one sooner.
        logger.debug('access token refused; signing in again', { user });
        userClient(user, true);
      } else if (isClockError(error) && Math.abs(offsetMs) >= SIGNIFICANT_SKEW_MS) {
        logger.warn('clock skew corrected from Google Date header', { user, offsetMs });
      } else throw error;
      return run();
    }
  }

  /**
   * One logical call: fails fast for a paused user, retries transient failures and clock
   * errors and refused tokens (see withFreshCredentials), and pauses the user on `quotaExceeded`.
   */
  async function call<T>(
    user: string,
    what: string,
    request: (api: calendar_v3.Calendar) => Promise<{ data: T }>,
  ): Promise<T> {
    const paused = pausedUntil.get(user);
    if (paused !== undefined) {
      if (paused > clock.now()) throw userPausedError(user, new Date(paused));
      pausedUntil.delete(user);
    }
    const toError = (e: unknown) => toGoogleApiError(e, user, clock.now());
    const attempt = () =>
      withFreshCredentials(user, async () => (await request(userClient(user).api)).data);
    try {
      return await withRetry(attempt, toError, {
        clock,
        policy,
        signal,
        onRetry: (error, retry, delayMs) =>
          logger.debug('retrying Google call', {
            user,
            what,
            reason: error.reason,
            status: error.status,
            retry,
            delayMs,
          }),
      });
    } catch (e) {
      const error = toError(e);
      if (error.reason === 'quotaExceeded') {
        const until = clock.now() + quotaPauseMs;
        pausedUntil.set(user, until);
        logger.warn('Google limited the calendar; user paused', {
          user,
          until: new Date(until).toISOString(),
        });
      }
      throw error;
    }
  }

  // googleapis' own retries would double ours; every attempt goes through `call`.
  const noLibraryRetry = { retry: false } as const;
  const ifMatch = (etag?: string) =>
    etag ? { ...noLibraryRetry, headers: { 'If-Match': etag } } : noLibraryRetry;

  const forUser = (userEmail: string): UserCalendar => {
    const user = userEmail.trim().toLowerCase();
    return {
      user,
      async timeZone() {
        const cached = userClient(user).timeZone;
        if (cached) return cached;
        const primary = await call(user, 'calendars.get', (api) =>
          api.calendars.get({ calendarId: 'primary' }, noLibraryRetry),
        );
        const zone = primary.timeZone ?? 'UTC';
        userClient(user).timeZone = zone;
        return zone;
      },
      async listEvents(o: ListEventsOptions): Promise<EventListing> {
        // Google refuses the window, filters and showDeleted=false together with a sync token.
        const query: calendar_v3.Params$Resource$Events$List = o.syncToken
          ? {
              calendarId: 'primary',
              singleEvents: true,
              maxResults: PAGE_SIZE,
              syncToken: o.syncToken,
            }
          : {
              calendarId: 'primary',
              singleEvents: true,
              maxResults: PAGE_SIZE,
              showDeleted: o.showDeleted ?? false,
              timeMin: o.timeMin,
              timeMax: o.timeMax,
              privateExtendedProperty: o.privateExtendedProperty
                ? [o.privateExtendedProperty]
                : undefined,
            };
        const events: GoogleEvent[] = [];
        let pageToken: string | undefined;
        for (;;) {
          const page = await call(user, 'events.list', (api) =>
            api.events.list({ ...query, pageToken }, noLibraryRetry),
          );
          events.push(...(page.items ?? []));
          if (!page.nextPageToken) return { events, nextSyncToken: page.nextSyncToken ?? null };
          pageToken = page.nextPageToken;
        }
      },
      async getEvent(id) {
        try {
          return await call(user, 'events.get', (api) =>
            api.events.get({ calendarId: 'primary', eventId: id }, noLibraryRetry),
          );
        } catch (e) {
          if (e instanceof GoogleApiError && e.status === 404) return null;
          throw e;
        }
      },
      insertEvent: (event) =>
        call(user, 'events.insert', (api) =>
          api.events.insert(
            { calendarId: 'primary', sendUpdates: 'none', requestBody: event },
            noLibraryRetry,
          ),
        ),
      updateEvent: (id, event, etag) =>
        call(user, 'events.update', (api) =>
          api.events.update(
            { calendarId: 'primary', eventId: id, sendUpdates: 'none', requestBody: event },
            ifMatch(etag),
          ),
        ),
      patchEvent: (id, patch, etag) =>
        call(user, 'events.patch', (api) =>
          api.events.patch(
            { calendarId: 'primary', eventId: id, sendUpdates: 'none', requestBody: patch },
            ifMatch(etag),
          ),
        ),
      async deleteEvent(id, etag) {
        try {
          await call(user, 'events.delete', (api) =>
            api.events.delete(
              { calendarId: 'primary', eventId: id, sendUpdates: 'none' },
              ifMatch(etag),
            ),
          );
        } catch (e) {
          // Already deleted (410), or deleted and since purged by Google (404): done either way.
          if (e instanceof GoogleApiError && (e.status === 410 || e.status === 404)) return;
          throw e;
        }
      },
    };
  };

  return {
    forUser,
    requestCount: () => apiRequests,
    tokenRequestCount: () => tokenRequests,
    clockOffsetMs: () => offsetMs,
    pausedUsers: () =>
      [...pausedUntil]
        .filter(([, until]) => until > clock.now())
        .map(([user, until]) => ({ user, until: new Date(until) })),
    async verifyToken(userEmail) {
      const user = userEmail.trim().toLowerCase();
      await withRetry(
        () => withFreshCredentials(user, () => userClient(user).jwt.authorize()),
        (e) => toGoogleApiError(e, user, clock.now()),
        { clock, policy, signal },
      );
    },
    close: () => users.clear(),
  };
}

/** `work`, or a rejection as soon as `signal` aborts (a test's own sleep is left to end by itself). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

/**
 * For the diagnostics: mint a token for `user` with a fresh client and classify the failure.
 * Returns null when Google issued a token.
 */
export async function probeToken(
  options: GoogleCalendarsOptions & { user: string },
): Promise<GoogleApiError | null> {
  const client = createGoogleCalendars(options);
  try {
    await client.verifyToken(options.user);
    return null;
  } catch (e) {
    return toGoogleApiError(e, options.user);
  } finally {
    client.close();
  }
}
