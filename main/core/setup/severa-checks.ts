import { isAppError } from '../errors';
import { localized, type Localized } from '../localized';
import type { Logger } from '../log';
import { createSeveraClient, type SeveraClient } from '../severa/client';
import type { ActivityType, SeveraUser } from '../severa/models';
import { networkFailure, probeConnection } from '../network-errors';
import { isSeveraApiError } from '../severa/severa-errors';
import { SEVERA_SCOPES, type SeveraScope } from '../severa/types';
import type { SecretStore } from '../store/secrets';
import type { Settings } from '../store/settings';
import type { CheckResult } from './check';
import type { CheckOutcome, DiagnosticCheck } from './diagnostics';
import { stepLink, type StepId } from './steps';

/** Whether Google has an account for this address (engineer B's token probe answers it). */
export type GoogleUserProbe = (email: string) => Promise<'ok' | 'no-account' | 'error'>;

export interface SeveraCheckContext {
  settings: Settings;
  secrets: SecretStore;
  /** Mints a Google token for each user; null when Google is not set up yet (users stay unchecked). */
  probeGoogleUser: GoogleUserProbe | null;
  logger?: Logger;
  fetch?: typeof fetch;
}

export type UserMatchStatus = 'ok' | 'no-google-account' | 'no-email' | 'unchecked';

/** One Severa user and whether they can take part (the `users --json` rows, the UI's users view). */
export interface UserMatch {
  guid: string;
  name: string;
  email: string | null;
  enabled: boolean;
  match: UserMatchStatus;
  step: StepId | null;
}

/** Who the admin enabled: everyone (`pre.enable-for-all`) or the listed addresses. */
export const enabledFilter =
  (users: Settings['users']) =>
  (user: SeveraUser): boolean =>
    users.mode === 'all' ||
    (!!user.email && users.enabled.includes(user.email.trim().toLowerCase()));

const PROBE_CONCURRENCY = 8;

/**
 * Matches Severa users to Google accounts by e-mail (design §3): each enabled user with an
 * address is probed (a few at a time); disabled users and a missing probe leave them unchecked.
 */
export async function matchUsers(
  users: readonly SeveraUser[],
  probe: GoogleUserProbe | null,
  isEnabled: (user: SeveraUser) => boolean = () => true,
): Promise<UserMatch[]> {
  const out: UserMatch[] = users.map((u) => ({
    guid: u.guid,
    name: `${u.firstName} ${u.lastName}`.trim(),
    email: u.email?.trim() || null,
    enabled: isEnabled(u),
    match: 'unchecked',
    step: null,
  }));
  const queue = out.filter((m) => m.enabled);
  const worker = async () => {
    for (let m = queue.shift(); m; m = queue.shift()) {
      if (!m.email) {
        Object.assign(m, { match: 'no-email', step: 'pre.same-email' });
      } else if (probe) {
        const result = await probe(m.email.toLowerCase());
        if (result === 'ok') m.match = 'ok';
        if (result === 'no-account')
          Object.assign(m, { match: 'no-google-account', step: 'pre.same-email' });
      }
    }
  };
  await Promise.all(Array.from({ length: PROBE_CONCURRENCY }, worker));
  return out;
}

/** A Google probe from anything that can mint a user's token (B's `GoogleCalendarsClient.verifyToken`). */
export const probeWith =
  (google: { verifyToken(user: string): Promise<void> }): GoogleUserProbe =>
  async (email) => {
    try {
      await google.verifyToken(email);
      return 'ok';
    } catch (e) {
      return isAppError(e) && e.step === 'pre.same-email' ? 'no-account' : 'error';
    }
  };

const outcome = (
  status: CheckOutcome['status'],
  step: StepId | null,
  message: Localized,
  details?: unknown,
): CheckOutcome => ({
  status,
  step,
  message,
  link: step ? stepLink(step) : null,
  details,
});

const failFrom = (e: unknown): CheckOutcome =>
  isAppError(e)
    ? outcome('fail', e.step, e.text)
    : outcome(
        'fail',
        'support.error-log',
        localized(`Odottamaton virhe: ${String(e)}`, `Unexpected error: ${String(e)}`),
      );

const skipped = (why: Localized) => outcome('skip', null, why);
const AFTER_TOKEN = localized(
  'Ohitettu: Severaan ei saatu yhteyttä.',
  'Skipped: no connection to Severa.',
);

