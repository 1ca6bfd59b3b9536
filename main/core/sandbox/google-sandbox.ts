import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GoogleEvent } from './google/calendar-store';
import { callControl, CONTROL_METHODS } from './google/control-http';
import { seedDemoCompany, type DemoGoogleInfo } from './google/demo';
import { checkRequest, checkResponse, matchMethod } from './google/discovery';
import { API_ERRORS, type SandboxResponse } from './google/responses';
import { SandboxState, type GoogleSandboxControl } from './google/state';
import { handleTokenRequest } from './google/token-endpoint';

export type {
  GoogleSandboxControl,
  ContractDeparture,
  FaultPlan,
  SandboxRequest,
  SandboxUserOptions,
  RateLimits,
} from './google/state';
export type { DemoGoogleInfo } from './google/demo';

export interface GoogleSandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  latencyMs?: number;
  /** Seed the Kalevala demo company and write its P12 key to `demoDir` (default: a new temp folder). */
  seedDemo?: boolean;
  demoDir?: string;
  /**
   * `close()` rejects when the sandbox answered anything Google's discovery document does not
   * allow (default true: every test that starts a sandbox is also a check of its answers). The
   * demo turns it off; requests that depart from the document are refused with 400 either way.
   */
  failOnDepartures?: boolean;
}

