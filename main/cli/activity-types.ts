import type { Command } from 'commander';
import { diagnosticsBackends } from '../core/service/diagnostics-backends';
import type { GlobalOptions } from './context';
import { printJson } from './context';
import { keychainEnv } from './users';

/**
 * `activity-types`: Severa's activity types with their category, and which of them the settings
 * use (synced to Google, the default for Google entries, the Personal type for private ones).
 */
export function registerActivityTypes(program: Command): void {
  program
    .command('activity-types')
    .description('Severa activity types and how the settings use them (step severa.activity-types)')
    .option(
      '--json',
      'one JSON array: guid, name, category, isActive, synced, defaultForGoogle, personalForGoogle',
    )
    .action(async (_o: GlobalOptions, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const env = keychainEnv(options);
      const { activityTypeGuids, defaultActivityTypeGuid, personalActivityTypeGuid } =
        env.settings.severa;
      const types = (await diagnosticsBackends.listActivityTypes(env)).map((t) => ({
        ...t,
        synced: activityTypeGuids.includes(t.guid),
        defaultForGoogle: t.guid === defaultActivityTypeGuid,
        personalForGoogle: t.guid === personalActivityTypeGuid,
      }));
      if (options.json) {
        printJson(types);
        return;
      }
      const lines = types.map((t) => {
        const uses = [
          t.synced && 'synced to Google',
          t.defaultForGoogle && 'default for Google entries',
          t.personalForGoogle && 'for private Google entries',
        ];
        const marks = uses.filter(Boolean).join(', ');
        return `${t.guid}  ${t.name} (${t.category}${t.isActive ? '' : ', inactive'})${marks ? `: ${marks}` : ''}`;
      });
      process.stdout.write(lines.join('\n') + (lines.length ? '\n' : ''));
    });
}
