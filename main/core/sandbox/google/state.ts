import { CalendarStore, type GoogleEvent, type TimeOutput } from './calendar-store';
import type { IssuedToken, TokenAuthority } from './token-endpoint';

export interface SandboxUserOptions {
  timeZone?: string;
  /** false: the user exists but has no Calendar service (no licence, service off, suspended). */
  calendar?: boolean;
}

/** Faults the next matching requests get, in this order of precedence. */
export interface FaultPlan {
  /** Requests held open and never answered (until the client gives up or the sandbox closes). */
  stall?: number;
  /** Connections closed without an answer. */
  drop?: number;
  /** 503 backendError answers. */
  status5xx?: number;
  /** 429 rateLimitExceeded answers with `Retry-After: retryAfterSeconds`. */
  burst429?: number;
  /** 403 rateLimitExceeded answers (per-user quota text). */
  rateLimited403?: number;
  /** 403 quotaExceeded answers (Calendar usage limits). */
  quotaExceeded?: number;
  /** Which requests (matched against path + query); default every Calendar API request. */
  for?: RegExp | string;
  /** Only this user's requests (the access token's user, or the `sub` of a token request). */
  user?: string;
  retryAfterSeconds?: number;
}

export type FaultKind =
  'stall' | 'drop' | 'status5xx' | 'burst429' | 'rateLimited403' | 'quotaExceeded';
const FAULT_ORDER: FaultKind[] = [
  'stall',
  'drop',
  'status5xx',
  'burst429',
  'rateLimited403',
  'quotaExceeded',
];

export interface RateLimits {
  perUserPerMinute: number;
  perProjectPerMinute: number;
  /** The window the limits count in: Google's minute, shorter in tests. */
  windowMs: number;
}

/** One request the sandbox answered (control requests are not recorded). */
export interface SandboxRequest {
  at: string;
  method: string;
  path: string;
  query: Record<string, string[]>;
  /** The impersonated user of the access token, when there was one. */
  user: string | null;
  status: number;
}

/** Where the sandbox or a client left Google's Calendar v3 discovery document. */
export interface ContractDeparture {
  /** `request`: a client sent it (refused with 400); `response`: the sandbox answered it. */
  kind: 'request' | 'response';
  method: string;
  problems: string[];
}

/**
 * The control surface for tests and demos. Every method is also reachable over HTTP as
 * `POST /_sandbox/<method>` with the arguments as a JSON array (see README.md).
 */
export interface GoogleSandboxControl {
  addUser(email: string, options?: SandboxUserOptions): void;
  removeUser(email: string): void;
  registerServiceAccount(
    email: string,
    clientId: string,
    publicKeyPem: string,
    options?: { deleted?: boolean },
  ): void;
  authorize(clientId: string, scopes: string[]): void;
  revoke(clientId: string): void;
  setApiEnabled(enabled: boolean): void;
  setProjectNumber(projectNumber: string): void;
  setClockOffsetMs(offsetMs: number): void;
  injectFaults(plan: FaultPlan): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  setRateLimits(limits: Partial<RateLimits>): void;
  invalidateSyncTokens(user: string): void;
  /** The sync token a complete listing of the user's calendar made now would end with. */
  syncToken(user: string): string;
  /** Every access token issued so far stops working (401), as when tokens expire mid-run. */
  expireAccessTokens(): void;
  listAll(user: string): GoogleEvent[];
  putEvent(user: string, event: GoogleEvent): GoogleEvent;
  editEvent(user: string, id: string, patch: GoogleEvent): GoogleEvent;
  deleteEvent(user: string, id: string): void;
  /** An invitation from `organizer` (outside the domain) on `user`'s calendar: an attendee copy. */
  invite(user: string, organizer: string, event: GoogleEvent): GoogleEvent;
  /** The organiser changes their meeting: the change reaches the attendee's copy `id`. */
  organizerEdit(user: string, id: string, patch: GoogleEvent): GoogleEvent;
  /** "This and following" from instance `instanceId` of series `id`; returns the new series. */
  splitSeries(user: string, id: string, instanceId: string, changes?: GoogleEvent): GoogleEvent;
  /** Deleted events are removed for good this long after deletion (null: never, the default). */
  setPurgeAfterMs(ms: number | null): void;
  /** `as-sent` answers times as the client wrote them (for the engine's offset-less fallback). */
  setTimeOutput(mode: TimeOutput): void;
  /** Departures from the discovery document seen so far. */
  contractDepartures(): ContractDeparture[];
  /** Calendar API requests answered (faults included). */
  requestCount(): number;
  tokenRequestCount(): number;
  requests(): SandboxRequest[];
}

