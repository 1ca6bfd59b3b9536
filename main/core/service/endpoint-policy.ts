import { AppError } from '../errors';
import { localized } from '../localized';
import { scrub } from '../log';
import type { DeepPartial, Settings } from '../store/settings';

/**
 * Where the renderer may point the engine. The token request (signed with the private key) and
 * the Severa client secret go to these URLs, so a compromised renderer must not be able to send
 * them elsewhere: the real services and loopback sandboxes pass; any other https host needs the
 * admin's confirmation in a dialog of the main process; anything else is refused.
 */
export type EndpointSetting = 'google.apiRoot' | 'google.tokenUrl' | 'severa.apiRoot';

/** The services' own hosts (Severa's staging host included: Visma gives it to partners). */
const KNOWN_HOSTS: Record<EndpointSetting, readonly string[]> = {
  'google.apiRoot': ['www.googleapis.com'],
  'google.tokenUrl': ['oauth2.googleapis.com', 'www.googleapis.com'],
  'severa.apiRoot': ['api.severa.visma.com', 'api.severa.stag.visma.com'],
};

export type EndpointVerdict = 'known' | 'loopback' | 'confirm' | 'refused';

const isLoopback = (host: string) =>
  host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);

export function classifyEndpoint(setting: EndpointSetting, raw: string): EndpointVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'refused';
  }
  if (url.username || url.password) return 'refused';
  const host = url.hostname.toLowerCase();
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'refused';
  if (isLoopback(host)) return 'loopback';
  if (url.protocol !== 'https:') return 'refused';
  return KNOWN_HOSTS[setting].includes(host) && !url.port ? 'known' : 'confirm';
}

/** Asks the admin (a native dialog in the app); absent, an unknown host is refused. */
export type ConfirmEndpoint = (setting: EndpointSetting, url: string) => Promise<boolean>;

/** The endpoints a settings patch changes, as [setting, new URL]. */
export function changedEndpoints(
  current: Settings,
  patch: DeepPartial<Settings>,
): [EndpointSetting, string][] {
  const candidates: [EndpointSetting, string | undefined, string][] = [
    ['google.apiRoot', patch.google?.apiRoot, current.google.apiRoot],
    ['google.tokenUrl', patch.google?.tokenUrl, current.google.tokenUrl],
    ['severa.apiRoot', patch.severa?.apiRoot, current.severa.apiRoot],
  ];
  return candidates.flatMap(([setting, next, now]) =>
    next !== undefined && next !== now ? [[setting, next] as [EndpointSetting, string]] : [],
  );
}

const refused = (setting: EndpointSetting, url: string, why: 'insecure' | 'declined') =>
  new AppError(
    'endpoint-refused',
    null,
    why === 'insecure'
      ? localized(
          `Osoitetta ${scrub(url)} ei hyväksytä asetukseen ${setting}: käytä https-osoitetta tai paikallista testiympäristöä (127.0.0.1).`,
          `${scrub(url)} is not accepted for ${setting}: use an https address or a local sandbox (127.0.0.1).`,
        )
      : localized(
          `Osoitetta ${scrub(url)} ei otettu käyttöön asetukseen ${setting}: sitä ei vahvistettu.`,
          `${scrub(url)} was not set for ${setting}: it was not confirmed.`,
        ),
  );

/** Throws `endpoint-refused` unless every changed endpoint may be used. */
export async function admitEndpoints(
  current: Settings,
  patch: DeepPartial<Settings>,
  confirm: ConfirmEndpoint | undefined,
): Promise<void> {
  for (const [setting, url] of changedEndpoints(current, patch)) {
    const verdict = classifyEndpoint(setting, url);
    if (verdict === 'refused') throw refused(setting, url, 'insecure');
    if (verdict === 'confirm' && !(await confirm?.(setting, url))) {
      throw refused(setting, url, 'declined');
    }
  }
}