/** The client the token check connected, shared by the later checks of the same run. */
const connected = new WeakMap<SeveraCheckContext, SeveraClient>();

const PROBE_GUID = '00000000-0000-0000-0000-000000000000';

async function first<T>(items: AsyncIterable<T>): Promise<T | undefined> {
  for await (const item of items) return item;
  return undefined;
}

/** A tiny listing of today's activities: the cheapest call that needs the activity add-on. */
const someActivity = (severa: SeveraClient) => {
  const now = Date.now();
  return first(
    severa.listActivities({
      startDateTime: new Date(now).toISOString(),
      endDateTime: new Date(now + 86_400_000).toISOString(),
    }),
  );
};

/** One harmless call per scope: reads list one page; the write and the delete aim at a guid that does not exist. */
const SCOPE_PROBES: Record<SeveraScope, (severa: SeveraClient) => Promise<unknown>> = {
  'activities:read': someActivity,
  'activities:write': (severa) =>
    severa.patchActivity(PROBE_GUID, [{ op: 'Replace', path: '/name', value: 'probe' }]),
  'activities:delete': (severa) => severa.deleteActivity(PROBE_GUID),
  'settings:read': (severa) => first(severa.listActivityTypes()),
  'users:read': (severa) => first(severa.listUsers()),
};

/** Scopes whose probe can only aim at nothing: an answer other than "no scope" proves nothing. */
const BLIND_PROBES: ReadonlySet<SeveraScope> = new Set(['activities:write', 'activities:delete']);

/**
 * `unverified`: neither the token answer nor a harmless call can tell. Severa's document does
 * not say whether it checks the scope before it looks the guid up, so a 404 for the probe guid
 * is not "allowed".
 */
type ScopeResult = 'ok' | 'missing' | 'unverified' | 'add-on-missing' | 'error';

async function exerciseScope(
  severa: SeveraClient,
  scope: SeveraScope,
  granted: readonly string[],
): Promise<{ result: ScopeResult; error?: unknown }> {
  // The token answer's `scope` says what was granted: trusted where it says anything.
  if (BLIND_PROBES.has(scope) && granted.length > 0)
    return { result: granted.includes(scope) ? 'ok' : 'missing' };
  try {
    await SCOPE_PROBES[scope](severa);
    return { result: BLIND_PROBES.has(scope) ? 'unverified' : 'ok' };
  } catch (e) {
    if (isSeveraApiError(e, 'InsufficientApiScope')) return { result: 'missing' };
    if (isSeveraApiError(e, 'AddonMissing') || isSeveraApiError(e, 'FeatureIsNotEnabled'))
      return { result: 'add-on-missing' };
    // Any other answer from Severa (404 for the probe guid, a refused value) is not a refusal of the scope.
    if (
      isSeveraApiError(e) &&
      e.httpStatus !== null &&
      e.httpStatus < 500 &&
      e.type !== 'AuthenticationRequired' &&
      e.type !== 'RateLimited'
    ) {
      return { result: BLIND_PROBES.has(scope) ? 'unverified' : 'ok' };
    }
    return { result: 'error', error: e };
  }
}

/** Whether the scopes check found this scope (it is not known missing). */
const scopeUsable = (previous: readonly CheckResult[], scope: SeveraScope) => {
  const scopes = previous.find((r) => r.id === 'severa.scopes')?.details as
    { scopes?: { scope: string; result: ScopeResult }[] } | undefined;
  return scopes?.scopes?.find((s) => s.scope === scope)?.result !== 'missing';
};

/** The client the token check connected, or why a check that needs `scope` is skipped. */
function connectedFor(
  ctx: SeveraCheckContext,
  previous: readonly CheckResult[],
  scope: SeveraScope,
): SeveraClient | CheckOutcome {
  const severa = connected.get(ctx);
  if (!severa) return skipped(AFTER_TOKEN);
  if (!scopeUsable(previous, scope)) {
    return skipped(
      localized(
        `Ohitettu: käyttöoikeus ${scope} puuttuu.`,
        `Skipped: the scope ${scope} is missing.`,
      ),
    );
  }
  return severa;
}

const NETWORK_PROBE_TIMEOUT_MS = 10_000;

