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
  // Operations, identity and files (../CONTRACT.md).
  'QUOTA_EXCEEDED',
  'ACCOUNT_DISABLED',
  'REGISTRATION_CLOSED',
  'INVITE_INVALID',
  'CONFLICT',
  'RESET_TOKEN_INVALID',
  'PASSWORD_LOGIN_DISABLED',
  'UNSUPPORTED_MEDIA_TYPE',
  'MODEL_NO_VISION',
  'LIMIT_REACHED',
] as const;

export const errorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

/** Every code has exactly one HTTP status, on REST and in stream error events alike. */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  AUTHENTICATION_FAILED: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_INVALID: 401,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  DUPLICATE_USERNAME: 409,
  DUPLICATE_EMAIL: 409,
  GENERATION_IN_PROGRESS: 409,
  AI_API_ERROR: 502,
  AI_RATE_LIMIT: 429,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
  QUOTA_EXCEEDED: 429,
  ACCOUNT_DISABLED: 403,
  REGISTRATION_CLOSED: 403,
  INVITE_INVALID: 403,
  CONFLICT: 409,
  RESET_TOKEN_INVALID: 400,
  PASSWORD_LOGIN_DISABLED: 403,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MODEL_NO_VISION: 400,
  LIMIT_REACHED: 409,
} as const satisfies Record<ErrorCode, number>;

export const errorDetailSchema = z.object({
  message: z.string(),
  code: errorCodeSchema,
  timestamp: z.string(),
  field: z.string().optional(),
  /** QUOTA_EXCEEDED: when the limit that was reached resets (ISO 8601, UTC); Retry-After says the same in seconds. */
  resetAt: z.string().optional(),
});

/** `{"detail":{"message","code","timestamp","field"?}}`: the body of every 4xx/5xx response. */
export const errorBodySchema = z.object({ detail: errorDetailSchema });
export type ErrorBody = z.infer<typeof errorBodySchema>;
