import type { Command } from 'commander';
import { z } from 'zod';
import { LOG_LEVELS, levelsFrom, type LogEntry } from '../core/sync/sync-log';
import { openState } from './connect';
import { openProfile, printJson, UsageError, type GlobalOptions } from './context';

interface LogCommandOptions extends GlobalOptions {
  since?: string;
  user?: string;
  level?: string;
  limit?: string;
}

const querySchema = z.object({
  since: z
    .string()
    .refine(
      (s) => !Number.isNaN(Date.parse(s)),
      'must be a date or time, e.g. 2026-11-25T08:00:00Z',
    )
    .transform((s) => new Date(s).toISOString())
    .optional(),
  user: z.string().trim().toLowerCase().email('must be an e-mail address').optional(),
  level: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(1000),
});

/** Our words, then the server's own where they add to them. */
const words = (e: LogEntry) => {
  const server = e.messageFrom || !e.text ? e.message : null;
  const ours = e.text?.en;
  if (!ours) return server ?? '';
  return server && !ours.includes(server) ? `${ours} — ${server}` : ours;
};

const human = (e: LogEntry) =>
  [
    e.time,
    e.level.toUpperCase().padEnd(5),
    e.user ?? '-',
    e.direction ?? '',
    e.action,
    e.result,
    e.severaGuid ?? '',
    e.googleId ?? '',
    e.errorType ? `[${e.errorType}]` : '',
    words(e),
    e.step ? `(step ${e.step})` : '',
  ]
    .filter(Boolean)
    .join(' ');

export function registerLog(program: Command): void {
  program
    .command('log')
    .description('the sync log: every action and error, with the server’s exact message')
    .option('--since <time>', 'entries from this time on (ISO 8601)')
    .option('--user <email>', 'one user')
    .option('--level <level>', `this level and worse: ${LOG_LEVELS.join(', ')}`)
    .option('--limit <n>', 'at most this many, the newest', '1000')
    .option('--json', 'one JSON array of entries')
    .action((_o: LogCommandOptions, cmd: Command) => {
      const options = cmd.optsWithGlobals<LogCommandOptions>();
      const parsed = querySchema.safeParse(options);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new UsageError(
          `--${String(issue?.path[0] ?? 'option')} ${issue?.message ?? 'is invalid'}`,
        );
      }
      const q = parsed.data;
      const state = openState(openProfile(options));
      try {
        const entries = state.queryLog({
          since: q.since,
          user: q.user,
          levels: q.level ? levelsFrom(q.level) : undefined,
          limit: q.limit,
        });
        if (options.json) printJson(entries);
        else process.stdout.write(entries.map(human).join('\n') + (entries.length ? '\n' : ''));
      } finally {
        state.close();
      }
    });
}
