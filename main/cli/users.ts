import type { Command } from 'commander';
import type { ProfileEnv } from '../core/service/backends';
import { diagnosticsBackends } from '../core/service/diagnostics-backends';
import { KeychainSecretStore } from '../core/store/keychain';
import { openProfile, printJson, type GlobalOptions } from './context';

/** The profile's settings with the keychain's secrets, as the core services take them. */
export function keychainEnv(options: GlobalOptions): ProfileEnv {
  const profile = openProfile(options);
  return {
    dir: profile.dir,
    settings: profile.settings.get(),
    secrets: new KeychainSecretStore(profile.dir),
    logger: profile.logger,
  };
}

const MATCH_TEXT = {
  ok: 'ok',
  'no-google-account': 'no Google account with this address',
  'no-email': 'no e-mail address in Severa',
  unchecked: 'not checked',
} as const;

/**
 * `users`: the active Severa users, whether each is enabled, and whether their e-mail has a
 * Google account (a token is minted for each enabled user; `unchecked` while Google is not set up).
 */
export function registerUsers(program: Command): void {
  program
    .command('users')
    .description(
      'Severa users and whether their e-mail matches a Google account (steps pre.same-email, app.users)',
    )
    .option('--json', 'one JSON array: guid, name, email, enabled, match, step')
    .action(async (_o: GlobalOptions, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const users = await diagnosticsBackends.listUsers(keychainEnv(options));
      if (options.json) {
        printJson(users);
        return;
      }
      const lines = users.map(
        (u) =>
          `${u.enabled ? '[x]' : '[ ]'} ${u.name} <${u.email ?? '-'}>: ${MATCH_TEXT[u.match]}${u.step ? ` (step ${u.step})` : ''}`,
      );
      process.stdout.write(lines.join('\n') + (lines.length ? '\n' : ''));
    });
}
