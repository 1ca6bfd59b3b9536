import { localized, type Localized } from '../localized';

/**
 * The documented set-up, in the order of ../shared/seed/setup-steps.md. The ids are stable:
 * the checklist, the diagnostics, the CLI and the docs all point at them.
 */
export const STEP_IDS = [
  'pre.workspace-licence',
  'pre.severa-addon',
  'pre.same-email',
  'pre.enable-for-all',
  'pre.company-first',
  'pre.other-sync',
  'pre.account-change',
  'gcp.project',
  'gcp.enable-calendar-api',
  'gcp.service-account',
  'gcp.p12-key',
  'gcp.domain-wide-delegation',
  'gcp.client-id',
  'admin.dwd-authorize',
  'severa.google-settings',
  'severa.activity-types',
  'severa.test-and-save',
  'severa.api-credentials',
  'user.enable',
  'support.error-log',
  'app.users',
  'app.schedule',
  // Added after the help page's list: a failure of the network is its own step.
  'pre.network',
] as const;

export type StepId = (typeof STEP_IDS)[number];

export const GOOGLE_CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';

export type StepSection = 'pre' | 'gcp' | 'admin' | 'severa' | 'user' | 'support' | 'app';

export const stepSection = (id: StepId): StepSection => id.split('.')[0] as StepSection;

/**
 * This app's own order (docs/setup.md keeps the help page's): the steps the admin does, each
 * verified by a save or by the Test, credentials before what needs them, the Test last.
 * Progress counts these and nothing else.
 */
export const FLOW_STEPS = [
  'gcp.project',
  'gcp.enable-calendar-api',
  'gcp.service-account',
  'gcp.p12-key',
  'gcp.domain-wide-delegation',
  'gcp.client-id',
  'admin.dwd-authorize',
  'severa.api-credentials',
  'severa.activity-types',
  'app.users',
  'app.schedule',
  'severa.test-and-save',
] as const satisfies readonly StepId[];

export type FlowStepId = (typeof FLOW_STEPS)[number];

/** The flow's stages, in order: where each step is done. */
export type FlowStage = 'gcp' | 'admin' | 'severa' | 'app' | 'test';

export const flowStage = (id: FlowStepId): FlowStage =>
  id === 'severa.test-and-save' ? 'test' : (stepSection(id) as FlowStage);

/**
 * What is not a step: the prerequisites and warnings shown before the start, and the help
 * page's parts about Severa's own built-in Google sync, which this app replaces (keep it off).
 */
export const NOTE_IDS = STEP_IDS.filter(
  (id): id is Exclude<StepId, FlowStepId> => !(FLOW_STEPS as readonly StepId[]).includes(id),
);

export const isFlowStep = (id: string): id is FlowStepId =>
  (FLOW_STEPS as readonly string[]).includes(id);

/** What a deep link may be built from; every field is optional because set-up is partial. */
export interface LinkContext {
  clientId?: string | null;
  projectId?: string | null;
  projectNumber?: string | null;
  domain?: string | null;
}

/**
 * The Admin console's domain-wide-delegation page with "Add new" pre-filled for this client id
 * and scope (the form GAM and Google's own helper use; undocumented by Google, see
 * reference/google-api.md §5.1).
 */
export function dwdAuthorizeLink(clientId: string, domain?: string | null): string {
  const base = `https://admin.google.com/ac/owl/domainwidedelegation?clientScopeToAdd=${GOOGLE_CALENDAR_SCOPE}&clientIdToAdd=${encodeURIComponent(clientId)}&overwriteClientId=true`;
  return domain ? `${base}&dn=${encodeURIComponent(domain)}` : base;
}

const withProject = (url: string, ctx: LinkContext) =>
  ctx.projectId
    ? `${url}${url.includes('?') ? '&' : '?'}project=${encodeURIComponent(ctx.projectId)}`
    : url;

