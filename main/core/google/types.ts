import type { calendar_v3 } from '@googleapis/calendar';

export type GoogleEvent = calendar_v3.Schema$Event;

/** The result of listing a user's primary calendar (all pages followed). */
export interface EventListing {
  events: GoogleEvent[];
  /** Present on a completed listing; store it for the next incremental run. */
  nextSyncToken: string | null;
}

export interface ListEventsOptions {
  /** Incremental listing. Throws `GoogleApiError` with reason `fullSyncRequired` (410) when expired. */
  syncToken?: string;
  /** Full listing window (ignored with syncToken, as Google requires). */
  timeMin?: string;
  timeMax?: string;
  /** Only events carrying this private extended property (`key=value`). */
  privateExtendedProperty?: string;
  showDeleted?: boolean;
}

/**
 * One impersonated user's primary calendar, as the engine and the diagnostics use it. Every
 * write is sent with `sendUpdates=none`. Rate limits and transient errors are retried inside;
 * what comes out is a `GoogleApiError` with Google's reason and message.
 */
export interface UserCalendar {
  readonly user: string;
  timeZone(): Promise<string>;
  listEvents(options: ListEventsOptions): Promise<EventListing>;
  getEvent(id: string): Promise<GoogleEvent | null>;
  /** 409 `duplicate` (also for a deleted id) surfaces as `GoogleApiError` reason `duplicate`. */
  insertEvent(event: GoogleEvent): Promise<GoogleEvent>;
  /** Full replacement (events.update); with `etag`, sent as If-Match (412 `conditionNotMet`). */
  updateEvent(id: string, event: GoogleEvent, etag?: string): Promise<GoogleEvent>;
  patchEvent(id: string, patch: GoogleEvent, etag?: string): Promise<GoogleEvent>;
  /**
   * With `etag`, sent as If-Match (412 `conditionNotMet` when the event changed since). An
   * event already deleted (410) or purged (404) counts as deleted.
   */
  deleteEvent(id: string, etag?: string): Promise<void>;
}

export interface GoogleCalendars {
  forUser(email: string): UserCalendar;
}
