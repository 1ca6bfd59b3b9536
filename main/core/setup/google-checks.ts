import { createPrivateKey } from 'node:crypto';
import { request } from 'gaxios';
import { isAppError } from '../errors';
import {
  createGoogleCalendars,
  probeToken,
  type GoogleCalendarsOptions,
} from '../google/calendar-client';
import { toGoogleApiError, type GoogleApiError } from '../google/google-errors';
import { loadGoogleKey } from '../google/key-import';
import { localized } from '../localized';
import type { Logger } from '../log';
import type { SecretStore } from '../store/secrets';
import type { Settings } from '../store/settings';
import { networkFailure } from '../network-errors';
import type { CheckResult } from './check';
import { passed, type CheckOutcome, type DiagnosticCheck } from './diagnostics';
import { stepLink, type LinkContext, type StepId } from './steps';

export interface GoogleCheckContext {
  settings: Settings;
  secrets: SecretStore;
  logger: Logger;
}

/** GAM's limit (reference §1.6): beyond it Google may refuse tokens and times drift. */
export const MAX_CLOCK_OFFSET_MS = 30_000;
const CLOCK_PROBE_TIMEOUT_MS = 10_000;
/** The Test should answer in seconds: one retry of a transient failure, short waits. */
const DIAGNOSTIC_RETRY = {
  maxAttempts: 2,
  baseDelayMs: 300,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 5_000,
};

const linkContext = (ctx: GoogleCheckContext, projectNumber?: string | null): LinkContext => ({
  clientId: ctx.settings.google.clientId,
  projectId: ctx.settings.google.projectId,
  projectNumber: projectNumber ?? null,
  domain: ctx.settings.google.domain,
});

const outcome = (
  status: CheckOutcome['status'],
  step: StepId | null,
  message: CheckOutcome['message'],
  ctx: GoogleCheckContext,
  details?: unknown,
): CheckOutcome => ({
  status,
  step,
  message,
  link: step ? stepLink(step, linkContext(ctx)) : null,
  ...(details === undefined ? {} : { details }),
});

const skipped = (after: string): CheckOutcome => ({
  status: 'skip',
  step: null,
  message: localized(
    `Ohitettu, koska ${after} ei onnistunut.`,
    `Skipped because ${after} did not succeed.`,
  ),
  link: null,
});

/** The values a Google call used, so a message shows what was tried (never the key). */
function usedValues(ctx: GoogleCheckContext) {
  const g = ctx.settings.google;
  const none = localized('ei annettu', 'not given');
  return localized(
    ` Käytetty: palvelutili ${g.serviceAccountEmail ?? none.fi}, asiakastunnus (Client ID) ${g.clientId ?? none.fi}, testikäyttäjä ${g.testUser ?? none.fi}.`,
    ` Used: service account ${g.serviceAccountEmail ?? none.en}, client ID ${g.clientId ?? none.en}, test user ${g.testUser ?? none.en}.`,
  );
}

/** A Google failure as a failed check, with the link for the step that fixes it. */
function failure(error: GoogleApiError, ctx: GoogleCheckContext): CheckOutcome {
  const projectNumber = /project[= ](\d+)/.exec(error.googleMessage)?.[1];
  const used = error.step === 'pre.network' ? localized('', '') : usedValues(ctx);
  return {
    status: 'fail',
    step: error.step,
    message: localized(error.text.fi + used.fi, error.text.en + used.en),
    link: error.step ? stepLink(error.step, linkContext(ctx, projectNumber)) : null,
    details: { status: error.status, reason: error.reason, googleMessage: error.googleMessage },
  };
}

async function clientOptions(ctx: GoogleCheckContext): Promise<GoogleCalendarsOptions> {
  return {
    settings: ctx.settings.google,
    privateKeyPem: await loadGoogleKey(ctx.secrets),
    logger: ctx.logger,
    retry: DIAGNOSTIC_RETRY,
  };
}

/** The test user's address; the checks that impersonate need one. */
const testUser = (ctx: GoogleCheckContext) => ctx.settings.google.testUser;

const noTestUser = (ctx: GoogleCheckContext) =>
  outcome(
    'fail',
    'gcp.client-id',
    localized(
      'Testikäyttäjää ei ole valittu: valitse käyttäjä, jonka kalenterilla yhteys testataan.',
      'No test user is chosen: choose a user whose calendar the connection is tested with.',
    ),
    ctx,
  );

