import type { Command } from 'commander';
import type { Settings } from '../core/store/settings';
import { accountChanged } from '../core/sync/engine';
import type { SyncState } from '../core/sync/state';
import { openState } from './connect';
import { openProfile, printJson, type GlobalOptions } from './context';

/** What `status` shows: read from the local state only, so it works without the keychain. */
export function statusReport(state: SyncState, settings: Settings, now = new Date()) {
  const lastRun = state.lastRun();
  const counts = state.linkCounts();
  const held = state.heldLinks();
  const nextRunAt =
    settings.app.backgroundPaused || !lastRun
      ? null
      : new Date(
          Math.max(
            now.getTime(),
            Date.parse(lastRun.finishedAt ?? lastRun.startedAt) +
              settings.sync.intervalMinutes * 60_000,
          ),
        ).toISOString();
  return {
    lastRun,
    nextRunAt,
    paused: settings.app.backgroundPaused,
    /** `pre.account-change`: sync refuses to run until `reset`. */
    accountChanged: accountChanged(settings, state),
    users: state.listUsers().map((u) => ({
      email: u.email,
      state: u.state,
      reason: u.reason,
      step: u.step,
      lastRunAt: u.lastRunAt,
      items: counts.get(u.email) ?? 0,
      held: held.filter((l) => l.user === u.email).length,
    })),
    held: held.map((l) => ({
      user: l.user,
      action: l.held,
      severaGuid: l.severaGuid,
      googleId: l.googleId,
    })),
  };
}

function printHuman(report: ReturnType<typeof statusReport>): void {
  const run = report.lastRun;
  const lines = [
    run
      ? `Last run: ${run.startedAt} ${run.ok ? 'ok' : run.ok === false ? 'with problems' : 'unfinished'}`
      : 'Last run: never',
    ...(report.accountChanged
      ? ['The Google account has changed: sync is stopped until `reset` (step pre.account-change).']
      : []),
    `Next run: ${report.paused ? 'paused' : (report.nextRunAt ?? 'when the schedule starts')}`,
    ...report.users.map(
      (u) =>
        `  ${u.email}: ${u.state}, ${u.items} items${u.held ? `, ${u.held} held` : ''}${u.reason ? ` — ${u.reason}` : ''}`,
    ),
    report.held.length
      ? `Held deletions: ${report.held.length} (sync --confirm-held applies them, --reject-held restores)`
      : 'Held deletions: none',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('last run, next run, per-user state and held deletions')
    .option('--json', 'print the status as JSON')
    .action((_o: GlobalOptions, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const profile = openProfile(options);
      const state = openState(profile);
      try {
        const report = statusReport(state, profile.settings.get());
        if (options.json) printJson(report);
        else printHuman(report);
      } finally {
        state.close();
      }
    });
}
