import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  Activity,
  ActivityParticipant,
  ActivityType,
  MemberStatus,
  SeveraUser,
} from '../severa/models';
import { DEMO_SEVERA_CLIENT_ID } from './demo-company';
import { apiRoutes } from './severa/api-routes';
import { seedDemoCompany } from './severa/demo-seed';
import { seedNulls } from './severa/null-seed';
import {
  recordViolation,
  requestViolation,
  responseViolation,
  type DocumentViolation,
} from './severa/document';
import { errorReply, findRoute, readJson, writeReply, type Reply, type Route } from './severa/http';
import {
  SandboxError,
  SeveraSandboxStore,
  type ActivitySeed,
  type AllDayStorage,
  type ActivityTypeSeed,
  type UserSeed,
} from './severa/store';

export interface SeveraSandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  seedDemo?: boolean;
  /** Added before every API answer (not the control surface). */
  latencyMs?: number;
  /** Severa's limit (default 10); beyond it the sandbox answers 429. */
  requestsPerSecond?: number;
  tokenLifetimeSeconds?: number;
  /** "Now" for the demo week (tests pin it). */
  now?: Date;
  /** The organisation's zone; every date-time is answered with its offset (default Helsinki). */
  organizationTimeZone?: string;
  /** How all-day activities are kept, which the document leaves open (default as sent). */
  allDayStorage?: AllDayStorage;
  /** With `seedDemo`: every field the document marks nullable is null somewhere (severa/null-seed.ts). */
  nulls?: boolean;
  /**
   * Whether a participant change moves the activity's `lastUpdatedDateTime` (default true). The
   * document does not say; false shows what the engine does if Severa does not.
   */
  participantChangesStamp?: boolean;
}

export interface SandboxRequest {
  /** ms since the epoch, sub-millisecond precision. */
  time: number;
  method: string;
  path: string;
  /** The raw query string (with its leading `?`), as sent. */
  query: string;
  /** 0 when the connection was dropped on purpose. */
  status: number;
}

export interface SeveraFaults {
  status5xx?: number;
  drop?: number;
  burst429?: number;
  /** Sent with the injected 429s; by default none (Severa sends none, reference §5.2). */
  retryAfterSeconds?: number;
  /**
   * The next matching request gets this error envelope (the document's `default` answer), e.g.
   * an `AddonMissing` for a company whose Severa lacks something the document does not name.
   */
  severaError?: { status: number; type: string; message: string };
  /** Only requests whose path matches. */
  for?: RegExp;
}

export interface SandboxCollection<T, Seed> {
  listAll(): T[];
  get(guid: string): T | undefined;
  put(seed: Seed): T;
  edit(guid: string, patch: Partial<T>): T;
  delete(guid: string): boolean;
}

export interface SeveraSandboxControl {
  addClient(id: string, secret: string, scopes: readonly string[]): void;
  removeClient(id: string): void;
  injectFaults(faults: SeveraFaults): void;
  clearFaults(): void;
  /** Every token issued so far is refused from now on (401). */
  expireTokens(): void;
  setLatency(ms: number): void;
  setRequestsPerSecond(n: number): void;
  setTokenLifetime(seconds: number): void;
  /** Whether the token answer lists the granted scopes (the document types `scope`, not what it holds). */
  setTokenAnswerScope(listed: boolean): void;
  /** Whether an unknown guid answers 404 before the scope is checked (the document does not say). */
  setExistenceBeforeScope(first: boolean): void;
  users: SandboxCollection<SeveraUser, UserSeed>;
  activityTypes: SandboxCollection<ActivityType, ActivityTypeSeed>;
  activities: SandboxCollection<Activity, ActivitySeed>;
  /** An activity as the API answers it (date-times in the organisation's zone). */
  answerActivity(guid: string): Activity | undefined;
  participants: {
    list(activityGuid: string): ActivityParticipant[];
    add(activityGuid: string, userGuid: string, status?: MemberStatus): ActivityParticipant;
    remove(activityGuid: string, participantGuid: string): boolean;
    edit(
      activityGuid: string,
      participantGuid: string,
      patch: Partial<ActivityParticipant>,
    ): ActivityParticipant;
  };
  /** API requests (not the control surface), oldest first; the last 100 000 are kept. */
  readonly requestLog: readonly SandboxRequest[];
  /** Requests and answers that departed from Severa's OpenAPI document (see severa/document.ts). */
  readonly documentViolations: readonly DocumentViolation[];
  requestCount(): number;
  clearRequestLog(): void;
}