/**
 * Severa's address answers a connection (name, route, TLS certificate): checked without an API
 * request, so nothing outside Severa's document is ever sent.
 */
const networkCheck: DiagnosticCheck<SeveraCheckContext> = {
  id: 'severa.network',
  title: localized('Verkkoyhteys Severaan', 'Network access to Severa'),
  async run(ctx) {
    const url = ctx.settings.severa.apiRoot;
    try {
      await probeConnection(url, NETWORK_PROBE_TIMEOUT_MS);
    } catch (e) {
      const failed = networkFailure(e, 'Severa', url);
      return outcome('fail', 'pre.network', failed.text, failed.details);
    }
    return outcome(
      'pass',
      null,
      localized(
        `Severan osoite vastaa (${new URL(url).host}).`,
        `Severa's address answers (${new URL(url).host}).`,
      ),
    );
  },
};

const tokenCheck: DiagnosticCheck<SeveraCheckContext> = {
  id: 'severa.token',
  title: localized('Severan REST API -tunnukset', 'Severa REST API credentials'),
  async run(ctx, previous) {
    if (previous.some((r) => r.id === 'severa.network' && r.status === 'fail'))
      return skipped(
        localized(
          'Ohitettu: Severan osoitteeseen ei saatu yhteyttä.',
          "Skipped: Severa's address could not be reached.",
        ),
      );
    const { clientId, apiRoot, requestsPerSecond } = ctx.settings.severa;
    const secret = await ctx.secrets.get('severa-client-secret');
    if (!clientId || !secret) {
      return outcome(
        'fail',
        'severa.api-credentials',
        localized(
          'Severan REST API -tunnuksia (client id ja client secret) ei ole annettu.',
          'The Severa REST API credentials (client id and client secret) are not entered.',
        ),
      );
    }
    const severa = createSeveraClient({
      apiRoot,
      clientId,
      clientSecret: secret,
      requestsPerSecond,
      logger: ctx.logger,
      fetch: ctx.fetch,
    });
    try {
      const grantedScopes = await severa.grantedScopes();
      connected.set(ctx, severa);
      return outcome(
        'pass',
        null,
        localized(
          `Severa myönsi käyttöoikeustunnuksen (client id ${clientId}).`,
          `Severa issued an access token (client id ${clientId}).`,
        ),
        { apiRoot, grantedScopes },
      );
    } catch (e) {
      const failed = failFrom(e);
      const used = localized(
        ` Käytetty: client id ${clientId}, osoite ${apiRoot}.`,
        ` Used: client id ${clientId}, address ${apiRoot}.`,
      );
      return {
        ...failed,
        message: localized(failed.message.fi + used.fi, failed.message.en + used.en),
      };
    }
  },
};

const scopesCheck: DiagnosticCheck<SeveraCheckContext> = {
  id: 'severa.scopes',
  title: localized('REST API -käyttöoikeudet (scopes)', 'REST API scopes'),
  async run(ctx) {
    const severa = connected.get(ctx);
    if (!severa) return skipped(AFTER_TOKEN);
    const scopes: { scope: SeveraScope; result: ScopeResult }[] = [];
    const granted = await severa.grantedScopes();
    for (const scope of SEVERA_SCOPES) {
      const { result, error } = await exerciseScope(severa, scope, granted);
      if (result === 'error') return failFrom(error);
      scopes.push({ scope, result });
    }
    const missing = scopes.filter((s) => s.result === 'missing').map((s) => s.scope);
    const unverified = scopes.filter((s) => s.result === 'unverified').map((s) => s.scope);
    if (missing.length > 0) {
      const list = missing.join(', ');
      return outcome(
        'fail',
        'severa.api-credentials',
        localized(
          `Severan REST API -tunnukselta puuttuu käyttöoikeus: ${list}. Lisää se Severassa (Asetukset → Integraatiot → REST API) tai luo uudet tunnukset.`,
          `The Severa REST API credential lacks the scope ${list}. Add it in Severa (Settings → Integrations → REST API) or create new credentials.`,
        ),
        { scopes, missing, unverified },
      );
    }
    if (unverified.length > 0) {
      const list = unverified.join(', ');
      return outcome(
        'warn',
        'severa.api-credentials',
        localized(
          `Käyttöoikeuksia ${list} ei voitu varmistaa: Severan tunnusvastaus ei kerro myönnettyjä oikeuksia, eikä niitä voi kokeilla muuttamatta tietoja. Tarkista Severassa (Asetukset → Integraatiot → REST API), että tunnuksella on ne.`,
          `The scopes ${list} could not be verified: Severa's token answer does not list what it granted, and they cannot be tried without changing data. Check in Severa (Settings → Integrations → REST API) that the credential has them.`,
        ),
        { scopes, missing, unverified },
      );
    }
    return outcome(
      'pass',
      null,
      localized(
        'Kaikki tarvittavat käyttöoikeudet toimivat.',
        'Every scope this product needs works.',
      ),
      { scopes, missing, unverified },
    );
  },
};