const apiEnabled = (ctx: GoogleCheckContext) =>
  outcome(
    'pass',
    'gcp.enable-calendar-api',
    localized(
      'Google Calendar API on käytössä projektissa.',
      'The Google Calendar API is enabled in the project.',
    ),
    ctx,
  );

/** Calls the test user's calendar; the check decides what a Google error means. */
async function withTestCalendar(
  ctx: GoogleCheckContext,
  previous: readonly CheckResult[],
  requires: string,
  run: (user: string, options: GoogleCalendarsOptions) => Promise<CheckOutcome>,
  onError: (error: GoogleApiError, user: string) => CheckOutcome,
): Promise<CheckOutcome> {
  if (!passed(previous, requires)) return skipped(requires);
  const user = testUser(ctx);
  if (!user) return noTestUser(ctx);
  try {
    return await run(user, await clientOptions(ctx));
  } catch (e) {
    return onError(toGoogleApiError(e, user), user);
  }
}

/**
 * The Google half of "Test", in the order the set-up is done: the key, the clock, a delegated
 * token for the test user, the Calendar API in the project, the test user's calendar. Each
 * failure names the step that fixes it (steps.ts) with its deep link.
 */
export const googleChecks: DiagnosticCheck<GoogleCheckContext>[] = [
  {
    id: 'google.network',
    title: localized('Verkkoyhteys Googleen', 'Network access to Google'),
    async run(ctx) {
      const { apiRoot, tokenUrl } = ctx.settings.google;
      for (const url of [apiRoot, tokenUrl]) {
        try {
          // gaxios, like the Calendar client, so the same proxy settings apply.
          await request({
            url,
            method: 'HEAD',
            timeout: CLOCK_PROBE_TIMEOUT_MS,
            validateStatus: () => true,
            retry: false,
          });
        } catch (e) {
          const failed = networkFailure(e, 'Google', url);
          return outcome('fail', 'pre.network', failed.text, ctx, failed.details);
        }
      }
      return outcome(
        'pass',
        null,
        localized(
          `Googlen osoitteet vastaavat (${new URL(apiRoot).host}, ${new URL(tokenUrl).host}).`,
          `Google's addresses answer (${new URL(apiRoot).host}, ${new URL(tokenUrl).host}).`,
        ),
        ctx,
      );
    },
  },
  {
    id: 'google.key',
    title: localized('Palvelutilin avain', 'Service-account key'),
    async run(ctx) {
      if (!ctx.settings.google.serviceAccountEmail)
        return outcome(
          'fail',
          'gcp.client-id',
          localized(
            'Palvelutilin sähköpostiosoitetta ei ole annettu.',
            'The service-account e-mail address has not been given.',
          ),
          ctx,
        );
      let pem: string;
      try {
        pem = await loadGoogleKey(ctx.secrets);
      } catch (e) {
        if (!isAppError(e)) throw e;
        return {
          status: 'fail',
          step: e.step,
          message: e.text,
          link: e.step ? stepLink(e.step, linkContext(ctx)) : null,
        };
      }
      try {
        const key = createPrivateKey(pem);
        const bits = key.asymmetricKeyDetails?.modulusLength;
        if (key.asymmetricKeyType !== 'rsa') throw new Error(`not RSA: ${key.asymmetricKeyType}`);
        return outcome(
          'pass',
          'gcp.p12-key',
          localized(
            `Avain on tallessa avainnipussa (RSA ${bits} bittiä).`,
            `The key is in the keychain (RSA ${bits} bits).`,
          ),
          ctx,
        );
      } catch {
        return outcome(
          'fail',
          'gcp.p12-key',
          localized(
            'Avainnipussa oleva avain ei ole luettava RSA-avain. Tuo P12-avain uudelleen.',
            'The key in the keychain is not a readable RSA key. Import the P12 key again.',
          ),
          ctx,
        );
      }
    },
  },
  {
    id: 'google.clock',
    title: localized('Tietokoneen kello', "The computer's clock"),
    async run(ctx, previous) {
      if (!passed(previous, 'google.network')) return skipped('google.network');
      const started = Date.now();
      let dateHeader: string | null;
      try {
        // gaxios, like the Calendar client, so a proxy that lets the client through lets this through.
        const response = await request({
          url: ctx.settings.google.apiRoot,
          method: 'HEAD',
          timeout: CLOCK_PROBE_TIMEOUT_MS,
          validateStatus: () => true,
          retry: false,
        });
        dateHeader = response.headers.get('date');
      } catch (e) {
        return failure(toGoogleApiError(e, ctx.settings.google.testUser ?? ''), ctx);
      }
      const googleMs = dateHeader ? Date.parse(dateHeader) : NaN;
      if (Number.isNaN(googleMs))
        return outcome(
          'warn',
          null,
          localized(
            'Googlen kellonaikaa ei saatu vastauksesta.',
            "Google's time was not in the answer.",
          ),
          ctx,
        );
      // The header has whole seconds; compare with the middle of the round trip.
      const offsetMs = googleMs + 500 - (started + Date.now()) / 2;
      const seconds = Math.round(offsetMs / 1000);
      if (Math.abs(offsetMs) > MAX_CLOCK_OFFSET_MS)
        return outcome(
          'fail',
          null,
          localized(
            `Tietokoneen kello on ${Math.abs(seconds)} s ${seconds > 0 ? 'jäljessä' : 'edellä'} Googlen kellosta (sallittu 30 s). Korjaa kello ja aikavyöhyke (automaattinen aika päälle).`,
            `This computer's clock is ${Math.abs(seconds)} s ${seconds > 0 ? 'behind' : 'ahead of'} Google's (30 s allowed). Fix the clock and time zone (turn on automatic time).`,
          ),
          ctx,
          { offsetMs: Math.round(offsetMs) },
        );
      return outcome(
        'pass',
        null,
        localized(
          `Kello on Googlen ajassa (ero ${seconds} s).`,
          `The clock agrees with Google's (${seconds} s apart).`,
        ),
        ctx,
        {
          offsetMs: Math.round(offsetMs),
        },
      );
    },
  },
  {
    id: 'google.token',
    title: localized('Kirjautuminen käyttäjänä (delegointi)', 'Signing in as a user (delegation)'),
    async run(ctx, previous) {
      if (!passed(previous, 'google.key')) return skipped('google.key');
      const user = testUser(ctx);
      if (!user) return noTestUser(ctx);
      const error = await probeToken({ ...(await clientOptions(ctx)), user });
      if (error) return failure(error, ctx);
      return outcome(
        'pass',
        'admin.dwd-authorize',
        localized(
          `Palvelutili sai kirjautua käyttäjänä ${user}.`,
          `The service account signed in as ${user}.`,
        ),
        ctx,
      );
    },
  },
  {
    id: 'google.calendar-api',
    title: localized('Google Calendar API käytössä', 'Google Calendar API enabled'),
    run: (ctx, previous) =>
      withTestCalendar(
        ctx,
        previous,
        'google.token',
        async (user, options) => {
          await createGoogleCalendars(options).forUser(user).timeZone();
          return apiEnabled(ctx);
        },
        (error) =>
          // Past the project's API gate: an answer about the user means the API is on.
          error.reason === 'notACalendarUser' ? apiEnabled(ctx) : failure(error, ctx),
      ),
  },
  {
    id: 'google.calendar-access',
    title: localized('Testikäyttäjän kalenteri', "The test user's calendar"),
    run: (ctx, previous) =>
      withTestCalendar(
        ctx,
        previous,
        'google.calendar-api',
        async (user, options) => {
          const calendar = createGoogleCalendars(options).forUser(user);
          const now = Date.now();
          const listing = await calendar.listEvents({
            timeMin: new Date(now).toISOString(),
            timeMax: new Date(now + 7 * 86_400_000).toISOString(),
          });
          const zone = await calendar.timeZone();
          return outcome(
            'pass',
            'pre.workspace-licence',
            localized(
              `Käyttäjän ${user} kalenteri vastaa (aikavyöhyke ${zone}, ${listing.events.length} merkintää seuraavan 7 päivän aikana).`,
              `${user}'s calendar answers (time zone ${zone}, ${listing.events.length} entries in the next 7 days).`,
            ),
            ctx,
            { timeZone: zone, upcoming: listing.events.length },
          );
        },
        (error) => failure(error, ctx),
      ),
  },
];