interface SandboxUser {
  calendar: boolean;
  store: CalendarStore;
}

const DEFAULT_LIMITS: RateLimits = {
  perUserPerMinute: 600,
  perProjectPerMinute: 10_000,
  windowMs: 60_000,
};
const MAX_LOGGED_REQUESTS = 10_000;

const norm = (email: string) => email.trim().toLowerCase();

/** Everything the fake Google knows; the HTTP layer (google-sandbox.ts) reads and changes it. */
export class SandboxState implements GoogleSandboxControl, TokenAuthority {
  readonly users = new Map<string, SandboxUser>();
  private readonly accounts = new Map<
    string,
    { clientId: string; publicKeysPem: string[]; deleted: boolean }
  >();
  private readonly delegation = new Map<string, Set<string>>();
  readonly tokens = new Map<string, IssuedToken>();
  apiEnabled = true;
  projectNumber = '100000000001';
  latencyMs = 0;
  private purgeAfterMs: number | null = null;
  private timeOutput: TimeOutput = 'calendar-zone';
  private clockOffsetMs = 0;
  private limits: RateLimits = { ...DEFAULT_LIMITS };
  private readonly userWindows = new Map<string, number[]>();
  private readonly projectWindow: number[] = [];
  private faults: (FaultPlan & { pattern: RegExp }) | null = null;
  private readonly departures: ContractDeparture[] = [];
  private readonly log: SandboxRequest[] = [];
  private apiRequests = 0;
  private tokenRequests = 0;

  constructor(readonly tokenUrl: string) {}

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  // TokenAuthority
  serviceAccount(email: string) {
    return this.accounts.get(norm(email));
  }
  hasUser(email: string): boolean {
    return this.users.has(norm(email));
  }
  delegatedScopes(clientId: string): ReadonlySet<string> | undefined {
    return this.delegation.get(clientId);
  }

  user(email: string): SandboxUser {
    const user = this.users.get(norm(email));
    if (!user) throw new Error(`no sandbox user ${email}`);
    return user;
  }

  /** The fault the request at `target` (path + query) of `user` gets, if any, used up. */
  takeFault(
    target: string,
    user: string | null,
  ): { kind: FaultKind; retryAfterSeconds: number } | null {
    const plan = this.faults;
    if (!plan || !plan.pattern.test(target)) return null;
    if (plan.user && norm(plan.user) !== user) return null;
    const kind = FAULT_ORDER.find((k) => (plan[k] ?? 0) > 0);
    if (!kind) return null;
    plan[kind] = (plan[kind] ?? 0) - 1;
    return { kind, retryAfterSeconds: plan.retryAfterSeconds ?? 1 };
  }

  /** Counts a request against the per-user and per-project minute; says which limit it broke. */
  admit(user: string): 'user' | 'project' | null {
    const now = this.now();
    const window = this.userWindows.get(user) ?? [];
    this.userWindows.set(user, window);
    for (const w of [window, this.projectWindow])
      while (w.length > 0 && (w[0] as number) <= now - this.limits.windowMs) w.shift();
    if (window.length >= this.limits.perUserPerMinute) return 'user';
    if (this.projectWindow.length >= this.limits.perProjectPerMinute) return 'project';
    window.push(now);
    this.projectWindow.push(now);
    return null;
  }

  depart(departure: ContractDeparture): void {
    this.departures.push(departure);
  }

  record(entry: Omit<SandboxRequest, 'at'>, kind: 'api' | 'token'): void {
    if (kind === 'api') this.apiRequests++;
    else this.tokenRequests++;
    this.log.push({ at: new Date(this.now()).toISOString(), ...entry });
    if (this.log.length > MAX_LOGGED_REQUESTS) this.log.shift();
  }

