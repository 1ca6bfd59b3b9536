import { z } from 'zod';
import { AppError } from '../errors';
import { localized, type Localized } from '../localized';
import { scrub } from '../log';
import { networkFailureText } from '../network-errors';
import type { StepId } from '../setup/steps';
import { errorEnvelopeSchema } from './schemas';

/** Severa's `ExceptionTypeEnum` (reference/severa-api.md §5.3), plus the failures we name ourselves. */
export const SEVERA_ERROR_TYPES = [
  'InternalSystemError',
  'AuthenticationRequired',
  'AddonMissing',
  'FeatureIsNotEnabled',
  'InvalidParameter',
  'InvalidOperation',
  'InvalidRequest',
  'InsufficientApiScope',
  'InvalidApiVersion',
  'ConfigurationError',
  'UserLicenseType',
  'TermsOfServiceNotApproved',
  'HttpsRequired',
  'OrganizationNotActive',
  'PermissionDenied',
  'TrialExpired',
  'NotAvailableInTrial',
  'InvalidRecaptcha',
  'AddonMissingTermsOfServiceApproval',
  'ExcludedFromTrial',
] as const;

/** Ours: 404 without a body, 429 after every retry, no answer at all, an answer we cannot read. */
export type LocalSeveraErrorType =
  'NotFound' | 'RateLimited' | 'Unreachable' | 'UnexpectedResponse';
export type SeveraErrorType = (typeof SEVERA_ERROR_TYPES)[number] | LocalSeveraErrorType;

const STEP_OF_TYPE: Partial<Record<SeveraErrorType, StepId>> = {
  AuthenticationRequired: 'severa.api-credentials',
  InsufficientApiScope: 'severa.api-credentials',
  PermissionDenied: 'severa.api-credentials',
  AddonMissing: 'pre.severa-addon',
  FeatureIsNotEnabled: 'pre.severa-addon',
  AddonMissingTermsOfServiceApproval: 'pre.severa-addon',
  OrganizationNotActive: 'pre.severa-addon',
  TrialExpired: 'pre.severa-addon',
  NotAvailableInTrial: 'pre.severa-addon',
  ExcludedFromTrial: 'pre.severa-addon',
  Unreachable: 'pre.network',
};

const EXPLANATION: Partial<Record<SeveraErrorType, Localized>> = {
  AuthenticationRequired: localized(
    'Severa ei hyväksynyt REST API -tunnuksia (client id tai client secret on väärä, tai tunnus on poistettu).',
    'Severa did not accept the REST API credentials (the client id or client secret is wrong, or the credential was removed).',
  ),
  InsufficientApiScope: localized(
    'Severan REST API -tunnukselta puuttuu tarvittava käyttöoikeus (scope).',
    'The Severa REST API credential lacks a scope this product needs.',
  ),
  PermissionDenied: localized('Severa eväsi pääsyn.', 'Severa denied access.'),
  AddonMissing: localized(
    'Severan tilauksesta puuttuu tarvittava lisäosa.',
    "Severa's subscription lacks the add-on this needs.",
  ),
  FeatureIsNotEnabled: localized(
    'Tarvittava toiminto ei ole käytössä Severassa.',
    'The feature this needs is not enabled in Severa.',
  ),
  RateLimited: localized(
    'Severa rajoitti pyyntöjä (429) eikä uusinta auttanut.',
    'Severa kept limiting requests (429) and retrying did not help.',
  ),
  Unreachable: localized(
    'Severan REST API -osoitteeseen ei saatu yhteyttä.',
    'The Severa REST API address could not be reached.',
  ),
  NotFound: localized(
    'Severasta ei löytynyt pyydettyä kohdetta.',
    'Severa did not find what was asked for.',
  ),
  InternalSystemError: localized(
    'Severassa tapahtui sisäinen virhe.',
    'Severa had an internal error.',
  ),
};

const kebab = (type: string) => type.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/**
 * A failure answered (or not answered) by Severa: Severa's error type, the HTTP status, the exact
 * message from the server and the set-up step that fixes it. The code is `severa-<type>`.
 */
export class SeveraApiError extends AppError {
  constructor(
    readonly type: SeveraErrorType,
    readonly httpStatus: number | null,
    /** Severa's own words (details[].message joined), kept exactly for support. */
    readonly serverMessage: string,
    readonly request: string,
    options?: { cause?: unknown; url?: string },
  ) {
    const explanation =
      type === 'Unreachable' && options?.cause
        ? networkFailureText(options.cause, 'Severa', options.url ?? '')
        : (EXPLANATION[type] ??
          localized(`Severa vastasi virheellä ${type}.`, `Severa answered with error ${type}.`));
    const suffix = serverMessage ? ` Severa: "${scrub(serverMessage)}"` : '';
    const where = ` (${request}${httpStatus ? `, HTTP ${httpStatus}` : ''})`;
    super(
      `severa-${kebab(type)}`,
      STEP_OF_TYPE[type] ?? null,
      localized(explanation.fi + suffix + where, explanation.en + suffix + where),
      options,
    );
    this.name = 'SeveraApiError';
  }
}

export const isSeveraApiError = (e: unknown, type?: SeveraErrorType): e is SeveraApiError =>
  e instanceof SeveraApiError && (type === undefined || e.type === type);

/** Reads Severa's error envelope `{error:{httpStatusCode,type,details[]}}`; anything else keeps its text. */
export function severaErrorFromResponse(
  status: number,
  bodyText: string,
  request: string,
): SeveraApiError {
  let parsed: z.infer<typeof errorEnvelopeSchema> | null = null;
  try {
    const result = errorEnvelopeSchema.safeParse(JSON.parse(bodyText));
    if (result.success) parsed = result.data;
  } catch {
    // not JSON: keep the raw text below
  }
  const envelope = parsed?.error?.type ? parsed.error : null;
  if (envelope?.type) {
    const message = (envelope.details ?? [])
      .map((d) => d.message)
      .filter((m): m is string => !!m)
      .join(' ');
    const known = (SEVERA_ERROR_TYPES as readonly string[]).includes(envelope.type);
    return new SeveraApiError(
      known ? (envelope.type as SeveraErrorType) : 'UnexpectedResponse',
      status,
      message || envelope.type,
      request,
    );
  }
  const fallback: SeveraErrorType =
    status === 404
      ? 'NotFound'
      : status === 429
        ? 'RateLimited'
        : status === 401
          ? 'AuthenticationRequired'
          : status >= 500
            ? 'InternalSystemError'
            : 'UnexpectedResponse';
  return new SeveraApiError(fallback, status, bodyText.slice(0, 500).trim(), request);
}
