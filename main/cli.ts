import { Command, CommanderError } from 'commander';
import { registerActivityTypes } from './cli/activity-types';
import { registerConfigure } from './cli/configure';
import { EXIT, UsageError } from './cli/context';
import { registerDaemon } from './cli/daemon';
import { registerDemo } from './cli/demo';
import { registerLog } from './cli/log';
import { registerQuarantine } from './cli/quarantine';
import { registerReset } from './cli/reset';
import { registerSandbox } from './cli/sandbox';
import { registerStatus } from './cli/status';
import { registerSync } from './cli/sync';
import { registerTest } from './cli/test';
import { registerUsers } from './cli/users';
import { isAppError } from './core/errors';
import { scrub } from './core/log';

/**
 * The headless CLI (design D9): everything the app does, on the same core, for servers and
 * support. Each command lives in main/cli/<name>.ts and registers itself here.
 */
const program = new Command('severa-calendar-sync')
  .description('Two-way sync between Visma Severa activities and Google Workspace calendars.')
  .option(
    '--profile <dir>',
    "folder for settings, sync state and logs (default: the app's data folder)",
  )
  .option('--lang <fi|en>', 'language of messages', 'en')
  .showHelpAfterError()
  .exitOverride();

const commands: ((p: Command) => void)[] = [
  registerDemo,
  registerSandbox,
  registerConfigure,
  registerTest,
  registerUsers,
  registerActivityTypes,
  registerSync,
  registerStatus,
  registerLog,
  registerQuarantine,
  registerReset,
  registerDaemon,
];
for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (e instanceof UsageError) {
    process.stderr.write(`error: ${scrub(e.message)}\n`);
    process.exitCode = EXIT.usage;
  } else if (isAppError(e)) {
    const lang = program.opts().lang === 'fi' ? 'fi' : 'en';
    process.stderr.write(`error: ${scrub(e.text[lang])}${e.step ? ` (step ${e.step})` : ''}\n`);
    process.exitCode = EXIT.usage;
  } else {
    process.stderr.write(`error: ${scrub(e instanceof Error ? e.message : String(e))}\n`);
    process.exitCode = EXIT.failed;
  }
}
