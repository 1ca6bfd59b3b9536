import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { withRunLock } from '../core/store/profile-lock';
import { openState } from './connect';
import { EXIT, openProfile, printJson, type GlobalOptions } from './context';

interface ResetOptions extends GlobalOptions {
  yes?: boolean;
}

async function confirmed(): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(
      'Forget every link, sync token and the stored Google account? The next run re-adopts existing items. [y/N] ',
    );
    return /^(y|yes|k|kyllä)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/**
 * `reset` (step `pre.account-change`): forgets the sync state so the next run starts from the
 * beginning and adopts what already exists on both sides. Nothing is deleted in Severa or
 * Google; the sync log and the run history are kept.
 */
export function registerReset(program: Command): void {
  program
    .command('reset')
    .description(
      'forget the sync state (after a change of Google account); nothing is deleted remotely',
    )
    .option('--yes', 'do not ask for confirmation')
    .option('--json', 'print {"ok":true,"forgotLinks":N}')
    .action(async (_o: ResetOptions, cmd: Command) => {
      const options = cmd.optsWithGlobals<ResetOptions>();
      if (!options.yes && !(await confirmed())) {
        process.stderr.write('Not reset (confirm with y, or pass --yes).\n');
        process.exitCode = EXIT.usage;
        return;
      }
      const profile = openProfile(options);
      // Never under a run in progress (it would write back what reset forgets): refused then.
      await withRunLock(profile.dir, { owner: 'reset' }, async () => {
        const state = openState(profile);
        try {
          const forgotLinks = state.countLinks();
          state.reset();
          if (options.json) printJson({ ok: true, forgotLinks });
          else process.stdout.write(`Sync state reset: ${forgotLinks} links forgotten.\n`);
        } finally {
          state.close();
        }
      });
    });
}
