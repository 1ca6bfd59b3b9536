import type { Command } from 'commander';
import { z } from 'zod';
import { acquireProfileLock, withRunLock } from '../core/store/profile-lock';
import { errorFields } from '../core/sync/sync-log';
import { runSync, type SyncResult } from '../core/sync/engine';
import { startDaemonLoop } from '../core/sync/daemon-loop';
import { connectProfile, type ConnectedProfile } from './connect';
import { daemonProgressReporter } from './progress';
import {
  openProfile,
  printJson,
  stopOnSignals,
  UsageError,
  type CliProfile,
  type GlobalOptions,
} from './context';
import { syncJson } from './sync';

interface DaemonOptions extends GlobalOptions {
  interval?: string;
}

const intervalOption = z.coerce.number().int().min(1).max(1440).optional();
/** A daemon run due while another run of the profile (a `sync`) is going waits this long. */
const RUN_LOCK_WAIT_MS = 5 * 60_000;

/**
 * The clients are built once and kept (their limiters and Google tokens carry over between
 * runs); a changed settings file (`configure` while the daemon runs) rebuilds them before the
 * next run.
 */
function connection(profile: CliProfile, signal: AbortSignal) {
  let current: { key: string; connected: ConnectedProfile } | null = null;
  return {
    async get(): Promise<ConnectedProfile> {
      const key = JSON.stringify(profile.settings.get());
      if (current?.key !== key) {
        current?.connected.close();
        current = null;
        current = { key, connected: await connectProfile(profile, signal) };
      }
      return current.connected;
    },
    close() {
      current?.connected.close();
      current = null;
    },
  };
}

function report(options: DaemonOptions, outcome: { result: SyncResult } | { error: unknown }) {
  const time = new Date().toISOString();
  if ('error' in outcome) {
    const f = errorFields(outcome.error);
    if (options.json) printJson({ event: 'run', time, ok: false, error: f });
    else
      process.stdout.write(
        `${time} run failed: ${f.message}${f.step ? ` (step ${f.step})` : ''}\n`,
      );
    return;
  }
  const r = outcome.result;
  if (options.json) {
    printJson({ event: 'run', time, ...syncJson(r) });
    return;
  }
  const c = (x: SyncResult['toGoogle']) => `${x.created}+ ${x.updated}~ ${x.deleted}-`;
  process.stdout.write(
    `${time} ${r.ok ? 'ok' : r.aborted ? 'stopped' : 'problems'}: ${r.users} users, Severa→Google ${c(r.toGoogle)}, Google→Severa ${c(r.toSevera)}, held ${r.held}, errors ${r.errors.length}\n`,
  );
}

async function daemon(options: DaemonOptions): Promise<void> {
  const interval = intervalOption.safeParse(options.interval);
  if (!interval.success)
    throw new UsageError('--interval must be a whole number of minutes, 1…1440');
  const profile = openProfile(options);
  const lock = await acquireProfileLock(profile.dir, 'daemon', { owner: 'daemon' });
  const logger = profile.logger.child('daemon');
  // SIGTERM (systemd stop) and SIGINT: nothing new starts, what finished is recorded, requests
  // still in flight end after a grace period.
  let stopped: (signal: string) => void = () => undefined;
  const signalled = new Promise<string>((resolve) => (stopped = resolve));
  const stop = stopOnSignals((name) => stopped(name));
  const clients = connection(profile, stop.requests);
  const onProgress = daemonProgressReporter(process.stdout, {
    json: Boolean(options.json),
    language: options.lang === 'fi' ? 'fi' : 'en',
  });
  const loop = startDaemonLoop({
    intervalMinutes: () => interval.data ?? profile.settings.get().sync.intervalMinutes,
    // Each run holds the profile's run lock, so a `sync` started meanwhile waits for it.
    runOnce: (signal) =>
      withRunLock(
        profile.dir,
        { owner: 'daemon', waitMs: RUN_LOCK_WAIT_MS, signal: stop.run },
        async () => {
          const c = await clients.get();
          return runSync(
            {
              settings: c.settings,
              severa: c.severa,
              google: c.google,
              state: c.state,
              logger: logger.child('sync'),
              signal,
              onProgress,
            },
            {},
          );
        },
      ),
    onRun: (outcome) => {
      report(options, outcome);
      if ('error' in outcome) logger.warn('run failed', { error: errorFields(outcome.error) });
    },
    onStatus: (s) => {
      if (!s.running && s.nextRunAt) logger.info('next run', { at: s.nextRunAt.toISOString() });
    },
  });
  logger.info('daemon started', { pid: process.pid });
  const signal = await signalled;
  logger.info('stopping', { signal });
  await loop.stop();
  stop.dispose();
  clients.close();
  lock.release();
  if (!options.json) process.stdout.write(`${new Date().toISOString()} stopped (${signal})\n`);
}

/** `daemon`: sync on a schedule until stopped; for servers (docs/server-mode.md). */
export function registerDaemon(program: Command): void {
  program
    .command('daemon')
    .description(
      "sync now and then every interval until SIGTERM/SIGINT (server mode). One daemon per profile; each run holds the profile run lock, so a `sync` started meanwhile waits for it and then runs between the daemon's runs",
    )
    .option('--interval <minutes>', 'minutes between runs (default: the profile setting)')
    .option(
      '--json',
      'print one JSON line per run ({"event":"run",…}), and {"event":"progress",…} once a minute while a long run goes on',
    )
    .action(async (_o: DaemonOptions, cmd: Command) => {
      await daemon(cmd.optsWithGlobals<DaemonOptions>());
    });
}
