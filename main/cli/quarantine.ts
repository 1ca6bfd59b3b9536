import type { Command } from 'commander';
import { z } from 'zod';
import { quarantinedItems } from '../core/service/core-backends';
import { openState } from './connect';
import { openProfile, printJson, UsageError, type GlobalOptions } from './context';

interface QuarantineOptions extends GlobalOptions {
  retry?: boolean;
  user?: string;
  item?: string;
}

/**
 * `quarantine`: the items the sync leaves alone because they kept failing for a reason retrying
 * will not cure (the user's other items sync on), with the server's message; `--retry` asks the
 * next run to read them again on both sides and try once more (after the cause is fixed).
 */
export function registerQuarantine(program: Command): void {
  program
    .command('quarantine')
    .description(
      'list the items left alone because they kept failing; --retry tries them again in the next run',
    )
    .option('--retry', 'mark for retry: every item, or those of --user, or the one --item')
    .option('--user <email>', 'only this user')
    .option('--item <key>', 'only this item (severa:<guid> or google:<event id>, as listed)')
    .option('--json', 'print the list as JSON ([{"user":…,"item":…,"message":…},…])')
    .action((_o: QuarantineOptions, cmd: Command) => {
      const options = cmd.optsWithGlobals<QuarantineOptions>();
      const user = z.string().trim().toLowerCase().email().optional().safeParse(options.user);
      if (!user.success) throw new UsageError('--user must be an e-mail address');
      if (options.item && !user.data) throw new UsageError('--item needs --user');
      if (options.item && !options.retry) throw new UsageError('--item is for --retry');
      const state = openState(openProfile(options));
      try {
        const marked = options.retry ? state.requestRetry(user.data, options.item) : null;
        const items = quarantinedItems(state).filter((q) => !user.data || q.user === user.data);
        if (options.json) printJson(marked === null ? items : { retried: marked, items });
        else {
          const lines = items.map(
            (q) =>
              `${q.user}${q.title ? ` "${q.title}"${q.start ? ` ${q.start}` : ''}` : ''} ${q.item} (${q.action}, failed ${q.failures} runs since ${q.firstFailedAt})${q.retryRequested ? ' [retry next run]' : ''}: ${q.message}${q.step ? ` (step ${q.step})` : ''}`,
          );
          if (marked !== null) lines.unshift(`${marked} item(s) will be retried in the next run.`);
          if (items.length === 0 && marked === null) lines.push('Nothing is quarantined.');
          process.stdout.write(lines.join('\n') + '\n');
        }
      } finally {
        state.close();
      }
    });
}
