import type { Command } from 'commander';
import type { Language } from '../core/localized';
import type { CheckResult } from '../core/setup/check';
import { diagnosticsBackends } from '../core/service/diagnostics-backends';
import { EXIT, printJson, type GlobalOptions } from './context';
import { keychainEnv } from './users';

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' } as const;

const line = (r: CheckResult, lang: Language) =>
  `${MARK[r.status]}  ${r.title[lang]}: ${r.message[lang]}` +
  (r.step ? `\n      step ${r.step}${r.link ? `: ${r.link}` : ''}` : '');

/**
 * `test`: every diagnostic, Google's then Severa's, in the documented order; each names the
 * step that fixes it. Exit 0 when nothing failed, 1 when a check failed, 2 on bad configuration.
 */
export function registerTest(program: Command): void {
  program
    .command('test')
    .description('run the diagnostics ("Test"): every check with the step that fixes it')
    .option('--json', '{"ok":BOOL,"checks":[{"id","status","step","message","link"}]}')
    .action(async (_o: GlobalOptions, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const lang: Language = options.lang === 'fi' ? 'fi' : 'en';
      const report = await diagnosticsBackends.runDiagnostics(keychainEnv(options), (result) => {
        if (!options.json) process.stdout.write(line(result, lang) + '\n');
      });
      if (options.json) {
        printJson({
          ok: report.ok,
          checks: report.checks.map((c) => ({
            id: c.id,
            status: c.status,
            step: c.step,
            message: c.message[lang],
            link: c.link,
            ...(c.details === undefined ? {} : { details: c.details }),
          })),
        });
      }
      process.exitCode = report.ok ? EXIT.ok : EXIT.failed;
    });
}
