import { AppError } from '../errors';
import { createGoogleCalendars } from '../google/calendar-client';
import { loadGoogleKey } from '../google/key-import';
import { localized } from '../localized';
import { createSeveraClient } from '../severa/client';
import type { ProfileEnv } from './backends';

/** The two API clients built from a profile's settings and keychain secrets. */
const severaSecretMissing = () =>
  new AppError(
    'severa-secret-missing',
    'severa.api-credentials',
    localized(
      'Severan REST API -tunnuksia ei ole tallennettu. Syötä client id ja secret.',
      'The Severa REST API credentials are not stored. Enter the client id and secret.',
    ),
  );

const googleNotConfigured = () =>
  new AppError(
    'google-not-configured',
    'gcp.client-id',
    localized(
      'Palvelutilin sähköpostiosoitetta ei ole annettu.',
      "The service account's e-mail address is not set.",
    ),
  );

export async function connectSevera(env: ProfileEnv) {
  const { severa } = env.settings;
  const secret = await env.secrets.get('severa-client-secret');
  if (!severa.clientId || !secret) throw severaSecretMissing();
  return createSeveraClient({
    apiRoot: severa.apiRoot,
    clientId: severa.clientId,
    clientSecret: secret,
    requestsPerSecond: severa.requestsPerSecond,
    logger: env.logger.child('severa'),
    timeoutMs: env.settings.sync.requestTimeoutSeconds * 1000,
    signal: env.signal,
  });
}

export async function connectGoogle(env: ProfileEnv) {
  if (!env.settings.google.serviceAccountEmail) throw googleNotConfigured();
  const privateKeyPem = await loadGoogleKey(env.secrets);
  return createGoogleCalendars({
    settings: env.settings.google,
    privateKeyPem,
    logger: env.logger.child('google'),
    requestTimeoutMs: env.settings.sync.requestTimeoutSeconds * 1000,
    signal: env.signal,
  });
}
