import type { Command } from 'commander';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importGoogleKey } from '../core/google/key-import';
import { localized, type Language, type Localized } from '../core/localized';
import { createLogger } from '../core/log';
import { startGoogleSandbox, type GoogleSandbox } from '../core/sandbox/google-sandbox';
import { startSeveraSandbox, type SeveraSandbox } from '../core/sandbox/severa-sandbox';
import { connectGoogle, connectSevera } from '../core/service/connect';
import { diagnosticsBackends } from '../core/service/diagnostics-backends';
import { MemorySecretStore } from '../core/service/memory-secrets';
import type { CheckResult } from '../core/setup/check';
import { profilePaths } from '../core/store/profile';
import { FileSettingsStore } from '../core/store/settings';
import { runSync, type SyncResult } from '../core/sync/engine';
import { SyncState } from '../core/sync/state';
import type { LogEntry } from '../core/sync/sync-log';
import { printJson, type GlobalOptions } from './context';
import { syncJson } from './sync';

interface DemoOptions extends GlobalOptions {
  keepProfile?: boolean;
}

/** One thing the sync did, in words a newcomer reads: which side, whose calendar, what. */
interface DemoChange {
  side: 'google' | 'severa';
  user: string;
  action: string;
  title: string;
}

const VERBS: Record<string, Localized> = {
  'create-google': localized('lisäsi kalenteriin', 'added to the calendar of'),
  'restore-google': localized('palautti kalenteriin', 'restored in the calendar of'),
  'update-google': localized('päivitti kalenterissa', 'updated in the calendar of'),
  'delete-google': localized('poisti kalenterista', 'removed from the calendar of'),
  adopt: localized(
    'yhdisti olemassa olevaan tapahtumaan käyttäjällä',
    'linked to an existing event of',
  ),
  'create-severa': localized(
    'loi Severaan aktiviteetin käyttäjälle',
    'created a Severa activity for',
  ),
  'update-severa': localized(
    'päivitti Severan aktiviteetin käyttäjälle',
    'updated a Severa activity for',
  ),
  'delete-severa': localized(
    'poisti Severan aktiviteetin käyttäjältä',
    'removed a Severa activity of',
  ),
};

const STATUS_MARK: Record<CheckResult['status'], string> = {
  pass: 'ok  ',
  warn: 'warn',
  fail: 'FAIL',
  skip: 'skip',
};

/** The titles come from the sandboxes themselves: what a person would now see on each side. */
function describeChanges(entries: LogEntry[], google: GoogleSandbox, severa: SeveraSandbox) {
  const changes: DemoChange[] = [];
  for (const e of entries) {
    if (e.result !== 'ok' || !e.user || !(e.action in VERBS)) continue;
    const activity = e.severaGuid ? severa.control.activities.get(e.severaGuid) : undefined;
    const event = e.googleId
      ? google.control.listAll(e.user).find((x) => x.id === e.googleId)
      : undefined;
    changes.push({
      side: e.direction === 'to-severa' ? 'severa' : 'google',
      user: e.user,
      action: e.action,
      title: activity?.name ?? event?.summary ?? '(untitled)',
    });
  }
  return changes;
}

function printStory(
  lang: Language,
  profileDir: string,
  checks: CheckResult[],
  result: SyncResult,
  changes: DemoChange[],
): void {
  const t = (fi: string, en: string) => localized(fi, en)[lang];
  const out: string[] = [
    t(
      'Demo: paikallinen Google ja Severa käynnistettiin Kalevalan demoyrityksellä, ja väliaikainen profiili määritettiin niille:',
      'Demo: a local Google and a local Severa were started with the Kalevala demo company, and a throw-away profile was configured for them:',
    ),
    `  ${profileDir}`,
    '',
    t(
      '1. Testi (sama kuin sovelluksen Testaa-painike):',
      "1. Test (the same as the app's Test button):",
    ),
    ...checks.map(
      (c) =>
        `  [${STATUS_MARK[c.status]}] ${c.title[lang]}${c.status === 'pass' ? '' : ` — ${c.message[lang]}${c.step ? ` (${c.step})` : ''}`}`,
    ),
    '',
    t('2. Synkronointi:', '2. Sync:'),
  ];
  for (const side of ['google', 'severa'] as const) {
    const mine = changes.filter((c) => c.side === side);
    out.push(
      side === 'google'
        ? t(
            `  Googlen puolella ${mine.length} muutosta Severan aktiviteeteista:`,
            `  On the Google side, ${mine.length} changes from Severa activities:`,
          )
        : t(
            `  Severan puolella ${mine.length} muutosta Google-tapahtumista:`,
            `  On the Severa side, ${mine.length} changes from Google events:`,
          ),
    );
    // One line per title and action: a weekly series is one line, not twelve.
    const groups = new Map<string, { change: DemoChange; count: number; users: Set<string> }>();
    for (const c of mine) {
      const key = `${c.action}\u0000${c.title}`;
      const group = groups.get(key) ?? { change: c, count: 0, users: new Set<string>() };
      group.count++;
      group.users.add(c.user.split('@')[0] as string);
      groups.set(key, group);
    }
    for (const { change, count, users } of groups.values())
      out.push(
        `    "${change.title}"${count > 1 ? ` ×${count}` : ''} — ${VERBS[change.action]![lang]} ${[...users].join(', ')}`,
      );
  }
  for (const s of result.skipped)
    out.push(
      t(
        `  Ohitettu ${s.user}: ${s.text?.fi ?? s.message} (vaihe ${s.step})`,
        `  Skipped ${s.user}: ${s.text?.en ?? s.message} (step ${s.step})`,
      ),
    );
  for (const e of result.errors)
    out.push(`  ${t('Virhe', 'Error')} ${e.user ?? ''}: ${e.text?.[lang] ?? e.message}`);
  out.push(
    '',
    t(
      'Yksityiset Google-tapahtumat tulivat Severaan henkilökohtaisina aktiviteetteina, ja Severan henkilökohtaiset menot näkyvät Googlessa yksityisinä. Kun ajat synkronoinnin uudestaan, mitään ei kopioida kahdesti.',
      'Private Google events became Personal activities in Severa, and personal Severa entries show as private in Google. Run the sync again and nothing is copied twice.',
    ),
    t(
      'Oikeaa yritystä varten: katso README:n läpikäynti ja `configure --help`.',
      'For your real company: see the walk-through in the README and `configure --help`.',
    ),
  );
  process.stdout.write(out.join('\n') + '\n');
}

