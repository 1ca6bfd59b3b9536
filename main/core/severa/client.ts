import { setTimeout as sleepFor } from 'node:timers/promises';
import { z } from 'zod';
import { AppError } from '../errors';
import { localized } from '../localized';
import { registerSecret, scrub, silentLogger, type Logger } from '../log';
import type { Activity, ActivityInput, ActivityQuery, PatchOperation } from './models';
import { processRateLimiter, type RateLimiter } from './rate-limiter';
import {
  activitySchema,
  activityTypeSchema,
  participantSchema,
  severaUserSchema,
  withGuid,
} from './schemas';
import { SeveraApiError, severaErrorFromResponse } from './severa-errors';
import { parseTokenResponse, TokenCache } from './token';
import { SEVERA_SCOPES, type SeveraApi } from './types';

export interface RetryPolicy {
  /** Retries after the first attempt (429, 5xx and dropped connections; a 401 gets its own one retry). */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 6, baseDelayMs: 250, maxDelayMs: 30_000 };

export interface SeveraClientOptions {
  apiRoot: string;
  clientId: string;
  clientSecret: string;
  /** Severa allows about 10 (reference §5.2); the limiter is shared by every client of this API root. */
  requestsPerSecond?: number;
  logger?: Logger;
  fetch?: typeof fetch;
  scopes?: readonly string[];
  retry?: Partial<RetryPolicy>;
  /** Each request that has not answered by then fails (and is retried where that is safe). */
  timeoutMs?: number;
  /** Aborts every request in flight and every wait (SIGTERM, a stopped daemon). */
  signal?: AbortSignal;
}

export interface SeveraClient extends SeveraApi {
  /** HTTP requests sent so far (token requests and retries included). */
  requestCount(): number;
  /** Fetches (or reuses) a token and returns the scopes Severa says it carries. */
  grantedScopes(): Promise<string[]>;
}

/** Page size for every cursor-paged list (Severa's documented maximum). */
export const PAGE_SIZE = 100;

const OFFSET_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Severa reads a date-time without an offset in some user's zone; we never send one. */
function offsetDateTime(field: string, value: string): string {
  if (!OFFSET_DATE_TIME.test(value)) {
    throw new AppError(
      'severa-date-without-offset',
      null,
      localized(
        `Päivämäärä ${field}="${value}" ei sisällä aikavyöhykettä (esim. Z tai +02:00).`,
        `The date-time ${field}="${value}" has no offset (such as Z or +02:00).`,
      ),
    );
  }
  return value;
}

type QueryValue = string | number | boolean | readonly string[] | undefined;

/** Arrays repeat the key (`style: form, explode: true`); URLSearchParams sends `+` as %2B. */
function queryOf(entries: Record<string, QueryValue>): URLSearchParams {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(entries)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) query.append(key, item);
    else query.append(key, String(value));
  }
  return query;
}

interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  /** Whether sending it twice does no harm (reads, deletes, patches that set fields, token requests). */
  repeatable: boolean;
  /** Without the bearer (the token request itself). */
  anonymous?: boolean;
  /** 404 is an answer here, not an error. */
  notFoundIsAnswer?: boolean;
  /** Goes before other waiting requests (see `RateLimiter.acquire`). */
  urgent?: boolean;
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** `Retry-After` in seconds or as an HTTP date; null when absent or unreadable. */
function retryAfterMs(headers: Headers): number | null {
  const value = headers.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** Whether a failed fetch never reached the server, so that even a create may be sent again. */
const neverReachedServer = (e: unknown) =>
  (e as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';

export function createSeveraClient(options: SeveraClientOptions): SeveraClient {
  const apiRoot = options.apiRoot.replace(/\/+$/, '');
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const doFetch = options.fetch ?? fetch;
  const logger = (options.logger ?? silentLogger).child('severa');
  const limiter: RateLimiter = processRateLimiter(apiRoot, options.requestsPerSecond ?? 10);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const stop = options.signal;
  const sleep = (ms: number) => sleepFor(ms, undefined, { signal: stop });
  const deadline = () =>
    stop ? AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]) : AbortSignal.timeout(timeoutMs);
  const scopes = options.scopes ?? SEVERA_SCOPES;
  registerSecret(options.clientSecret);
  let requests = 0;

  const backoff = (retryNumber: number) => {
    const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** retryNumber);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  };

  /** One HTTP exchange through the limiter; network failures come back as the thrown error. */
  async function exchange(spec: RequestSpec, bearer: string | null): Promise<Answer> {
    const url = `${apiRoot}${spec.path}${spec.query && [...spec.query].length > 0 ? `?${spec.query}` : ''}`;
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Client_Id: options.clientId,
    };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    const release = await limiter.acquire(spec.urgent);
    requests++;
    let response: Response;
    try {
      response = await doFetch(url, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: deadline(),
      });
    } finally {
      release();
    }
    const text = await response.text();
    let body: unknown = text;
    if (text && (response.headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text; an error below quotes it
      }
    }
    return { status: response.status, headers: response.headers, body };
  }

  async function request(spec: RequestSpec): Promise<Answer> {
    const label = `${spec.method} ${spec.path}`;
    let retries = 0;
    let reissued = false;
    for (;;) {
      const token = spec.anonymous ? null : await tokens.get();
      let answer: Answer;
      try {
        answer = await exchange(spec, token?.accessToken ?? null);
      } catch (e) {
        const message = scrub(
          e instanceof Error
            ? `${e.message} ${String((e as { cause?: unknown }).cause ?? '')}`
            : String(e),
        );
        if (stop?.aborted)
          throw new SeveraApiError('Unreachable', null, 'The sync was stopped.', label, {
            cause: e,
          });
        if ((spec.repeatable || neverReachedServer(e)) && retries < retry.maxRetries) {
          const delay = backoff(retries++);
          logger.warn('severa request failed, retrying', {
            request: label,
            error: message,
            delayMs: Math.round(delay),
          });
          await sleep(delay);
          continue;
        }
        throw new SeveraApiError('Unreachable', null, message.trim(), label, {
          cause: e,
          url: apiRoot,
        });
      }
      const { status } = answer;
      logger.debug('severa request', { request: label, status });
      if (status === 401 && token && !reissued) {
        reissued = true;
        tokens.invalidate(token.accessToken);
        logger.info('severa token refused, fetching a new one', { request: label });
        continue;
      }
      const transient = status === 429 || (status >= 500 && spec.repeatable);
      if (transient && retries < retry.maxRetries) {
        // A Retry-After longer than our longest wait is not waited out in one call: retry sooner, or give up.
        const asked = status === 429 ? retryAfterMs(answer.headers) : null;
        const delay = asked === null ? backoff(retries) : Math.min(asked, retry.maxDelayMs);
        retries++;
        logger.warn('severa answered with a transient error, retrying', {
          request: label,
          status,
          delayMs: Math.round(delay),
        });
        await sleep(delay);
        continue;
      }
      if (status < 400 || (status === 404 && spec.notFoundIsAnswer)) return answer;
      const error = severaErrorFromResponse(
        status,
        typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body),
        label,
      );
      logger.warn('severa request failed', {
        request: label,
        status,
        type: error.type,
        message: error.serverMessage,
      });
      throw error;
    }
  }

  const tokens = new TokenCache(async () => {
    const answer = await request({
      method: 'POST',
      path: '/v1/token',
      body: {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        scope: scopes.join(' '),
      },
      repeatable: true,
      anonymous: true,
      urgent: true,
    });
    return parseTokenResponse(answer.body, Date.now());
  });

  const parse = <T>(schema: z.ZodType<T>, body: unknown, label: string): T => {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    throw new SeveraApiError(
      'UnexpectedResponse',
      null,
      z.prettifyError(result.error).slice(0, 500),
      label,
    );
  };

  /**
   * `buildQuery` runs when iteration starts, so a bad argument rejects the first `next()`. Rows
   * without a guid (the document allows them) cannot be linked and are left out, with a warning.
   */
  async function* paged<T extends { guid: string | null }>(
    path: string,
    buildQuery: () => URLSearchParams,
    schema: z.ZodType<T>,
    urgent = false,
  ): AsyncGenerator<T & { guid: string }> {
    const rows = z.array(schema);
    const query = buildQuery();
    let pageToken: string | null = null;
    do {
      const pageQuery = new URLSearchParams(query);
      pageQuery.set('rowCount', String(PAGE_SIZE));
      if (pageToken) pageQuery.set('pageToken', pageToken);
      const answer = await request({
        method: 'GET',
        path,
        query: pageQuery,
        repeatable: true,
        urgent,
      });
      const page = withGuid(parse(rows, answer.body, `GET ${path}`));
      if (page.without > 0)
        logger.warn('severa listed rows without a guid; they are left out', {
          request: `GET ${path}`,
          rows: page.without,
        });
      yield* page.rows;
      pageToken = answer.headers.get('NextPageToken') || null;
    } while (pageToken);
  }

  const activityPath = (guid: string) => `/v1/activities/${encodeURIComponent(guid)}`;

  return {
    requestCount: () => requests,
    grantedScopes: async () => (await tokens.get()).scopes,

    listActivities: (q: ActivityQuery) =>
      paged(
        '/v1/activities',
        () =>
          queryOf({
            changedSince: q.changedSince && offsetDateTime('changedSince', q.changedSince),
            startDateTime: q.startDateTime && offsetDateTime('startDateTime', q.startDateTime),
            endDateTime: q.endDateTime && offsetDateTime('endDateTime', q.endDateTime),
            userGuids: q.userGuids,
            includeAsMember: q.includeAsMember,
            activityTypeGuids: q.activityTypeGuids,
            activityCategories: q.activityCategories,
            recurrenceType: q.recurrenceType,
          }),
        activitySchema,
      ),

    async getActivity(guid) {
      const answer = await request({
        method: 'GET',
        path: activityPath(guid),
        repeatable: true,
        notFoundIsAnswer: true,
      });
      if (answer.status === 404) return null;
      const activity = parse(activitySchema, answer.body, 'GET /v1/activities/{guid}');
      return { ...activity, guid: activity.guid ?? guid };
    },

    async createActivity(input: ActivityInput) {
      offsetDateTime('startDateTime', input.startDateTime);
      if (input.endDateTime) offsetDateTime('endDateTime', input.endDateTime);
      const answer = await request({
        method: 'POST',
        path: '/v1/activities',
        body: input,
        repeatable: false,
      });
      const created = parse(activitySchema, answer.body, 'POST /v1/activities');
      if (!created.guid)
        throw new SeveraApiError(
          'UnexpectedResponse',
          answer.status,
          'Severa created the activity but did not say its guid.',
          'POST /v1/activities',
        );
      return { ...created, guid: created.guid };
    },

    async patchActivity(guid, ops: PatchOperation[]): Promise<Activity> {
      for (const op of ops)
        if (/DateTime$/.test(op.path) && typeof op.value === 'string')
          offsetDateTime(op.path, op.value);
      // Setting fields is idempotent, so a patch may be sent again after a dropped connection.
      const answer = await request({
        method: 'PATCH',
        path: activityPath(guid),
        body: ops,
        repeatable: true,
      });
      const [updated] = parse(
        z.array(activitySchema).min(1),
        answer.body,
        'PATCH /v1/activities/{guid}',
      );
      return { ...(updated as Activity), guid: updated?.guid ?? guid };
    },

    async deleteActivity(guid) {
      const answer = await request({
        method: 'DELETE',
        path: activityPath(guid),
        repeatable: true,
        notFoundIsAnswer: true,
      });
      return answer.status !== 404;
    },

    async listParticipants(activityGuid) {
      const answer = await request({
        method: 'GET',
        path: `${activityPath(activityGuid)}/activityparticipants`,
        repeatable: true,
      });
      return parse(
        z.array(participantSchema),
        answer.body,
        'GET /v1/activities/{guid}/activityparticipants',
      );
    },

    async addParticipant(activityGuid, userGuid) {
      const answer = await request({
        method: 'POST',
        path: '/v1/activityparticipants',
        body: { activityGuid, participantGuid: userGuid, type: 'User' },
        repeatable: false,
      });
      return parse(participantSchema, answer.body, 'POST /v1/activityparticipants');
    },

    async removeParticipant(activityGuid, participantGuid) {
      await request({
        method: 'DELETE',
        path: `${activityPath(activityGuid)}/activityparticipants/${encodeURIComponent(participantGuid)}`,
        repeatable: true,
        notFoundIsAnswer: true,
      });
    },

    // Every other request of a run waits for the users and the types: they go first.
    listUsers: (q = {}) =>
      paged(
        '/v1/users',
        () => queryOf({ email: q.email, isActive: q.isActive }),
        severaUserSchema,
        true,
      ),

    listActivityTypes: (q = {}) =>
      paged('/v1/activitytypes', () => queryOf({ active: q.active }), activityTypeSchema, true),
  };
}
