import { execFileSync } from 'node:child_process';
import { REPO } from './helpers/cli';

/**
 * Builds every bundle once before any test file runs: several files spawn `dist/cli.js`, and the
 * shipped-bundle tests run `dist/app/main.js`, `dist/preload/index.cjs` and `dist/renderer`
 * (a few seconds; building from each file in parallel would race on the same output files).
 */
export default function setup(): void {
  execFileSync('node', ['scripts/build.mjs'], { cwd: REPO, timeout: 120_000 });
}