/**
 * `demo`: a newcomer's first command. Starts both sandboxes with the demo company, configures a
 * throw-away profile through the real paths (the P12 import, settings), runs the Test and one
 * sync, prints what happened on each side, and removes everything. The demo's secrets are
 * sandbox credentials held in memory only, so it runs on machines without a keychain.
 */
async function demo(options: DemoOptions): Promise<void> {
  const lang: Language = options.lang === 'fi' ? 'fi' : 'en';
  const google = await startGoogleSandbox({ seedDemo: true, failOnDepartures: false });
  const severa = await startSeveraSandbox({ seedDemo: true });
  const profileDir = mkdtempSync(join(tmpdir(), 'severa-sync-demo-'));
  const paths = profilePaths(profileDir);
  const logger = createLogger(paths.debugLog, 'demo');
  const settings = new FileSettingsStore(paths.settings);
  const secrets = new MemorySecretStore();
  let state: SyncState | null = null;
  try {
    const g = google.demo!;
    const s = severa.demo!;
    await importGoogleKey(
      {
        bytes: readFileSync(g.p12Path),
        password: g.p12Password,
        serviceAccountEmail: g.serviceAccountEmail,
        clientId: g.clientId,
      },
      secrets,
      settings,
      logger,
    );
    await secrets.set('severa-client-secret', s.clientSecret);
    const severaTypes = severa.control.activityTypes.listAll();
    settings.update({
      google: {
        domain: g.domain,
        testUser: g.testUser,
        apiRoot: google.apiRoot,
        tokenUrl: google.tokenUrl,
      },
      severa: {
        clientId: s.clientId,
        apiRoot: severa.apiRoot,
        defaultActivityTypeGuid: severaTypes.find((t) => t.isDefault && t.isActive)?.guid ?? null,
        personalActivityTypeGuid:
          severaTypes.find((t) => t.category === 'Personal' && t.isActive)?.guid ?? null,
        // The help page's advice: every active type but project tasks.
        activityTypeGuids: severaTypes
          .filter((t) => t.isActive && t.category !== 'Task')
          .map((t) => t.guid),
      },
      app: { demo: true },
    });
    const env = () => ({ dir: profileDir, settings: settings.get(), secrets, logger });
    const report = await diagnosticsBackends.runDiagnostics(env(), () => undefined);

    const entries: LogEntry[] = [];
    const [severaClient, googleClient] = [await connectSevera(env()), await connectGoogle(env())];
    state = SyncState.open(paths.state);
    let result: SyncResult;
    try {
      result = await runSync(
        {
          settings: settings.get(),
          severa: severaClient,
          google: googleClient,
          state,
          logger: logger.child('sync'),
          onLogEntry: (e) => entries.push(e),
        },
        {},
      );
    } finally {
      googleClient.close();
    }
    const changes = describeChanges(entries, google, severa);
    if (options.json)
      printJson({ profile: profileDir, test: report, sync: syncJson(result), changes });
    else printStory(lang, profileDir, report.checks, result, changes);
    process.exitCode = report.ok && result.ok ? 0 : 1;
  } finally {
    state?.close();
    await Promise.all([google.close(), severa.close()]);
    if (!options.keepProfile) rmSync(profileDir, { recursive: true, force: true });
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'try it safely: local sandboxes with a demo company, the Test and one sync, explained',
    )
    .option('--keep-profile', 'leave the throw-away profile (settings, state, logs) on disk')
    .option('--json', 'print {"profile":…,"test":…,"sync":…,"changes":[…]}')
    .action(async (_o: DemoOptions, cmd: Command) => {
      await demo(cmd.optsWithGlobals<DemoOptions>());
    });
}