  // GoogleSandboxControl
  addUser(email: string, options: SandboxUserOptions = {}): void {
    const key = norm(email);
    const existing = this.users.get(key);
    const timeZone = options.timeZone ?? existing?.store.timeZone ?? 'Europe/Helsinki';
    const store = existing?.store ?? new CalendarStore(key, timeZone, () => this.now());
    store.timeZone = timeZone;
    store.purgeAfterMs = this.purgeAfterMs;
    store.timeOutput = this.timeOutput;
    this.users.set(key, { calendar: options.calendar ?? existing?.calendar ?? true, store });
  }
  removeUser(email: string): void {
    this.users.delete(norm(email));
  }
  registerServiceAccount(
    email: string,
    clientId: string,
    publicKeyPem: string,
    options: { deleted?: boolean } = {},
  ): void {
    this.accounts.set(norm(email), {
      clientId,
      publicKeysPem: [publicKeyPem],
      deleted: options.deleted ?? false,
    });
  }
  authorize(clientId: string, scopes: string[]): void {
    this.delegation.set(clientId, new Set(scopes));
  }
  revoke(clientId: string): void {
    this.delegation.delete(clientId);
  }
  setApiEnabled(enabled: boolean): void {
    this.apiEnabled = enabled;
  }
  setProjectNumber(projectNumber: string): void {
    this.projectNumber = projectNumber;
  }
  setClockOffsetMs(offsetMs: number): void {
    this.clockOffsetMs = offsetMs;
  }
  injectFaults(plan: FaultPlan): void {
    const pattern =
      plan.for instanceof RegExp ? plan.for : new RegExp(plan.for ?? '^/calendar/v3/');
    this.faults = { ...plan, pattern };
  }
  clearFaults(): void {
    this.faults = null;
  }
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }
  setRateLimits(limits: Partial<RateLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }
  invalidateSyncTokens(user: string): void {
    this.user(user).store.invalidateSyncTokens();
  }
  syncToken(user: string): string {
    return this.user(user).store.currentSyncToken();
  }
  expireAccessTokens(): void {
    this.tokens.clear();
  }
  listAll(user: string): GoogleEvent[] {
    return this.user(user).store.all();
  }
  putEvent(user: string, event: GoogleEvent): GoogleEvent {
    return this.expect(this.user(user).store.put(event), 'putEvent') as GoogleEvent;
  }
  editEvent(user: string, id: string, patch: GoogleEvent): GoogleEvent {
    return this.expect(this.user(user).store.patch(id, patch), 'editEvent') as GoogleEvent;
  }
  deleteEvent(user: string, id: string): void {
    this.expect(this.user(user).store.delete(id), 'deleteEvent');
  }
  invite(user: string, organizer: string, event: GoogleEvent): GoogleEvent {
    return this.expect(this.user(user).store.invite(event, organizer), 'invite') as GoogleEvent;
  }
  organizerEdit(user: string, id: string, patch: GoogleEvent): GoogleEvent {
    const store = this.user(user).store;
    return this.expect(
      store.patch(id, patch, { asOrganizer: true }),
      'organizerEdit',
    ) as GoogleEvent;
  }
  splitSeries(user: string, id: string, instanceId: string, changes?: GoogleEvent): GoogleEvent {
    const store = this.user(user).store;
    return this.expect(store.splitSeries(id, instanceId, changes), 'splitSeries') as GoogleEvent;
  }
  setPurgeAfterMs(ms: number | null): void {
    this.purgeAfterMs = ms;
    for (const u of this.users.values()) u.store.purgeAfterMs = ms;
  }
  setTimeOutput(mode: TimeOutput): void {
    this.timeOutput = mode;
    for (const u of this.users.values()) u.store.timeOutput = mode;
  }
  contractDepartures(): ContractDeparture[] {
    return structuredClone(this.departures);
  }
  requestCount(): number {
    return this.apiRequests;
  }
  tokenRequestCount(): number {
    return this.tokenRequests;
  }
  requests(): SandboxRequest[] {
    return [...this.log];
  }

  private expect(response: { status: number; body?: unknown }, what: string): unknown {
    if (response.status >= 300)
      throw new Error(`${what} refused: ${JSON.stringify(response.body)}`);
    return response.body;
  }
}
