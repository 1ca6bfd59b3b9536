import { Option, type Command } from 'commander';
import { z } from 'zod';
import type { Language } from '../core/localized';
import { acquireProfileLock } from '../core/store/profile-lock';
import { DEFAULT_CONCURRENCY, runSync, type SyncError, type SyncResult } from '../core/sync/engine';
import { connectProfile } from './connect';
import { syncProgressReporter } from './progress';
import {
  EXIT,
  openProfile,
  printJson,
  stopOnSignals,
  UsageError,
  type GlobalOptions,
} from './context';

interface SyncCommandOptions extends GlobalOptions {
  dryRun?: boolean;
  user?: string[];
  confirmHeld?: boolean;
  rejectHeld?: boolean;
  concurrency?: string;
  sweep?: 'near' | 'full';
  wait?: string;
}

/** How long `sync` waits by default for a run in progress on the profile (the daemon's, say). */
const DEFAULT_WAIT_SECONDS = 60;

const emails = z.array(z.string().trim().toLowerCase().email()).optional();

/** The JSON `sync --json` prints (issue 4), plus the flagged users and, in a dry run, the plan. */
export function syncJson(r: SyncResult) {
  const { plan, runId: _runId, ...summary } = r;
  return r.dryRun ? { ...summary, plan } : summary;
}

/** Our diagnosis in the chosen language, then the server's own words when they differ. */
function describeError(e: SyncError, lang: Language): string {
  const ours = e.text?.[lang];
  const text = ours && ours !== e.message ? `${ours} — ${e.message}` : e.message;
  return `${e.user ?? ''}: ${text}${e.step ? ` (step ${e.step})` : ''}`;
}

function printHuman(r: SyncResult, lang: Language): void {
  const line = (label: string, c: SyncResult['toGoogle']) =>
    `${label}: ${c.created} created, ${c.updated} updated, ${c.deleted} deleted`;
  const out = [
    `${r.dryRun ? 'Dry run (nothing written)' : 'Sync'} ${r.ok ? 'ok' : 'finished with problems'}: ${r.users} users`,
    line('  Severa → Google', r.toGoogle),
    line('  Google → Severa', r.toSevera),
    `  adopted ${r.adopted}, conflicts ${r.conflicts}, held deletions ${r.held}`,
    ...r.plan.map(
      (p) =>
        `  plan ${p.user} ${p.action} ${p.title ?? ''} (${p.severaGuid ?? '-'} / ${p.googleId ?? '-'})`,
    ),
    ...r.skipped.map((s) => `  skipped ${describeError(s, lang)}`),
    ...r.errors.map((e) => `  error ${describeError(e, lang)}`),
  ];
  process.stdout.write(out.join('\n') + '\n');
}

async function sync(options: SyncCommandOptions): Promise<void> {
  if (options.confirmHeld && options.rejectHeld) {
    throw new UsageError('--confirm-held and --reject-held exclude each other');
  }
  const users = emails.safeParse(options.user);
  if (!users.success) throw new UsageError('--user must be an e-mail address');
  const concurrency = options.concurrency === undefined ? undefined : Number(options.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new UsageError('--concurrency must be a whole number ≥ 1');
  }
  const waitSeconds = options.wait === undefined ? DEFAULT_WAIT_SECONDS : Number(options.wait);
  if (!(Number.isInteger(waitSeconds) && waitSeconds >= 0))
    throw new UsageError('--wait must be a whole number of seconds ≥ 0');
  const profile = openProfile(options);
  // SIGINT/SIGTERM: nothing new starts, requests still in flight end after a grace period.
  const stop = stopOnSignals();
  const lock = await acquireProfileLock(profile.dir, 'run', {
    owner: 'sync',
    waitMs: waitSeconds * 1000,
    signal: stop.run,
  }).catch((e: unknown) => {
    stop.dispose();
    throw e;
  });
  let connected: Awaited<ReturnType<typeof connectProfile>> | null = null;
  const lang: Language = options.lang === 'fi' ? 'fi' : 'en';
  const progress = syncProgressReporter(process.stderr, {
    json: Boolean(options.json),
    language: lang,
  });
  try {
    connected = await connectProfile(profile, stop.requests);
    const result = await runSync(
      {
        settings: connected.settings,
        severa: connected.severa,
        google: connected.google,
        state: connected.state,
        logger: profile.logger.child('sync'),
        signal: stop.run,
        onProgress: progress.onProgress,
      },
      {
        dryRun: options.dryRun,
        users: users.data,
        heldDecision: options.confirmHeld ? 'confirm' : options.rejectHeld ? 'reject' : undefined,
        concurrency,
        sweep: options.sweep,
      },
    );
    progress.end();
    if (options.json) printJson(syncJson(result));
    else printHuman(result, lang);
    process.exitCode = result.ok ? EXIT.ok : EXIT.failed;
  } finally {
    progress.end();
    stop.dispose();
    connected?.close();
    lock.release();
  }
}

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description(
      'run one two-way sync now. One run per profile: beside a running daemon (or another sync) it waits for the run in progress to finish, up to --wait seconds, then runs once itself; the daemon then carries on with its schedule',
    )
    .option('--dry-run', 'print the plan; write nothing on either side or locally')
    .option('--user <email...>', 'only these users (the Severa watermark then stays)')
    .option('--confirm-held', 'apply the deletions held for confirmation')
    .option('--reject-held', 'bring back what the held deletions would have removed')
    .option('--concurrency <n>', `users synced at the same time (default ${DEFAULT_CONCURRENCY})`)
    .option(
      '--wait <seconds>',
      `how long to wait for another run of this profile to finish before refusing (default ${DEFAULT_WAIT_SECONDS})`,
    )
    .addOption(
      new Option(
        '--sweep <range>',
        'look for Severa deletions now: the near future or the whole window',
      ).choices(['near', 'full']),
    )
    .option(
      '--json',
      'print {"ok":…,"users":…,"toGoogle":{…},"toSevera":{…},…}; while it runs, {"event":"progress",…} lines on stderr',
    )
    .action(async (_o: SyncCommandOptions, cmd: Command) => {
      await sync(cmd.optsWithGlobals<SyncCommandOptions>());
    });
}
