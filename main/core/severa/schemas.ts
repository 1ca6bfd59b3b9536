import { z } from 'zod';
import {
  ACTIVITY_CATEGORIES,
  type Activity,
  type ActivityParticipant,
  type ActivityType,
  type SeveraUser,
} from './models';

/**
 * What Severa answers, checked before the rest of the product trusts it. Each schema accepts
 * everything Severa's OpenAPI document allows for its model (test/unit/severa-schemas.test.ts
 * walks every field of the document against them): a field the document marks nullable or
 * optional is never required here, and unknown fields are kept, never fatal. Fields we do not
 * read are left to `looseObject`.
 *
 * The document marks every model's own `guid` nullable; a row without one cannot be linked, so
 * the client leaves it out (`withGuid`) rather than failing the page.
 */
const nullToUndefined = <T>(v: T | null | undefined): T | undefined => v ?? undefined;
const optionalText = z.string().nullish().transform(nullToUndefined);
const nullableText = z
  .string()
  .nullish()
  .transform((v) => v ?? null);
const optionalFlag = z.boolean().nullish().transform(nullToUndefined);
const category = z.enum(ACTIVITY_CATEGORIES);
/** A reference whose guid the document also marks nullable (`ModelWithName`, `ActivityCustomer`, …). */
const nullableRef = z.looseObject({ guid: nullableText, name: optionalText });

export const activitySchema = z.looseObject({
  guid: nullableText,
  name: z.string(),
  startDateTime: z.string(),
  endDateTime: nullableText,
  isAllDay: z
    .boolean()
    .nullish()
    .transform((v) => v ?? false),
  hasDuration: optionalFlag,
  isClosed: optionalFlag,
  hasHours: optionalFlag,
  notes: nullableText,
  location: nullableText,
  activityType: z.looseObject({
    guid: z.string().min(1),
    name: optionalText,
    category: category.nullish().transform(nullToUndefined),
  }),
  ownerUser: z.looseObject({ guid: z.string().min(1), name: optionalText, code: optionalText }),
  phase: nullableRef
    .extend({ projectGuid: optionalText, projectName: optionalText })
    .nullish()
    .transform((v) => v ?? null),
  customer: nullableRef.nullish().transform((v) => v ?? null),
  recurrenceType: z.enum(['None', 'Occurrence', 'Exception', 'Series']).optional(),
  recurrenceParentActivityGuid: nullableText,
  createdDateTime: optionalText,
  lastUpdatedDateTime: nullableText,
}) satisfies z.ZodType<WithNullableGuid<Activity>>;

export const activityTypeSchema = z.looseObject({
  guid: nullableText,
  name: z.string(),
  category,
  code: nullableText,
  isActive: z
    .boolean()
    .nullish()
    .transform((v) => v ?? true),
  isDefault: optionalFlag,
}) satisfies z.ZodType<WithNullableGuid<ActivityType>>;

export const severaUserSchema = z.looseObject({
  guid: nullableText,
  firstName: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  lastName: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  email: nullableText,
  isActive: z
    .boolean()
    .nullish()
    .transform((v) => v ?? true),
  timezone: z
    .looseObject({ guid: optionalText, name: optionalText, ianaName: nullableText })
    .nullish()
    .transform((v) => v ?? null),
  defaultActivityType: nullableRef.nullish().transform((v) => v ?? null),
}) satisfies z.ZodType<WithNullableGuid<SeveraUser>>;

export const participantSchema = z.looseObject({
  guid: nullableText,
  activityGuid: z.string().min(1),
  participantGuid: z.string().min(1),
  type: z
    .enum(['User', 'Contact', 'Resource', 'Other'])
    .nullish()
    .transform((v) => v ?? 'User'),
  status: z
    .enum(['Unknown', 'Invited', 'Accepted', 'Tentative', 'Declined'])
    .nullish()
    .transform((v) => v ?? 'Unknown'),
  name: optionalText,
  email: nullableText,
}) satisfies z.ZodType<ActivityParticipant>;

/**
 * The token answer (`PublicAuthenticationOutputModel`): the document makes every field optional,
 * so a missing `access_token` is refused by `parseTokenResponse` with its own message.
 */
export const tokenResponseSchema = z.looseObject({
  access_token: optionalText,
  access_token_expires_in: z.number().nullish(),
  access_token_expires_utc: z.string().nullish(),
  scope: z.string().nullish(),
});

/** Severa's error envelope (`ExceptionModel`); anything else keeps its raw text. */
export const errorEnvelopeSchema = z.looseObject({
  error: z
    .looseObject({
      httpStatusCode: z.number().int().nullish(),
      type: optionalText,
      details: z
        .array(
          z.looseObject({
            message: z.string().nullish(),
            location: z.looseObject({ name: z.string().nullish() }).nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});

type WithNullableGuid<T extends { guid: string }> = Omit<T, 'guid'> & { guid: string | null };

/** The rows that carry a guid; the others are counted for the caller to log. */
export function withGuid<T extends { guid: string | null }>(
  rows: T[],
): { rows: (T & { guid: string })[]; without: number } {
  const kept = rows.filter((r): r is T & { guid: string } => !!r.guid);
  return { rows: kept, without: rows.length - kept.length };
}