const addonCheck: DiagnosticCheck<SeveraCheckContext> = {
  id: 'severa.addon',
  title: localized('Aktiviteetit Severan REST API:ssa', "Activities in Severa's REST API"),
  async run(ctx, previous) {
    const severa = connectedFor(ctx, previous, 'activities:read');
    if ('status' in severa) return severa;
    try {
      await someActivity(severa);
      return outcome(
        'pass',
        null,
        localized(
          'Aktiviteetit ovat käytettävissä Severan REST API:ssa; lisäosaa ei tarvita.',
          "Activities are available in Severa's REST API; no add-on is needed.",
        ),
      );
    } catch (e) {
      return failFrom(e);
    }
  },
};

interface TypeProblemInput {
  types: Pick<ActivityType, 'guid' | 'name' | 'category' | 'isActive'>[];
  selected: string[];
  personal: string | null;
  defaultType: string | null;
}

/** What is wrong with the activity-type settings (empty when nothing is); saving checks it too. */
export function activityTypeProblems({
  types,
  selected,
  personal,
  defaultType,
}: TypeProblemInput): Localized[] {
  const byGuid = new Map(types.map((t) => [t.guid, t]));
  const personalType = personal ? byGuid.get(personal) : undefined;
  const fallback = defaultType ? byGuid.get(defaultType) : undefined;
  const rules: [broken: boolean, fi: string, en: string][] = [
    [
      selected.length === 0,
      'Severasta Googleen synkronoitavia aktiviteettityyppejä ei ole valittu.',
      'No activity types are selected for sync from Severa to Google.',
    ],
    ...selected.map((guid): [boolean, string, string] => {
      const type = byGuid.get(guid);
      return type
        ? [
            !type.isActive,
            `Valittu aktiviteettityyppi "${type.name}" ei ole aktiivinen.`,
            `The selected activity type "${type.name}" is not active.`,
          ]
        : [
            true,
            `Valittua aktiviteettityyppiä ${guid} ei ole enää Severassa.`,
            `The selected activity type ${guid} no longer exists in Severa.`,
          ];
    }),
    [
      !types.some((t) => t.category === 'Personal' && t.isActive),
      'Severassa ei ole aktiivista Henkilökohtainen-luokan (Personal) aktiviteettityyppiä; Googlen yksityiset merkinnät tarvitsevat sen.',
      "Severa has no active activity type of category Personal; Google's private entries need one.",
    ],
    [
      !personal,
      'Valitse Henkilökohtainen-luokan tyyppi Googlen yksityisille merkinnöille.',
      "Choose the Personal-category type for Google's private entries.",
    ],
    [
      !!personal && !(personalType?.isActive && personalType.category === 'Personal'),
      'Yksityisille merkinnöille valittu tyyppi ei ole aktiivinen Henkilökohtainen-luokan tyyppi.',
      'The type chosen for private entries is not an active Personal-category type.',
    ],
    [
      !defaultType,
      'Valitse oletusaktiviteettityyppi Googlesta tuleville merkinnöille.',
      'Choose the default activity type for entries coming from Google.',
    ],
    [
      !!defaultType && !fallback?.isActive,
      'Googlesta tuleville merkinnöille valittua oletustyyppiä ei ole tai se ei ole aktiivinen.',
      'The default type chosen for entries from Google does not exist or is not active.',
    ],
  ];
  return rules.filter(([broken]) => broken).map(([, fi, en]) => localized(fi, en));
}

