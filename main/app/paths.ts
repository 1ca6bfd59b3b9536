import { app } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the built bundles and the assets are, in development and in the packaged app alike. */
const distDir = join(dirname(fileURLToPath(import.meta.url)), '..');

export const appPaths = {
  preload: join(distDir, 'preload', 'index.cjs'),
  /** Served as app://renderer/ (renderer-protocol.ts). */
  rendererDir: join(distDir, 'renderer'),
  assets: () => join(app.getAppPath(), 'assets'),
};
