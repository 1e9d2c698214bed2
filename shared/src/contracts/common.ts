// Small schemas shared by several features: ids in paths, plain acknowledgements.
import { z } from 'zod';

const MAX_ID = 2_147_483_647;

/** A database id in a path segment: a positive integer written in decimal. */
export const idParamSchema = z.object({
  id: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a positive integer')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be a positive integer').max(MAX_ID, 'must be a positive integer')),
});

export const messageResponseSchema = z.object({ message: z.string() });
export type MessageResponse = z.infer<typeof messageResponseSchema>;

/** Timestamps travel as ISO 8601 strings. */
export const isoDateSchema = z.string();

/**
 * The years a time the API stores may fall in. PostgreSQL refuses year 0 (a 500 before this check) and some
 * years it keeps do not come back as ISO 8601 that parses again (beyond 9999); before 1970 no chat was held.
 */
export const STORABLE_YEAR_MIN = 1970;
export const STORABLE_YEAR_MAX = 9999;

/** True when the time parses and its UTC year is within STORABLE_YEAR_MIN..STORABLE_YEAR_MAX. */
export function isStorableTime(value: string): boolean {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return false;
  const year = new Date(ms).getUTCFullYear();
  return year >= STORABLE_YEAR_MIN && year <= STORABLE_YEAR_MAX;
}

const STORABLE_RANGE = `must be between the years ${STORABLE_YEAR_MIN} and ${STORABLE_YEAR_MAX}`;

/** An ISO 8601 date-time with an offset, within the storable years. */
export const storableDateTimeSchema = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time' })
  .refine(isStorableTime, STORABLE_RANGE);

/** The message for a date outside the storable years. */
export const storableRangeMessage = STORABLE_RANGE;
