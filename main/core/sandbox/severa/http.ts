import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SandboxError } from './store';

/** What a route answers; the server writes it. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteRequest {
  params: string[];
  query: URLSearchParams;
  body: unknown;
  headers: IncomingMessage['headers'];
}

export interface Route {
  method: string;
  pattern: RegExp;
  handle(req: RouteRequest): Reply;
}

export function findRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: string[] } | null {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, params: match.slice(1).map(decodeURIComponent) };
  }
  return null;
}

/** Severa's error envelope; a 404 has none (the document's "Resource not found" has no body). */
export const errorReply = (e: SandboxError): Reply =>
  e.status === 404
    ? { status: 404 }
    : {
        status: e.status,
        body: {
          error: {
            httpStatusCode: e.status,
            type: e.type,
            details: [
              {
                message: e.message,
                location: e.location ? { type: e.location.type, name: e.location.name } : null,
              },
            ],
          },
        },
      };

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new SandboxError(400, 'InvalidRequest', 'The request body is not valid JSON.');
  }
}

export function writeReply(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  headers['Content-Type'] = 'application/json; charset=utf-8';
  res.writeHead(reply.status, headers).end(JSON.stringify(reply.body));
}

const OFFSET_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/** A date-time query parameter; like the spec's examples it must carry an offset (`+` sent as %2b). */
export function queryInstant(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (!OFFSET_DATE_TIME.test(value)) {
    throw new SandboxError(
      400,
      'InvalidParameter',
      `The value '${value}' is not valid for ${name}.`,
      { type: 'UriParameter', name },
    );
  }
  return Date.parse(value);
}

export function queryBoolean(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (value !== 'true' && value !== 'false') {
    throw new SandboxError(
      400,
      'InvalidParameter',
      `The value '${value}' is not valid for ${name}.`,
      { type: 'UriParameter', name },
    );
  }
  return value === 'true';
}

export const queryList = (query: URLSearchParams, name: string): string[] | undefined =>
  query.has(name) ? query.getAll(name) : undefined;

const MAX_CURSORS = 20_000;

/**
 * Cursor paging as Severa does it: `rowCount` (default 20, at most 100), the next page's cursor
 * in the `NextPageToken` header, sent back as `pageToken`. A listing is fixed when its first
 * page is read.
 */
export class Cursors {
  private readonly open = new Map<string, { rows: readonly unknown[]; offset: number }>();

  page(query: URLSearchParams, rows: () => readonly unknown[]): Reply {
    const rowCountText = query.get('rowCount') ?? '20';
    const rowCount = Number(rowCountText);
    if (!Number.isInteger(rowCount) || rowCount < 1 || rowCount > 100) {
      throw new SandboxError(
        400,
        'InvalidParameter',
        `The value '${rowCountText}' is not valid for rowCount (1-100).`,
        { type: 'UriParameter', name: 'rowCount' },
      );
    }
    const token = query.get('pageToken');
    const cursor = token ? this.open.get(token) : { rows: rows(), offset: 0 };
    if (!cursor)
      throw new SandboxError(400, 'InvalidParameter', `The page token '${token}' is not valid.`, {
        type: 'UriParameter',
        name: 'pageToken',
      });
    const end = cursor.offset + rowCount;
    const headers: Record<string, string> = {};
    if (end < cursor.rows.length) {
      const next = randomUUID();
      this.open.set(next, { rows: cursor.rows, offset: end });
      if (this.open.size > MAX_CURSORS) this.open.delete(this.open.keys().next().value as string);
      headers.NextPageToken = next;
    }
    return { status: 200, body: cursor.rows.slice(cursor.offset, end), headers };
  }
}
