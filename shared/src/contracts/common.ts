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
