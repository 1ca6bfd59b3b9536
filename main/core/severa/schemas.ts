import { z } from 'zod';
import {
  ACTIVITY_CATEGORIES,
  type Activity,
  type ActivityParticipant,
  type ActivityType,
  type SeveraUser,
} from './models';

/**
 * What Severa answers, checked before the rest of the product trusts it. Unknown fields are
 * kept (Severa's models are much larger than what we read); missing optional flags get the
 * spec's defaults.
 */
const guidRef = z.looseObject({
  guid: z.string().min(1),
  name: z
    .string()
    .nullish()
    .transform((v) => v ?? undefined),
});
const category = z.enum(ACTIVITY_CATEGORIES);

export const activitySchema = z.looseObject({
  guid: z.string().min(1),
  name: z.string(),
  startDateTime: z.string(),
  endDateTime: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  isAllDay: z
    .boolean()
    .nullish()
    .transform((v) => v ?? false),
  hasDuration: z.boolean().optional(),
  isClosed: z.boolean().optional(),
  hasHours: z.boolean().optional(),
  notes: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  location: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  activityType: z.looseObject({
    guid: z.string().min(1),
    name: z.string().optional(),
    category: category.optional(),
  }),
  ownerUser: guidRef.extend({
    code: z
      .string()
      .nullish()
      .transform((v) => v ?? undefined),
  }),
  phase: guidRef
    .extend({ projectGuid: z.string().optional(), projectName: z.string().optional() })
    .nullish(),
  customer: guidRef.nullish(),
  recurrenceType: z.enum(['None', 'Occurrence', 'Exception', 'Series']).optional(),
  recurrenceParentActivityGuid: z.string().nullish(),
  createdDateTime: z.string().optional(),
  lastUpdatedDateTime: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
}) satisfies z.ZodType<Activity>;

export const activityTypeSchema = z.looseObject({
  guid: z.string().min(1),
  name: z.string(),
  category,
  code: z.string().nullish(),
  isActive: z.boolean().default(true),
  isDefault: z.boolean().optional(),
}) satisfies z.ZodType<ActivityType>;

export const severaUserSchema = z.looseObject({
  guid: z.string().min(1),
  firstName: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  lastName: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  email: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  isActive: z.boolean().default(true),
  timezone: z
    .looseObject({
      guid: z.string().optional(),
      name: z.string().optional(),
      ianaName: z.string().nullish(),
    })
    .nullish(),
  defaultActivityType: guidRef.nullish(),
}) satisfies z.ZodType<SeveraUser>;

export const participantSchema = z.looseObject({
  guid: z.string().min(1),
  activityGuid: z.string().min(1),
  participantGuid: z.string().min(1),
  type: z.enum(['User', 'Contact', 'Resource', 'Other']).default('User'),
  status: z.enum(['Unknown', 'Invited', 'Accepted', 'Tentative', 'Declined']).default('Unknown'),
  name: z.string().optional(),
  email: z.string().nullish(),
}) satisfies z.ZodType<ActivityParticipant>;

/** The token answer (`PublicAuthenticationOutputModel`, reference §1.2). */
export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  access_token_expires_in: z.number().nullish(),
  access_token_expires_utc: z.string().nullish(),
  scope: z.string().nullish(),
});
