import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The repository root and the built CLI (test/global-setup.ts builds it once per run). */
export const REPO = resolve(import.meta.dirname, '../..');
export const CLI = join(REPO, 'dist/cli.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with `--profile` first; standard input is `stdin` (or empty). */
export function runCli(
  profile: string,
  args: string[],
  options: { stdin?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((done) => {
    const child = execFile(
      'node',
      [CLI, '--profile', profile, ...args],
      { cwd: REPO, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 30_000 },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(options.stdin ?? '');
  });
}

const isProgressEvent = (line: string) => {
  try {
    return (JSON.parse(line) as { event?: unknown }).event === 'progress';
  } catch {
    return false;
  }
};

/**
 * What a `--json` command wrote to stderr besides its `{"event":"progress",…}` lines (one per
 * line, main/cli/progress.ts): '' when it warned of nothing.
 */
export const besideProgress = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => line !== '' && !isProgressEvent(line))
    .join('\n');
