import { Option, type Command } from 'commander';
import { z } from 'zod';
import { importGoogleKey, readKeyFile, type ImportedGoogleKey } from '../core/google/key-import';
import type { Localized } from '../core/localized';
import { registerSecret } from '../core/log';
import { KeychainSecretStore } from '../core/store/keychain';
import { mergeSettings, type DeepPartial, type Settings } from '../core/store/settings';
import { openProfile, printJson, UsageError, type GlobalOptions } from './context';

type Section = 'google' | 'severa' | 'users' | 'sync';

/** One command-line option that sets one setting (or, with key null, part of a section). */
interface SettingOption {
  option: Option;
  section: Section;
  key: string | null;
  /** From the text typed to the setting's value; ranges are the settings schema's job. */
  value: z.ZodType<unknown, string>;
}

const text = z.string().trim().min(1, 'must not be empty');
const email = z.string().trim().toLowerCase().email('must be an e-mail address');
const digits = z.string().trim().regex(/^\d+$/, 'must be digits only');
const httpUrl = z
  .string()
  .trim()
  .url('must be a URL')
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');
const guid = z.string().trim().pipe(z.guid('must be a GUID'));
const commaList = <T>(item: z.ZodType<T, string>) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).min(1, 'must list at least one value'));
const integer = z.string().trim().regex(/^\d+$/, 'must be a whole number').transform(Number);
const decimal = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, 'must be a number')
  .transform(Number);
const users = z.union(
  [
    z.literal('all').transform(() => ({ mode: 'all' as const })),
    commaList(email).transform((enabled) => ({ mode: 'selected' as const, enabled })),
  ],
  { error: 'must be all, or e-mail addresses separated by commas' },
);
const domain = z
  .string()
  .trim()
  .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be a domain name like example.com');

const setting = (
  flags: string,
  description: string,
  section: Section,
  key: string | null,
  value: z.ZodType<unknown, string>,
) => ({
  option: new Option(flags, description),
  section,
  key,
  value,
});

const SETTING_OPTIONS: SettingOption[] = [
  setting(
    '--service-account <email>',
    "the service account's e-mail (step gcp.client-id)",
    'google',
    'serviceAccountEmail',
    email,
  ),
  setting(
    '--client-id <id>',
    "the service account's numeric client id (step gcp.client-id)",
    'google',
    'clientId',
    digits,
  ),
  setting('--domain <domain>', 'the Google Workspace domain', 'google', 'domain', domain),
  setting(
    '--test-user <email>',
    'a Workspace user the Test impersonates',
    'google',
    'testUser',
    email,
  ),
  setting(
    '--google-api-root <url>',
    'Google API root (default: the real service)',
    'google',
    'apiRoot',
    httpUrl,
  ),
  setting(
    '--google-token-url <url>',
    'Google token URL (default: the real service)',
    'google',
    'tokenUrl',
    httpUrl,
  ),
  setting(
    '--severa-client-id <id>',
    'Severa REST API client id (step severa.api-credentials)',
    'severa',
    'clientId',
    text,
  ),
  setting(
    '--severa-api-root <url>',
    'Severa REST API root (default: the real service)',
    'severa',
    'apiRoot',
    httpUrl,
  ),
  setting('--severa-rps <n>', 'Severa requests per second', 'severa', 'requestsPerSecond', decimal),
  setting(
    '--activity-types <guids>',
    'activity types synced to Google, comma separated',
    'severa',
    'activityTypeGuids',
    commaList(guid),
  ),
  setting(
    '--default-activity-type <guid>',
    'the type of Google entries that are not private',
    'severa',
    'defaultActivityTypeGuid',
    guid,
  ),
  setting(
    '--personal-activity-type <guid>',
    'a Personal-category type for private Google entries',
    'severa',
    'personalActivityTypeGuid',
    guid,
  ),
  setting(
    '--users <all|emails>',
    'who takes part: all (recommended) or e-mails, comma separated',
    'users',
    null,
    users,
  ),
  setting('--window-past-days <n>', 'days back the sync looks', 'sync', 'windowPastDays', integer),
  setting(
    '--window-future-days <n>',
    'days ahead the sync looks',
    'sync',
    'windowFutureDays',
    integer,
  ),
  setting(
    '--conflict-policy <policy>',
    'later-wins, severa-wins or google-wins',
    'sync',
    'conflictPolicy',
    z.enum(['later-wins', 'severa-wins', 'google-wins']),
  ),
  setting(
    '--deletion-threshold <percent>',
    "hold a run deleting more than this share of a user's items",
    'sync',
    'deletionThresholdPercent',
    decimal,
  ),
  setting(
    '--interval <minutes>',
    'minutes between background syncs',
    'sync',
    'intervalMinutes',
    integer,
  ),
  setting(
    '--request-timeout <seconds>',
    'deadline of every Google, token and Severa request (default 30; retried as the policy says)',
    'sync',
    'requestTimeoutSeconds',
    integer,
  ),
];

interface ConfigureOptions extends GlobalOptions {
  googleKey?: string;
  keyPassword?: string;
  severaClientSecretStdin?: boolean;
  severaClientSecretEnv?: string;
  [attribute: string]: unknown;
}

const flagOf = (s: SettingOption) => s.option.long ?? s.option.flags;
const issueText = (error: z.ZodError) => error.issues.map((i) => i.message).join('; ');

