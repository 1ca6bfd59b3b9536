import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { localized, type Localized } from './localized';

/**
 * A request that got no HTTP answer, told apart by why: the name did not resolve, the TLS
 * handshake failed, the proxy refused, the connection was refused or reset, or it timed out.
 * Google's and Severa's clients both name these failures the same way, with the step
 * `pre.network`, so a DNS failure never points at the credentials.
 */
export type NetworkFailure = 'dns' | 'tls' | 'proxy' | 'refused' | 'reset' | 'timeout' | 'other';

const CODES: [NetworkFailure, RegExp][] = [
  ['dns', /ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL/],
  ['tls', /CERT_|UNABLE_TO_VERIFY|SELF_SIGNED|ERR_TLS|ERR_SSL|EPROTO|unable to get local issuer/i],
  ['proxy', /\bproxy\b|ERR_PROXY|407/i],
  ['refused', /ECONNREFUSED/],
  ['reset', /ECONNRESET|EPIPE|socket hang up|other side closed/i],
  [
    'timeout',
    /ETIMEDOUT|ESOCKETTIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|TimeoutError|AbortError|timed? ?out/i,
  ],
];

/** Every code and message along the error's `cause` chain, as one text to classify. */
function describeChain(e: unknown): string {
  const parts: string[] = [];
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const o = cur as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    parts.push([o.code, o.name, o.message].filter((v) => typeof v === 'string').join(' '));
    cur = o.cause;
  }
  return parts.join(' | ');
}

export function classifyNetworkFailure(e: unknown): NetworkFailure {
  const text = describeChain(e);
  return CODES.find(([, re]) => re.test(text))?.[0] ?? 'other';
}

const host = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/** What the admin reads: the service, the address, what failed and where to look. */
const ILLATIVE = { Google: 'Googleen', Severa: 'Severaan' } as const;

export function networkFailureText(
  e: unknown,
  service: keyof typeof ILLATIVE,
  url: string,
): Localized {
  const h = host(url);
  const texts: Record<NetworkFailure, Localized> = {
    dns: localized(
      `nimeä ${h} ei löytynyt (DNS). Tarkista verkkoyhteys ja nimipalvelu, tai onko osoite kirjoitettu oikein.`,
      `the name ${h} did not resolve (DNS). Check the network connection and name service, or whether the address is spelt right.`,
    ),
    tls: localized(
      `salattu yhteys palvelimeen ${h} ei onnistunut (TLS-varmenne). Jos verkossa on TLS-tarkastava välityspalvelin, sen varmenne puuttuu tältä koneelta.`,
      `the encrypted connection to ${h} failed (TLS certificate). If the network inspects TLS through a proxy, this computer lacks its certificate.`,
    ),
    proxy: localized(
      `välityspalvelin ei päästänyt yhteyttä palvelimeen ${h}. Tarkista välityspalvelimen asetukset (HTTPS_PROXY) ja sallitut osoitteet.`,
      `the proxy did not let the connection to ${h} through. Check the proxy settings (HTTPS_PROXY) and its allowed addresses.`,
    ),
    refused: localized(
      `palvelin ${h} kieltäytyi yhteydestä. Tarkista osoite ja palomuuri.`,
      `${h} refused the connection. Check the address and the firewall.`,
    ),
    reset: localized(
      `yhteys palvelimeen ${h} katkesi kesken. Yritä uudelleen; jos toistuu, tarkista palomuuri tai välityspalvelin.`,
      `the connection to ${h} was cut. Try again; if it repeats, check the firewall or proxy.`,
    ),
    timeout: localized(
      `palvelin ${h} ei vastannut ajoissa. Tarkista verkkoyhteys, palomuuri ja välityspalvelin.`,
      `${h} did not answer in time. Check the network connection, firewall and proxy.`,
    ),
    other: localized(
      `palvelimeen ${h} ei saatu yhteyttä. Tarkista verkkoyhteys ja välityspalvelin.`,
      `${h} could not be reached. Check the network connection and proxy.`,
    ),
  };
  const why = texts[classifyNetworkFailure(e)];
  return localized(
    `Yhteys ${ILLATIVE[service]} epäonnistui: ${why.fi}`,
    `Could not reach ${service}: ${why.en}`,
  );
}

/** A failed reachability probe as a check reports it: the text and the facts it rests on. */
export const networkFailure = (e: unknown, service: keyof typeof ILLATIVE, url: string) => ({
  text: networkFailureText(e, service, url),
  details: { url, failure: classifyNetworkFailure(e) },
});

/**
 * Opens (and closes) a connection to the URL's host: DNS, TCP and, for https, the TLS handshake
 * with certificate checks, without sending any request (a service's API sees nothing of it).
 * Resolves when the host answers, rejects with the socket's error otherwise.
 */
export function probeConnection(url: string, timeoutMs: number): Promise<void> {
  const target = new URL(url);
  const tls = target.protocol === 'https:';
  const port = Number(target.port || (tls ? 443 : 80));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = tls
      ? connectTls({ host, port, servername: host }, () => done())
      : connectTcp({ host, port }, () => done());
    const done = (error?: Error) => {
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () =>
      done(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    );
    socket.once('error', done);
  });
}
