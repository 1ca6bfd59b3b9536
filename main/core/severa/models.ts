/** The subset of Severa's REST models this product reads and writes (reference/severa-api.md). */

export const ACTIVITY_CATEGORIES = [
  'Personal',
  'Absences',
  'CalendarEntry',
  'SalesEvent',
  'Task',
] as const;
export type ActivityCategory = (typeof ACTIVITY_CATEGORIES)[number];

export type RecurrenceType = 'None' | 'Occurrence' | 'Exception' | 'Series';

export interface GuidRef {
  guid: string;
  name?: string;
}

/** A reference the document lets Severa send without a guid (`ModelWithName`, `ActivityCustomer`, …). */
export interface NullableRef {
  guid: string | null;
  name?: string;
}

export interface Activity {
  guid: string;
  name: string;
  startDateTime: string;
  endDateTime: string | null;
  isAllDay: boolean;
  hasDuration?: boolean;
  isClosed?: boolean;
  hasHours?: boolean;
  notes: string | null;
  location: string | null;
  activityType: { guid: string; name?: string; category?: ActivityCategory };
  ownerUser: GuidRef & { code?: string };
  phase?: (NullableRef & { projectGuid?: string; projectName?: string }) | null;
  customer?: NullableRef | null;
  recurrenceType?: RecurrenceType;
  recurrenceParentActivityGuid?: string | null;
  createdDateTime?: string;
  lastUpdatedDateTime: string | null;
}

/** What we send on create (the server fills guid, names, categories, timestamps). */
export interface ActivityInput {
  name: string;
  startDateTime: string;
  endDateTime: string | null;
  isAllDay: boolean;
  notes?: string | null;
  location?: string | null;
  activityType: { guid: string };
  ownerUser: { guid: string };
}

/** JSON Patch as the document types it: `op` a `PatchOperationType`, `value` a string or null. */
export interface PatchOperation {
  op: 'Add' | 'Replace' | 'Remove';
  path: string;
  value?: string | null;
}

export interface ActivityType {
  guid: string;
  name: string;
  category: ActivityCategory;
  code?: string | null;
  isActive: boolean;
  isDefault?: boolean;
}

export interface SeveraUser {
  guid: string;
  firstName: string;
  lastName: string;
  email: string | null;
  isActive: boolean;
  timezone?: { guid?: string; name?: string; ianaName?: string | null } | null;
  defaultActivityType?: NullableRef | null;
}

export type ParticipantType = 'User' | 'Contact' | 'Resource' | 'Other';
export type MemberStatus = 'Unknown' | 'Invited' | 'Accepted' | 'Tentative' | 'Declined';

export interface ActivityParticipant {
  /** Nullable in the document: a record without one cannot be removed through the API. */
  guid: string | null;
  activityGuid: string;
  participantGuid: string;
  type: ParticipantType;
  status: MemberStatus;
  name?: string;
  email?: string | null;
}

export interface ActivityQuery {
  changedSince?: string;
  startDateTime?: string;
  endDateTime?: string;
  userGuids?: string[];
  includeAsMember?: boolean;
  activityTypeGuids?: string[];
  activityCategories?: ActivityCategory[];
  recurrenceType?: RecurrenceType;
}
