import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';

/** The README promises `--json` on every command: each command's own help must list it. */
describe('CLI --json', () => {
  const profile = mkdtempSync(join(tmpdir(), 'cli-json-'));
  afterAll(() => rmSync(profile, { recursive: true, force: true }));

  it('every command takes --json', async () => {
    const top = await runCli(profile, ['--help']);
    expect(top.code).toBe(0);
    const commands = [...top.stdout.split('Commands:')[1]!.matchAll(/^\s{2}([a-z-]+)\b/gm)]
      .map((m) => m[1]!)
      .filter((c) => c !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['sandbox', 'sync', 'test', 'configure']));
    const missing: string[] = [];
    for (const command of commands) {
      const help = await runCli(profile, [command, '--help']);
      if (!/^\s+--json\b/m.test(help.stdout)) missing.push(command);
    }
    expect(missing).toEqual([]);
  });
});