const activityTypesCheck: DiagnosticCheck<SeveraCheckContext> = {
  id: 'severa.activity-types',
  title: localized('Synkronoitavat aktiviteettityypit', 'Activity types to sync'),
  async run(ctx, previous) {
    const severa = connectedFor(ctx, previous, 'settings:read');
    if ('status' in severa) return severa;
    const types: ActivityType[] = [];
    for await (const type of severa.listActivityTypes()) types.push(type);
    const { activityTypeGuids, personalActivityTypeGuid, defaultActivityTypeGuid } =
      ctx.settings.severa;
    const problems = activityTypeProblems({
      types,
      selected: activityTypeGuids,
      personal: personalActivityTypeGuid,
      defaultType: defaultActivityTypeGuid,
    });
    const details = {
      types: types.map((t) => ({
        guid: t.guid,
        name: t.name,
        category: t.category,
        isActive: t.isActive,
        selected: activityTypeGuids.includes(t.guid),
      })),
      problems,
    };
    if (problems.length > 0) {
      return outcome(
        'fail',
        'severa.activity-types',
        localized(problems.map((p) => p.fi).join(' '), problems.map((p) => p.en).join(' ')),
        details,
      );
    }
    return outcome(
      'pass',
      null,
      localized(
        `${activityTypeGuids.length} aktiviteettityyppiä synkronoidaan; oletus- ja yksityistyyppi ovat kunnossa.`,
        `${activityTypeGuids.length} activity types are synced; the default and private types are in order.`,
      ),
      details,
    );
  },
};

const usersCheck: DiagnosticCheck<SeveraCheckContext> = {
  id: 'severa.users',
  title: localized('Käyttäjät Severassa ja Googlessa', 'Users in Severa and Google'),
  async run(ctx, previous) {
    const severa = connectedFor(ctx, previous, 'users:read');
    if ('status' in severa) return severa;
    const users: SeveraUser[] = [];
    for await (const user of severa.listUsers({ isActive: true })) users.push(user);
    let probeErrors = 0;
    const probe = ctx.probeGoogleUser;
    const counted: GoogleUserProbe | null = probe
      ? async (email) => {
          const result = await probe(email);
          if (result === 'error') probeErrors++;
          return result;
        }
      : null;
    const matches = await matchUsers(users, counted, enabledFilter(ctx.settings.users));
    const enabled = matches.filter((m) => m.enabled);
    const failing = enabled.filter(
      (m) => m.match === 'no-email' || m.match === 'no-google-account',
    );
    const details = { users: matches };
    if (enabled.length === 0) {
      return outcome(
        'warn',
        'app.users',
        localized(
          'Yhtään käyttäjää ei ole valittu synkronoitavaksi.',
          'No user is enabled for sync.',
        ),
        details,
      );
    }
    if (failing.length > 0) {
      const names = failing.map((m) => m.email ?? m.name).join(', ');
      const status = failing.length === enabled.length ? 'fail' : 'warn';
      return outcome(
        status,
        'pre.same-email',
        localized(
          `${failing.length}/${enabled.length} käyttäjää ei voi synkronoida, koska Severan sähköpostiosoitteelle ei ole Google-tiliä: ${names}.${status === 'warn' ? ' Muut synkronoidaan.' : ''}`,
          `${failing.length} of ${enabled.length} users cannot be synced because their Severa e-mail has no Google account: ${names}.${status === 'warn' ? ' The others are synced.' : ''}`,
        ),
        details,
      );
    }
    if (!probe || probeErrors > 0) {
      return outcome(
        'warn',
        null,
        localized(
          `Google-tilejä ei voitu tarkistaa ${probe ? `${probeErrors} käyttäjältä` : 'ennen kuin Googlen asetukset ovat kunnossa'}.`,
          `Google accounts could not be checked ${probe ? `for ${probeErrors} users` : 'until the Google settings work'}.`,
        ),
        details,
      );
    }
    return outcome(
      'pass',
      null,
      localized(
        `Kaikilla ${enabled.length} käyttäjällä on Google-tili.`,
        `All ${enabled.length} users have a Google account.`,
      ),
      details,
    );
  },
};

/** Severa's diagnostics, in order; they run after Google's in the same list. */
export const severaChecks: DiagnosticCheck<SeveraCheckContext>[] = [
  networkCheck,
  tokenCheck,
  scopesCheck,
  addonCheck,
  activityTypesCheck,
  usersCheck,
];
