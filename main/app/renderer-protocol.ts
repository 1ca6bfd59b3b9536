import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { CSP_HEADER } from './security';

/**
 * The renderer is served from a privileged custom scheme (app://renderer/…) instead of file://,
 * so that the file-protocol privileges fuse can be off and every response carries the CSP
 * header. Plain Node (no Electron import): main.ts hands it to protocol.handle, and the browser
 * tests serve dist/renderer through the very same function.
 */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://renderer`;
export const RENDERER_ENTRY_URL = `${APP_ORIGIN}/index.html`;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** The file under `rootDir` a request path names, or null for anything outside it. */
export function rendererFile(pathname: string, rootDir: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const file = join(rootDir, normalize(decoded === '/' ? '/index.html' : decoded));
  return file.startsWith(rootDir + sep) ? file : null;
}

/** The response for one request path: the file with its type and the CSP, or 404. */
export async function rendererResponse(pathname: string, rootDir: string): Promise<Response> {
  const file = rendererFile(pathname, rootDir);
  const body = file ? await readFile(file).catch(() => null) : null;
  if (!file || !body) return new Response('Not found', { status: 404 });
  return new Response(new Uint8Array(body), {
    status: 200,
    headers: {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP_HEADER,
      'x-content-type-options': 'nosniff',
    },
  });
}