/** What the options ask for; with a key file, the e-mail and client id go with the key instead. */
function readOptions(options: ConfigureOptions) {
  const sections: Partial<Record<Section, Record<string, unknown>>> = {};
  const keyFacts: { serviceAccountEmail?: string; clientId?: string } = {};
  const given: string[] = [];
  for (const entry of SETTING_OPTIONS) {
    const raw = options[entry.option.attributeName()];
    if (raw === undefined) continue;
    const parsed = entry.value.safeParse(raw);
    if (!parsed.success) throw new UsageError(`${flagOf(entry)}: ${issueText(parsed.error)}`);
    if (
      options.googleKey !== undefined &&
      entry.section === 'google' &&
      (entry.key === 'serviceAccountEmail' || entry.key === 'clientId')
    ) {
      keyFacts[entry.key] = parsed.data as string;
      continue;
    }
    const section = (sections[entry.section] ??= {});
    if (entry.key === null) Object.assign(section, parsed.data);
    else section[entry.key] = parsed.data;
    given.push(flagOf(entry));
  }
  return { patch: sections as DeepPartial<Settings>, given, keyFacts };
}

/** Checks the patch against the settings schema (ranges) before anything is written. */
function checkRanges(current: Settings, patch: DeepPartial<Settings>): void {
  try {
    mergeSettings(current, patch);
  } catch (e) {
    if (!(e instanceof z.ZodError)) throw e;
    const messages = e.issues.map((issue) => {
      const entry = SETTING_OPTIONS.find(
        (s) => s.section === issue.path[0] && (s.key === null || s.key === issue.path[1]),
      );
      return `${entry ? flagOf(entry) : issue.path.join('.')}: ${issue.message}`;
    });
    throw new UsageError(messages.join('; '));
  }
}

/** The Severa secret never comes as an argument (it would show in `ps` and shell history). */
async function readSeveraSecret(options: ConfigureOptions): Promise<string | null> {
  if (options.severaClientSecretStdin && options.severaClientSecretEnv)
    throw new UsageError(
      'give the Severa client secret either on standard input or in an environment variable, not both',
    );
  let secret: string | undefined;
  if (options.severaClientSecretStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
    secret = Buffer.concat(chunks).toString('utf8').trim();
    if (!secret) throw new UsageError('--severa-client-secret-stdin: standard input was empty');
  } else if (options.severaClientSecretEnv) {
    secret = process.env[options.severaClientSecretEnv]?.trim();
    if (!secret)
      throw new UsageError(
        `--severa-client-secret-env: the environment variable ${options.severaClientSecretEnv} is not set or empty`,
      );
  } else return null;
  registerSecret(secret);
  return secret;
}

async function configure(options: ConfigureOptions): Promise<void> {
  if (options.keyPassword !== undefined && options.googleKey === undefined)
    throw new UsageError('--key-password needs --google-key');
  const { patch, given, keyFacts } = readOptions(options);
  const severaSecret = await readSeveraSecret(options);
  const profile = openProfile(options);
  checkRanges(profile.settings.get(), patch);
  const secrets = new KeychainSecretStore(profile.dir);

  const warnings: Localized[] = [];
  let key: ImportedGoogleKey | null = null;
  if (options.googleKey !== undefined) {
    key = await importGoogleKey(
      {
        bytes: readKeyFile(options.googleKey),
        password: options.keyPassword,
        ...keyFacts,
      },
      secrets,
      profile.settings,
      profile.logger,
    );
    warnings.push(...key.warnings);
  }
  if (severaSecret !== null) await secrets.set('severa-client-secret', severaSecret);
  const settings = given.length > 0 ? profile.settings.update(patch) : profile.settings.get();
  profile.logger.info('configure', {
    options: given,
    googleKey: key?.fingerprint ?? null,
    severaSecret: severaSecret !== null,
  });

  if (options.json) {
    printJson({ ok: true, settings, warnings });
    return;
  }
  const lang = options.lang === 'fi' ? 'fi' : 'en';
  const lines = [`profile: ${profile.dir}`];
  if (key)
    lines.push(
      `google key: ${key.kind}, client id ${key.clientId ?? '(not known)'}, fingerprint ${key.fingerprint.slice(0, 16)}…, stored in the keychain`,
    );
  if (severaSecret !== null) lines.push('severa client secret: stored in the keychain');
  if (given.length > 0) lines.push(`settings saved: ${given.join(' ')}`);
  if (lines.length === 1) lines.push('nothing to change; give an option to set it (see --help)');
  process.stdout.write(lines.join('\n') + '\n');
  for (const warning of warnings) process.stderr.write(`warning: ${warning[lang]}\n`);
}

/** `configure`: writes the settings and secrets that are given, and nothing else. */
export function registerConfigure(program: Command): void {
  const command = program
    .command('configure')
    .description('Import the Google key and write settings; only the options given are changed.')
    .option('--google-key <file>', 'the service-account key, .p12 or .json (step gcp.p12-key)')
    .option('--key-password <password>', 'the P12 password, if not notasecret')
    .option('--severa-client-secret-stdin', 'read the Severa client secret from standard input')
    .option(
      '--severa-client-secret-env <variable>',
      'read the Severa client secret from this environment variable',
    )
    .option('--json', 'print {"ok":true,"settings":…,"warnings":[…]}');
  for (const entry of SETTING_OPTIONS) command.addOption(entry.option);
  command.action(async (_options: ConfigureOptions, cmd: Command) => {
    await configure(cmd.optsWithGlobals<ConfigureOptions>());
  });
}
