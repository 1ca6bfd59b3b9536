import { execFileSync } from 'node:child_process';
import { REPO } from './helpers/cli';

/**
 * Builds the CLI once before any test file runs: several files spawn `dist/cli.js`, and building
 * it from each of them in parallel would race on the same output file.
 */
export default function setup(): void {
  execFileSync('node', ['scripts/build.mjs', '--only', 'cli'], { cwd: REPO, timeout: 120_000 });
}
