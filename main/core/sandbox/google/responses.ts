/**
 * Google's answers as the real services write them (reference/google-api.md §2): the token
 * endpoint's `{error, error_description}` and the Calendar API's error envelope.
 */
export interface SandboxResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown, status = 200): SandboxResponse => ({ status, body });

export const tokenError = (
  status: number,
  error: string,
  description: string,
): SandboxResponse => ({
  status,
  body: { error, error_description: description },
});

export const TOKEN_TEXT = {
  unauthorizedClient:
    'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
  invalidUser: 'Invalid email or User ID',
  invalidSignature: 'Invalid JWT Signature.',
  shortLived:
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your 'iat' and 'exp' values in the JWT claim.",
  deletedClient: 'The OAuth client was deleted.',
  accountNotFound: 'Invalid grant: account not found',
  invalidScope: 'Invalid OAuth scope or ID token audience provided.',
} as const;

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  410: 'NOT_FOUND',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export interface ApiErrorOptions {
  domain?: string;
  location?: string;
  locationType?: string;
  details?: unknown[];
  headers?: Record<string, string>;
}

export function apiError(
  status: number,
  reason: string,
  message: string,
  o: ApiErrorOptions = {},
): SandboxResponse {
  const item: Record<string, string> = { domain: o.domain ?? 'global', reason, message };
  if (o.location) {
    item.location = o.location;
    item.locationType = o.locationType ?? 'parameter';
  }
  const error: Record<string, unknown> = {
    code: status,
    message,
    errors: [item],
    status: STATUS_NAMES[status] ?? 'UNKNOWN',
  };
  if (o.details) error.details = o.details;
  return { status, body: { error }, headers: o.headers };
}

/** Google's answer when a per-minute quota of the project is used up. */
const quotaError = (limit: string, projectNumber: string) =>
  apiError(
    403,
    'rateLimitExceeded',
    `Quota exceeded for quota metric 'Queries' and limit '${limit}' of service 'calendar-json.googleapis.com' for consumer 'project_number:${projectNumber}'.`,
    { domain: 'usageLimits' },
  );

export const API_ERRORS = {
  authError: () =>
    apiError(401, 'authError', 'Invalid Credentials', {
      location: 'Authorization',
      locationType: 'header',
    }),
  accessNotConfigured: (projectNumber: string) => {
    const link = `https://console.developers.google.com/apis/api/calendar-json.googleapis.com/overview?project=${projectNumber}`;
    return apiError(
      403,
      'accessNotConfigured',
      `Google Calendar API has not been used in project ${projectNumber} before or it is disabled. Enable it by visiting ${link} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`,
      {
        domain: 'usageLimits',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.Help',
            links: [{ description: 'Google developers console API activation', url: link }],
          },
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'SERVICE_DISABLED',
            domain: 'googleapis.com',
            metadata: {
              service: 'calendar-json.googleapis.com',
              consumer: `projects/${projectNumber}`,
            },
          },
        ],
      },
    );
  },
  notACalendarUser: () =>
    apiError(403, 'notACalendarUser', 'The user must be signed up for Google Calendar.'),
  insufficientPermissions: () =>
    apiError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.'),
  userRateLimit: (projectNumber: string) =>
    quotaError('Queries per minute per user', projectNumber),
  projectRateLimit: (projectNumber: string) => quotaError('Queries per minute', projectNumber),
  tooManyRequests: (retryAfterSeconds: number) =>
    apiError(429, 'rateLimitExceeded', 'Rate Limit Exceeded', {
      domain: 'usageLimits',
      headers: { 'Retry-After': String(retryAfterSeconds) },
    }),
  quotaExceeded: () =>
    apiError(403, 'quotaExceeded', 'Calendar usage limits exceeded.', { domain: 'usageLimits' }),
  backendError: () => apiError(503, 'backendError', 'Backend Error'),
  fullSyncRequired: () =>
    apiError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.', {
      domain: 'calendar',
      location: 'syncToken',
    }),
  deleted: () => apiError(410, 'deleted', 'Resource has been deleted'),
  duplicate: () => apiError(409, 'duplicate', 'The requested identifier already exists.'),
  conditionNotMet: () =>
    apiError(412, 'conditionNotMet', 'Precondition Failed', {
      location: 'If-Match',
      locationType: 'header',
    }),
  notFound: () => apiError(404, 'notFound', 'Not Found'),
  forbiddenForNonOrganizer: () =>
    apiError(
      403,
      'forbiddenForNonOrganizer',
      'Shared properties can only be changed by the organizer of the event.',
      { domain: 'calendar' },
    ),
  invalid: (message: string, location?: string) => apiError(400, 'invalid', message, { location }),
  required: (message: string, location?: string) =>
    apiError(400, 'required', message, { location }),
} as const;