export interface GoogleSandbox {
  /** The Calendar API root to put in settings.google.apiRoot (ends with `/`). */
  apiRoot: string;
  /** The token endpoint to put in settings.google.tokenUrl. */
  tokenUrl: string;
  control: GoogleSandboxControl;
  demo: DemoGoogleInfo | null;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
/** Scopes that reach events (reference §3, "Scopes"). */
const CALENDAR_SCOPES = new Set(
  ['calendar', 'calendar.events', 'calendar.events.owned', 'calendar.app.created'].map(
    (s) => `https://www.googleapis.com/auth/${s}`,
  ),
);

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const parseJson = (text: string): unknown => (text ? JSON.parse(text) : undefined);

/**
 * A loopback HTTP server that behaves like Google where our code meets it: the OAuth token
 * endpoint (JWT bearer grant with domain-wide delegation) and Calendar v3 events on each user's
 * primary calendar, with Google's project-level errors, quotas and injectable faults. State and
 * faults are set through `control` (or `/_sandbox/...` over HTTP, see google/README.md).
 */
export async function startGoogleSandbox(
  options: GoogleSandboxOptions = {},
): Promise<GoogleSandbox> {
  const host = options.host ?? '127.0.0.1';
  let state: SandboxState | null = null;
  const server = createServer((req, res) => {
    if (state) void serve(state, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host}:${port}`;
  state = new SandboxState(`${origin}/token`);
  state.latencyMs = options.latencyMs ?? 0;
  const demo = options.seedDemo
    ? seedDemoCompany(
        state,
        options.demoDir ?? mkdtempSync(join(tmpdir(), 'google-sandbox-demo-')),
        state.now(),
      )
    : null;
  return {
    apiRoot: `${origin}/`,
    tokenUrl: `${origin}/token`,
    control: state,
    demo,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      const answers = state.contractDepartures().filter((d) => d.kind === 'response');
      if (answers.length > 0 && options.failOnDepartures !== false)
        throw new Error(
          `The Google sandbox answered outside the Calendar v3 discovery document: ${JSON.stringify(answers.slice(0, 5))}`,
        );
    },
  };
}

/** The `sub` of a token request's assertion (unverified: it only scopes faults to a user). */
function assertionSubject(form: string): string | null {
  const payload = new URLSearchParams(form).get('assertion')?.split('.')[1];
  try {
    const sub = payload
      ? (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub?: unknown }).sub
      : null;
    return typeof sub === 'string' ? sub.toLowerCase() : null;
  } catch {
    return null;
  }
}

function send(state: SandboxState, res: ServerResponse, response: SandboxResponse): void {
  res.statusCode = response.status;
  res.setHeader('Date', new Date(state.now()).toUTCString());
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  if (response.body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=UTF-8');
  res.end(JSON.stringify(response.body));
}

async function serve(
  state: SandboxState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const method = req.method ?? 'GET';
  try {
    const text = await readBody(req);
    if (url.pathname === '/_sandbox')
      return send(state, res, { status: 200, body: { methods: CONTROL_METHODS } });
    if (url.pathname.startsWith('/_sandbox/') && method === 'POST')
      return send(
        state,
        res,
        callControl(state, url.pathname.slice('/_sandbox/'.length), parseJson(text)),
      );
    if (state.latencyMs > 0) await sleep(state.latencyMs);

    const isToken = url.pathname === '/token' && method === 'POST';
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const caller = isToken
      ? assertionSubject(text)
      : (state.tokens.get(bearer ?? '')?.user ?? null);
    const fault = state.takeFault(url.pathname + url.search, caller);
    // A stalled request is never answered; closing the sandbox ends its connection.
    if (fault?.kind === 'stall') return;
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    const { response, user } = fault
      ? { response: faultResponse(state, fault.kind, fault.retryAfterSeconds), user: null }
      : isToken
        ? tokenResponse(state, new URLSearchParams(text))
        : apiResponse(state, method, url, req.headers, text);
    if (isToken || url.pathname.startsWith('/calendar/')) {
      const query: Record<string, string[]> = {};
      for (const key of url.searchParams.keys()) query[key] = url.searchParams.getAll(key);
      state.record(
        { method, path: url.pathname, query, user, status: response.status },
        isToken ? 'token' : 'api',
      );
    }
    const answered = isToken || fault ? null : matchMethod(method, url.pathname);
    if (answered && response.status < 300) {
      const problems = checkResponse(answered.method, response.body);
      if (problems.length > 0)
        state.depart({ kind: 'response', method: answered.method.id, problems });
    }
    send(state, res, response);
  } catch (e) {
    send(state, res, API_ERRORS.invalid(e instanceof Error ? e.message : String(e)));
  }
}

function faultResponse(
  state: SandboxState,
  kind: string,
  retryAfterSeconds: number,
): SandboxResponse {
  switch (kind) {
    case 'burst429':
      return API_ERRORS.tooManyRequests(retryAfterSeconds);
    case 'rateLimited403':
      return API_ERRORS.userRateLimit(state.projectNumber);
    case 'quotaExceeded':
      return API_ERRORS.quotaExceeded();
    default:
      return API_ERRORS.backendError();
  }
}

function tokenResponse(
  state: SandboxState,
  form: URLSearchParams,
): { response: SandboxResponse; user: string | null } {
  const { response, issued } = handleTokenRequest(form, state);
  if (issued) state.tokens.set(issued.accessToken, issued);
  return { response, user: issued?.user ?? null };
}

/** Google's order: credentials, the API enabled for the project, quota, scope, the user's Calendar. */
function apiResponse(
  state: SandboxState,
  method: string,
  url: URL,
  headers: IncomingMessage['headers'],
  text: string,
): { response: SandboxResponse; user: string | null } {
  const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
  const token = bearer ? state.tokens.get(bearer) : undefined;
  if (!token || token.expiresAt <= state.now())
    return { response: API_ERRORS.authError(), user: null };
  const user = token.user;
  const reply = (response: SandboxResponse) => ({ response, user });
  if (!state.apiEnabled) return reply(API_ERRORS.accessNotConfigured(state.projectNumber));
  const limited = state.admit(user);
  if (limited)
    return reply(
      limited === 'user'
        ? API_ERRORS.userRateLimit(state.projectNumber)
        : API_ERRORS.projectRateLimit(state.projectNumber),
    );
  if (!token.scopes.some((s) => CALENDAR_SCOPES.has(s)))
    return reply(API_ERRORS.insufficientPermissions());
  const account = state.users.get(user);
  if (!account) return reply(API_ERRORS.authError());
  if (!account.calendar) return reply(API_ERRORS.notACalendarUser());

  const store = account.store;
  const match = matchMethod(method, url.pathname);
  if (!match) return reply(API_ERRORS.notFound());
  const body = parseJson(text) as GoogleEvent | undefined;
  const problems = checkRequest(match.method, url.searchParams, body);
  if (problems.length > 0) {
    state.depart({ kind: 'request', method: match.method.id, problems });
    return reply(API_ERRORS.invalid(problems.join('; ')));
  }
  const calendarId = match.pathParams.calendarId?.toLowerCase();
  if (calendarId !== 'primary' && calendarId !== user) return reply(API_ERRORS.notFound());
  const eventId = match.pathParams.eventId ?? '';
  const ifMatch = typeof headers['if-match'] === 'string' ? headers['if-match'] : null;
  switch (match.method.id) {
    case 'calendar.calendars.get':
      return reply(store.primaryCalendar());
    case 'calendar.events.list':
      return reply(store.list(url.searchParams));
    case 'calendar.events.insert':
      return reply(store.insert(body ?? {}));
    case 'calendar.events.import':
      return reply(store.importEvent(body ?? {}));
    case 'calendar.events.get':
      return reply(store.get(eventId, url.searchParams));
    case 'calendar.events.update':
      return reply(store.update(eventId, body ?? {}, { ifMatch }));
    case 'calendar.events.patch':
      return reply(store.patch(eventId, body ?? {}, { ifMatch }));
    case 'calendar.events.delete':
      return reply(store.delete(eventId, { ifMatch }));
    default:
      return reply(API_ERRORS.notFound());
  }
}
