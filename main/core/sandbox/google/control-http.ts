import { z } from 'zod';
import type { GoogleSandboxControl } from './state';

/**
 * The control surface over HTTP, so that a sandbox started by `severa-calendar-sync sandbox`
 * can be driven from another process: `POST /_sandbox/<method>` with the method's arguments as
 * a JSON array; the answer is `{"result": …}` or `{"error": "…"}` with status 400.
 * `GET /_sandbox` lists the methods.
 */
const email = z.string().email();
const event = z.record(z.string(), z.unknown());
const count = z.number().int().min(0).optional();

const ARGUMENTS = {
  addUser: z.tuple([
    email,
    z.object({ timeZone: z.string().optional(), calendar: z.boolean().optional() }).optional(),
  ]),
  removeUser: z.tuple([email]),
  registerServiceAccount: z.tuple([
    email,
    z.string().regex(/^\d+$/),
    z.string().includes('PUBLIC KEY'),
    z.object({ deleted: z.boolean().optional() }).optional(),
  ]),
  authorize: z.tuple([z.string(), z.array(z.string())]),
  revoke: z.tuple([z.string()]),
  setApiEnabled: z.tuple([z.boolean()]),
  setProjectNumber: z.tuple([z.string().regex(/^\d+$/)]),
  setClockOffsetMs: z.tuple([z.number()]),
  injectFaults: z.tuple([
    z.object({
      stall: count,
      drop: count,
      status5xx: count,
      burst429: count,
      rateLimited403: count,
      quotaExceeded: count,
      for: z.string().optional(),
      user: email.optional(),
      retryAfterSeconds: z.number().min(0).optional(),
    }),
  ]),
  clearFaults: z.tuple([]),
  setLatency: z.tuple([z.number().min(0).max(60_000)]),
  setRateLimits: z.tuple([
    z.object({
      perUserPerMinute: z.number().int().positive().optional(),
      perProjectPerMinute: z.number().int().positive().optional(),
    }),
  ]),
  invalidateSyncTokens: z.tuple([email]),
  syncToken: z.tuple([email]),
  expireAccessTokens: z.tuple([]),
  listAll: z.tuple([email]),
  putEvent: z.tuple([email, event]),
  editEvent: z.tuple([email, z.string(), event]),
  deleteEvent: z.tuple([email, z.string()]),
  invite: z.tuple([email, email, event]),
  organizerEdit: z.tuple([email, z.string(), event]),
  splitSeries: z.tuple([email, z.string(), z.string(), event.optional()]),
  setPurgeAfterMs: z.tuple([z.number().min(0).nullable()]),
  setTimeOutput: z.tuple([z.enum(['calendar-zone', 'as-sent'])]),
  contractDepartures: z.tuple([]),
  requestCount: z.tuple([]),
  tokenRequestCount: z.tuple([]),
  requests: z.tuple([]),
} satisfies Record<keyof GoogleSandboxControl, z.ZodType<unknown[]>>;

export type ControlMethod = keyof typeof ARGUMENTS;

export const CONTROL_METHODS = Object.keys(ARGUMENTS) as ControlMethod[];

export function callControl(
  control: GoogleSandboxControl,
  method: string,
  body: unknown,
): { status: number; body: unknown } {
  if (!(method in ARGUMENTS))
    return { status: 404, body: { error: `unknown method ${method}`, methods: CONTROL_METHODS } };
  const parsed = ARGUMENTS[method as ControlMethod].safeParse(body ?? []);
  if (!parsed.success) return { status: 400, body: { error: z.prettifyError(parsed.error) } };
  try {
    const fn = control[method as ControlMethod] as (...args: unknown[]) => unknown;
    return { status: 200, body: { result: fn.apply(control, parsed.data) ?? null } };
  } catch (e) {
    return { status: 400, body: { error: e instanceof Error ? e.message : String(e) } };
  }
}
