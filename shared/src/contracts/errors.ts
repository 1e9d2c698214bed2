// The product's one error body and the list of error codes every route and stream uses.
import { z } from 'zod';

export const ERROR_CODES = [
  'VALIDATION_ERROR',
  'AUTHENTICATION_FAILED',
  'TOKEN_EXPIRED',
  'TOKEN_INVALID',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'DUPLICATE_USERNAME',
  'DUPLICATE_EMAIL',
  'GENERATION_IN_PROGRESS',
  'AI_API_ERROR',
  'AI_RATE_LIMIT',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;

export const errorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const errorDetailSchema = z.object({
  message: z.string(),
  code: errorCodeSchema,
  timestamp: z.string(),
  field: z.string().optional(),
});

/** `{"detail":{"message","code","timestamp","field"?}}`: the body of every 4xx/5xx response. */
export const errorBodySchema = z.object({ detail: errorDetailSchema });
export type ErrorBody = z.infer<typeof errorBodySchema>;
