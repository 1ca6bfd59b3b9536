// Builds every bundle: the CLI and the Electron main process (ESM, dependencies left in
// node_modules), the preload (CommonJS: a sandboxed preload cannot be an ES module) and the
// renderer (Vite). Usage: node scripts/build.mjs [--only cli|app|renderer]
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { chmod } from 'node:fs/promises';
import process from 'node:process';

const only = process.argv.includes('--only')
  ? process.argv[process.argv.indexOf('--only') + 1]
  : null;
const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
};

if (!only || only === 'cli') {
  await esbuild({
    ...node,
    entryPoints: ['main/cli.ts'],
    outfile: 'dist/cli.js',
    format: 'esm',
    packages: 'external',
    banner: { js: '#!/usr/bin/env node' },
  });
  await chmod('dist/cli.js', 0o755);
}
if (!only || only === 'app') {
  await esbuild({
    ...node,
    entryPoints: ['main/app/main.ts'],
    outfile: 'dist/app/main.js',
    format: 'esm',
    packages: 'external',
  });
  await esbuild({
    ...node,
    entryPoints: ['preload/index.ts'],
    outfile: 'dist/preload/index.cjs',
    format: 'cjs',
    external: ['electron'],
  });
}
if (!only || only === 'renderer') {
  await viteBuild({ configFile: 'renderer/vite.config.ts', logLevel: 'warn' });
}