export interface SeveraSandbox {
  apiRoot: string;
  control: SeveraSandboxControl;
  /** The demo company's credentials (all scopes); the secret is new on every start. */
  demo: { clientId: string; clientSecret: string } | null;
  close(): Promise<void>;
}

const ALL_SCOPES = [
  'activities:read',
  'activities:write',
  'activities:delete',
  'settings:read',
  'users:read',
];
const MAX_LOG = 100_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const nowMs = () => performance.timeOrigin + performance.now();
const newSecret = () => randomBytes(24).toString('base64url');

type FaultKind = 'drop' | 'status5xx' | 'burst429';

/** A fake Severa REST API on loopback (design D9, D10); see severa/README.md. */
export async function startSeveraSandbox(
  options: SeveraSandboxOptions = {},
): Promise<SeveraSandbox> {
  const store = new SeveraSandboxStore({
    organizationTimeZone: options.organizationTimeZone,
    allDayStorage: options.allDayStorage,
    participantChangesStamp: options.participantChangesStamp,
  });
  const routes = apiRoutes(store);
  const clients = new Map<string, { secret: string; scopes: Set<string> }>();
  const tokens = new Map<string, { clientId: string; scopes: Set<string>; expiresAt: number }>();
  let faults: {
    kind: FaultKind | 'severaError';
    remaining: number;
    for?: RegExp;
    retryAfterSeconds?: number;
    error?: SeveraFaults['severaError'];
  }[] = [];
  let latencyMs = options.latencyMs ?? 0;
  let requestsPerSecond = options.requestsPerSecond ?? 10;
  let tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
  let tokenAnswerScope = true;
  let existenceBeforeScope = false;
  let accepted: number[] = [];
  let log: SandboxRequest[] = [];
  let count = 0;
  const violations: DocumentViolation[] = [];
  const noteViolation = (v: DocumentViolation) => {
    violations.push(v);
    recordViolation(v);
  };

  const refuse = (status: number, type: string, message: string): never => {
    throw new SandboxError(status, type, message);
  };

  function issueToken(body: unknown): Reply {
    const fields = Object.fromEntries(
      Object.entries((body ?? {}) as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const clientId = typeof fields.client_id === 'string' ? fields.client_id : '';
    const secret = typeof fields.client_secret === 'string' ? fields.client_secret : '';
    if (!clientId || !secret)
      refuse(400, 'InvalidParameter', 'client_id and client_secret are required.');
    const client = clients.get(clientId);
    if (!client || client.secret !== secret)
      refuse(401, 'AuthenticationRequired', 'Invalid client credentials.');
    const requested =
      typeof fields.scope === 'string' ? fields.scope.split(/[\s,]+/).filter(Boolean) : [];
    const granted = new Set(
      requested.length > 0 ? requested.filter((s) => client!.scopes.has(s)) : client!.scopes,
    );
    const accessToken = newSecret();
    const issuedAt = Date.now();
    tokens.set(accessToken, {
      clientId,
      scopes: granted,
      expiresAt: issuedAt + tokenLifetimeSeconds * 1000,
    });
    return {
      status: 200,
      body: {
        access_token: accessToken,
        access_token_type: 'Bearer',
        access_token_expires_in: tokenLifetimeSeconds,
        access_token_expires_utc: new Date(issuedAt + tokenLifetimeSeconds * 1000).toISOString(),
        refresh_token: newSecret(),
        refresh_token_expires_in: 86_400,
        refresh_token_expires_utc: new Date(issuedAt + 86_400_000).toISOString(),
        ...(tokenAnswerScope && { scope: [...granted].join(' ') }),
      },
    };
  }

  function authorize(req: IncomingMessage, scope: string | null): void {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ? tokens.get(bearer) : undefined;
    if (!token || token.expiresAt <= Date.now())
      refuse(
        401,
        'AuthenticationRequired',
        'Authentication is required: the access token is missing, expired or not valid.',
      );
    if (req.headers['client_id'] !== token!.clientId)
      refuse(
        401,
        'AuthenticationRequired',
        'The Client_Id header is missing or does not match the access token.',
      );
    if (scope !== null && !token!.scopes.has(scope))
      refuse(
        403,
        'InsufficientApiScope',
        `The access token does not have the required API scope '${scope}'.`,
      );
  }

  /** Injected fault for this request, if any: the first matching one with uses left. */
  function takeFault(path: string) {
    const fault = faults.find((f) => f.remaining > 0 && (!f.for || f.for.test(path)));
    if (fault) fault.remaining--;
    return fault;
  }

  function overLimit(): boolean {
    const now = nowMs();
    accepted = accepted.filter((t) => t > now - 1000);
    if (accepted.length >= requestsPerSecond) return true;
    accepted.push(now);
    return false;
  }

  async function handleApi(
    req: IncomingMessage,
    path: string,
    query: URLSearchParams,
  ): Promise<Reply | null> {
    const fault = takeFault(path);
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return null;
    }
    if (fault?.kind === 'severaError' && fault.error)
      return errorReply(
        new SandboxError(fault.error.status, fault.error.type, fault.error.message),
      );
    if (fault?.kind === 'status5xx')
      return errorReply(
        new SandboxError(503, 'InternalSystemError', 'Service temporarily unavailable (injected).'),
      );
    if (fault?.kind === 'burst429' || overLimit()) {
      const reply = errorReply(
        new SandboxError(
          429,
          'InvalidRequest',
          `API calls quota exceeded! maximum admitted ${requestsPerSecond} per 1s.`,
        ),
      );
      if (fault?.retryAfterSeconds !== undefined)
        reply.headers = { 'Retry-After': String(fault.retryAfterSeconds) };
      return reply;
    }
    if (latencyMs > 0) await sleep(latencyMs);
    const body = req.method === 'POST' || req.method === 'PATCH' ? await readJson(req) : undefined;
    const method = req.method ?? 'GET';
    // A request that departs from the document is recorded and refused, after the checks
    // Severa itself makes (credentials, scope), so those still answer as Severa does.
    const violation = requestViolation({ method, path, query, headers: req.headers, body });
    if (violation) noteViolation(violation);
    const found = findRoute(routes, method, path);
    const route = found?.route as (typeof routes)[number] | undefined;
    const unknownFirst =
      route && existenceBeforeScope && route.exists && !route.exists(found!.params);
    if (route) authorize(req, unknownFirst ? null : route.scope);
    if (unknownFirst) return { status: 404 };
    if (violation)
      throw new SandboxError(
        400,
        violation.errorType,
        `The request departs from Severa's OpenAPI document: ${violation.problems.join('; ')}`,
      );
    if (method === 'POST' && path === '/v1/token') return issueToken(body);
    if (!found || !route) return { status: 404 };
    return route.handle({ params: found.params, query, body, headers: req.headers });
  }

  /** An answer that departs from the document is recorded and replaced by a loud 500. */
  function checkedReply(method: string, path: string, reply: Reply): Reply {
    const violation = responseViolation(
      { method, path },
      { status: reply.status, headers: reply.headers ?? {}, body: reply.body },
    );
    if (!violation) return reply;
    noteViolation(violation);
    return errorReply(
      new SandboxError(
        500,
        'InternalSystemError',
        `The sandbox's answer departs from Severa's OpenAPI document: ${violation.problems.join('; ')}`,
      ),
    );
  }

  const control: SeveraSandboxControl = {
    addClient: (id, secret, scopes) => void clients.set(id, { secret, scopes: new Set(scopes) }),
    removeClient: (id) => void clients.delete(id),
    injectFaults: (f) => {
      const kinds: FaultKind[] = ['drop', 'status5xx', 'burst429'];
      for (const kind of kinds)
        if (f[kind])
          faults.push({
            kind,
            remaining: f[kind] as number,
            for: f.for,
            retryAfterSeconds: f.retryAfterSeconds,
          });
      if (f.severaError)
        faults.push({ kind: 'severaError', remaining: 1, for: f.for, error: f.severaError });
    },
    clearFaults: () => void (faults = []),
    expireTokens: () => tokens.clear(),
    setLatency: (ms) => void (latencyMs = ms),
    setRequestsPerSecond: (n) => void (requestsPerSecond = n),
    setTokenLifetime: (seconds) => void (tokenLifetimeSeconds = seconds),
    setTokenAnswerScope: (listed) => void (tokenAnswerScope = listed),
    setExistenceBeforeScope: (first) => void (existenceBeforeScope = first),
    users: {
      listAll: () => [...store.users.values()],
      get: (g) => store.users.get(g),
      put: (s) => store.putUser(s),
      edit: (g, p) => store.editUser(g, p),
      delete: (g) => store.deleteUser(g),
    },
    activityTypes: {
      listAll: () => [...store.activityTypes.values()],
      get: (g) => store.activityTypes.get(g),
      put: (s) => store.putActivityType(s),
      edit: (g, p) => store.editActivityType(g, p),
      delete: (g) => store.deleteActivityType(g),
    },
    activities: {
      listAll: () => store.listActivities(),
      get: (g) => store.getActivity(g),
      put: (s) => store.putActivity(s),
      edit: (g, p) => store.editActivity(g, p as Partial<ActivitySeed>),
      delete: (g) => store.deleteActivity(g),
    },
    answerActivity: (g) => {
      const a = store.getActivity(g);
      return a && store.answerActivity(a);
    },
    participants: {
      list: (a) => store.listParticipants(a),
      add: (a, u, status) => store.addParticipant(a, u, status),
      remove: (a, p) => store.removeParticipant(a, p),
      edit: (a, p, patch) => store.editParticipant(a, p, patch),
    },
    get requestLog() {
      return log;
    },
    get documentViolations() {
      return violations;
    },
    requestCount: () => count,
    clearRequestLog: () => {
      log = [];
      count = 0;
    },
  };

  const controlRoutes = sandboxControlRoutes(control);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    const isControl = path.startsWith('/_sandbox/');
    const entry: SandboxRequest = {
      time: nowMs(),
      method: req.method ?? 'GET',
      path,
      query: url.search,
      status: 0,
    };
    if (!isControl) {
      count++;
      log.push(entry);
      if (log.length > MAX_LOG) log = log.slice(-MAX_LOG / 2);
    }
    const answer = isControl
      ? handleControl(controlRoutes, req, path, url.searchParams)
      : handleApi(req, path, url.searchParams);
    answer
      .catch((e: unknown) => {
        if (e instanceof SandboxError) return errorReply(e);
        return errorReply(
          new SandboxError(500, 'InternalSystemError', e instanceof Error ? e.message : String(e)),
        );
      })
      .then((reply) => {
        if (!reply) return;
        const checked = isControl ? reply : checkedReply(entry.method, path, reply);
        entry.status = checked.status;
        writeReply(res, checked);
      });
  });

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;

  let demo: SeveraSandbox['demo'] = null;
  if (options.seedDemo) {
    seedDemoCompany(store, options.now);
    if (options.nulls) seedNulls(store);
    demo = { clientId: DEMO_SEVERA_CLIENT_ID, clientSecret: newSecret() };
    control.addClient(demo.clientId, demo.clientSecret, ALL_SCOPES);
  }

  return {
    apiRoot: `http://${options.host ?? '127.0.0.1'}:${port}`,
    control,
    demo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handleControl(
  routes: Route[],
  req: IncomingMessage,
  path: string,
  query: URLSearchParams,
): Promise<Reply> {
  const body = req.method === 'GET' || req.method === 'DELETE' ? undefined : await readJson(req);
  const found = findRoute(routes, req.method ?? 'GET', path);
  if (!found)
    return { status: 404, body: { error: `No sandbox control route ${req.method} ${path}` } };
  return found.route.handle({ params: found.params, query, body, headers: req.headers });
}

/** The control surface over HTTP (`/_sandbox/...`), for a sandbox run by another process. */
function sandboxControlRoutes(control: SeveraSandboxControl): Route[] {
  const ok: Reply = { status: 204 };
  const fields = (body: unknown) => (body ?? {}) as Record<string, unknown>;
  const collections: [string, SandboxCollection<unknown, never>][] = [
    ['users', control.users as SandboxCollection<unknown, never>],
    ['activitytypes', control.activityTypes as SandboxCollection<unknown, never>],
    ['activities', control.activities as SandboxCollection<unknown, never>],
  ];
  const routes: Route[] = [
    {
      method: 'POST',
      pattern: /^\/_sandbox\/clients$/,
      handle: ({ body }) => {
        const { id, secret, scopes } = fields(body) as {
          id: string;
          secret: string;
          scopes?: string[];
        };
        control.addClient(id, secret, scopes ?? ALL_SCOPES);
        return ok;
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/_sandbox\/clients\/([^/]+)$/,
      handle: ({ params }) => (control.removeClient(params[0] as string), ok),
    },
    {
      method: 'POST',
      pattern: /^\/_sandbox\/faults$/,
      handle: ({ body }) => {
        const f = fields(body) as Omit<SeveraFaults, 'for'> & { for?: string };
        control.injectFaults({ ...f, for: f.for ? new RegExp(f.for) : undefined });
        return ok;
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/_sandbox\/faults$/,
      handle: () => (control.clearFaults(), ok),
    },
    {
      method: 'POST',
      pattern: /^\/_sandbox\/expire-tokens$/,
      handle: () => (control.expireTokens(), ok),
    },
    {
      method: 'POST',
      pattern: /^\/_sandbox\/latency$/,
      handle: ({ body }) => (control.setLatency(Number(fields(body).ms ?? 0)), ok),
    },
    {
      method: 'POST',
      pattern: /^\/_sandbox\/rate-limit$/,
      handle: ({ body }) => (
        control.setRequestsPerSecond(Number(fields(body).requestsPerSecond ?? 10)),
        ok
      ),
    },
    {
      method: 'POST',
      pattern: /^\/_sandbox\/token-lifetime$/,
      handle: ({ body }) => (control.setTokenLifetime(Number(fields(body).seconds ?? 3600)), ok),
    },
    {
      method: 'GET',
      pattern: /^\/_sandbox\/requests$/,
      handle: () => ({
        status: 200,
        body: { count: control.requestCount(), requests: control.requestLog },
      }),
    },
    {
      method: 'DELETE',
      pattern: /^\/_sandbox\/requests$/,
      handle: () => (control.clearRequestLog(), ok),
    },
    {
      method: 'GET',
      pattern: /^\/_sandbox\/activities\/([^/]+)\/participants$/,
      handle: ({ params }) => ({
        status: 200,
        body: control.participants.list(params[0] as string),
      }),
    },
    {
      method: 'POST',
      pattern: /^\/_sandbox\/activities\/([^/]+)\/participants$/,
      handle: ({ params, body }) => ({
        status: 201,
        body: control.participants.add(
          params[0] as string,
          String(fields(body).userGuid),
          fields(body).status as MemberStatus | undefined,
        ),
      }),
    },
    {
      method: 'DELETE',
      pattern: /^\/_sandbox\/activities\/([^/]+)\/participants\/([^/]+)$/,
      handle: ({ params }) => ({
        status: control.participants.remove(params[0] as string, params[1] as string) ? 204 : 404,
      }),
    },
  ];
  for (const [name, c] of collections) {
    routes.push(
      {
        method: 'GET',
        pattern: new RegExp(`^/_sandbox/${name}$`),
        handle: () => ({ status: 200, body: c.listAll() }),
      },
      {
        method: 'POST',
        pattern: new RegExp(`^/_sandbox/${name}$`),
        handle: ({ body }) => ({ status: 201, body: c.put(body as never) }),
      },
      {
        method: 'PATCH',
        pattern: new RegExp(`^/_sandbox/${name}/([^/]+)$`),
        handle: ({ params, body }) => ({
          status: 200,
          body: c.edit(params[0] as string, fields(body)),
        }),
      },
      {
        method: 'DELETE',
        pattern: new RegExp(`^/_sandbox/${name}/([^/]+)$`),
        handle: ({ params }) => ({ status: c.delete(params[0] as string) ? 204 : 404 }),
      },
    );
  }
  return routes;
}
