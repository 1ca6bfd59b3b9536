import type {
  Activity,
  ActivityInput,
  ActivityParticipant,
  ActivityQuery,
  ActivityType,
  PatchOperation,
  SeveraUser,
} from './models';

/**
 * Severa's REST API as the engine and the diagnostics use it. Lists stream page by page
 * (`NextPageToken`, 100 rows); every call goes through the one process-wide rate limiter;
 * failures surface as `SeveraApiError` carrying Severa's error type and exact message.
 */
export interface SeveraApi {
  listActivities(query: ActivityQuery): AsyncIterable<Activity>;
  /** null when Severa answers 404 (deleted). */
  getActivity(guid: string): Promise<Activity | null>;
  createActivity(input: ActivityInput): Promise<Activity>;
  patchActivity(guid: string, ops: PatchOperation[]): Promise<Activity>;
  /** false when it was already gone (404). */
  deleteActivity(guid: string): Promise<boolean>;
  listParticipants(activityGuid: string): Promise<ActivityParticipant[]>;
  addParticipant(activityGuid: string, userGuid: string): Promise<ActivityParticipant>;
  removeParticipant(activityGuid: string, participantGuid: string): Promise<void>;
  listUsers(query?: { email?: string; isActive?: boolean }): AsyncIterable<SeveraUser>;
  listActivityTypes(query?: { active?: boolean }): AsyncIterable<ActivityType>;
  /** HTTP requests sent so far, where the client counts them (a run's progress shows the rate). */
  requestCount?(): number;
}

/** Scopes this product asks for (setup step `severa.api-credentials`). */
export const SEVERA_SCOPES = [
  'activities:read',
  'activities:write',
  'activities:delete',
  'settings:read',
  'users:read',
] as const;
export type SeveraScope = (typeof SEVERA_SCOPES)[number];
