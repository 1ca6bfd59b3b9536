import type { Command } from 'commander';
import { startGoogleSandbox } from '../core/sandbox/google-sandbox';
import { startSeveraSandbox } from '../core/sandbox/severa-sandbox';
import { printJson, UsageError } from './context';

/**
 * `sandbox`: the local Google and Severa fakes with the demo company, for demos, support repros
 * and trying the CLI. Prints one JSON line with the endpoints and every demo value `configure`
 * needs, then serves until SIGINT/SIGTERM.
 */
export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('start the local Google and Severa sandboxes with the demo company')
    .option(
      '--port <n>',
      'Google sandbox port (Severa takes the next one); 0 picks free ports',
      '0',
    )
    .option('--latency <ms>', 'added to every API answer', '0')
    .option('--json', 'print one JSON line: {"google":{…},"severa":{…},"demo":{…}}')
    .action(async (options: { port: string; latency: string; json?: boolean }) => {
      const port = Number(options.port);
      const latencyMs = Number(options.latency);
      if (!Number.isInteger(port) || port < 0 || port > 65534)
        throw new UsageError('--port must be 0…65534');
      if (!Number.isFinite(latencyMs) || latencyMs < 0)
        throw new UsageError('--latency must be a number of milliseconds');
      const google = await startGoogleSandbox({
        port,
        latencyMs,
        seedDemo: true,
        failOnDepartures: false,
      });
      const severa = await startSeveraSandbox({
        port: port === 0 ? 0 : port + 1,
        latencyMs,
        seedDemo: true,
      });
      const demo = google.demo!;
      const types = severa.control.activityTypes.listAll().filter((t) => t.isActive);
      const guidOf = (category: string) => types.find((t) => t.category === category)?.guid ?? null;
      const info = {
        google: { apiRoot: google.apiRoot, tokenUrl: google.tokenUrl },
        severa: { apiRoot: severa.apiRoot },
        demo: {
          p12: demo.p12Path,
          keyPassword: demo.p12Password,
          serviceAccount: demo.serviceAccountEmail,
          clientId: demo.clientId,
          domain: demo.domain,
          testUser: demo.testUser,
          severaClientId: severa.demo!.clientId,
          severaClientSecret: severa.demo!.clientSecret,
          // What the admin picks in `severa.activity-types`: every calendar-like type is synced.
          activityTypes: types.filter((t) => t.category !== 'Task').map((t) => t.guid),
          defaultActivityType: guidOf('CalendarEntry'),
          personalActivityType: guidOf('Personal'),
        },
      };
      if (options.json) printJson(info);
      else
        process.stdout.write(
          [
            `Google sandbox: ${info.google.apiRoot} (token URL ${info.google.tokenUrl})`,
            `Severa sandbox: ${info.severa.apiRoot}`,
            `Demo company: domain ${info.demo.domain}, test user ${info.demo.testUser}`,
            `  service account ${info.demo.serviceAccount}, client ID ${info.demo.clientId}`,
            `  key ${info.demo.p12} (password ${info.demo.keyPassword})`,
            `  Severa client id ${info.demo.severaClientId}, secret ${info.demo.severaClientSecret}`,
            'Serving until Ctrl+C (--json prints these values as JSON).',
            '',
          ].join('\n'),
        );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await Promise.all([google.close(), severa.close()]);
    });
}