/** The external page where a step is done, or null when it is done inside this app. */
export function stepLink(id: StepId, ctx: LinkContext = {}): string | null {
  switch (id) {
    case 'pre.workspace-licence':
      return 'https://admin.google.com/ac/billing/subscriptions';
    case 'pre.same-email':
      return 'https://admin.google.com/ac/users';
    case 'pre.severa-addon':
    case 'pre.company-first':
    case 'severa.google-settings':
    case 'severa.activity-types':
    case 'severa.test-and-save':
    case 'severa.api-credentials':
    case 'user.enable':
      return 'https://severa.visma.com/';
    case 'gcp.project':
      return ctx.projectId
        ? withProject('https://console.cloud.google.com/home/dashboard', ctx)
        : 'https://console.cloud.google.com/projectcreate';
    case 'gcp.enable-calendar-api':
      if (ctx.projectNumber && !ctx.projectId)
        return `https://console.developers.google.com/apis/api/calendar-json.googleapis.com/overview?project=${encodeURIComponent(ctx.projectNumber)}`;
      return withProject(
        'https://console.cloud.google.com/apis/library/calendar-json.googleapis.com',
        ctx,
      );
    case 'gcp.service-account':
    case 'gcp.p12-key':
    case 'gcp.domain-wide-delegation':
    case 'gcp.client-id':
      return withProject('https://console.cloud.google.com/iam-admin/serviceaccounts', ctx);
    case 'admin.dwd-authorize':
      return ctx.clientId
        ? dwdAuthorizeLink(ctx.clientId, ctx.domain)
        : 'https://admin.google.com/ac/owl/domainwidedelegation';
    case 'support.error-log':
    case 'pre.network':
    case 'pre.enable-for-all':
    case 'pre.other-sync':
    case 'pre.account-change':
    case 'app.users':
    case 'app.schedule':
      return null;
  }
}

/** Short titles of the steps, for the checklist, the diagnostics and error messages. */
export const STEP_TITLES: Record<StepId, Localized> = {
  'pre.workspace-licence': localized('Maksullinen Google Workspace', 'A paid Google Workspace'),
  'pre.severa-addon': localized(
    'Severan Google-kalenterisynkronoinnin lisäosaa ei tarvita',
    "Severa's Google calendar sync add-on is not needed",
  ),
  'pre.same-email': localized(
    'Sama sähköpostiosoite Severassa ja Googlessa',
    'The same e-mail address in Severa and Google',
  ),
  'pre.enable-for-all': localized('Synkronointi kaikille käyttäjille', 'Sync for every user'),
  'pre.company-first': localized(
    'Yritys ottaa synkronoinnin käyttöön ensin',
    'The company enables sync first',
  ),
  'pre.other-sync': localized(
    'Ei toista synkronointia samaan aikaan',
    'No second sync at the same time',
  ),
  'pre.account-change': localized('Google-tilin vaihtuminen', 'A change of Google account'),
  'gcp.project': localized('Google Cloud -projekti', 'Google Cloud project'),
  'gcp.enable-calendar-api': localized(
    'Google Calendar API käyttöön',
    'Enable the Google Calendar API',
  ),
  'gcp.service-account': localized('Palvelutili ilman roolia', 'Service account, no role'),
  'gcp.p12-key': localized(
    'Palvelutilin avain (P12 tai JSON)',
    'Service-account key (P12 or JSON)',
  ),
  'gcp.domain-wide-delegation': localized(
    'Verkkotunnuksen laajuinen delegointi',
    'Domain-wide delegation',
  ),
  'gcp.client-id': localized(
    'Asiakastunnus (Client ID), verkkotunnus ja testikäyttäjä',
    'Client ID, domain and test user',
  ),
  'admin.dwd-authorize': localized(
    'Delegoinnin valtuutus Admin-konsolissa',
    'Authorise the delegation in the Admin console',
  ),
  'severa.google-settings': localized(
    'Severan oma Google-synkronointi pois päältä',
    "Severa's own Google sync stays off",
  ),
  'severa.activity-types': localized('Synkronoitavat aktiviteettityypit', 'Activity types to sync'),
  'severa.test-and-save': localized('Testi', 'Test'),
  'severa.api-credentials': localized('Severan REST API -tunnukset', 'Severa REST API credentials'),
  'user.enable': localized(
    'Käyttäjät eivät kytke Severan omaa synkronointia',
    "Users do not switch on Severa's own sync",
  ),
  'support.error-log': localized('Synkronointiloki tukea varten', 'The sync log for support'),
  'app.users': localized('Synkronoitavat käyttäjät', 'Users who take part'),
  'app.schedule': localized('Aikataulu ja käynnistys', 'Schedule and start-up'),
  'pre.network': localized(
    'Verkkoyhteys Googleen ja Severaan',
    'Network access to Google and Severa',
  ),
};
