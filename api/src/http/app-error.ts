// AppError: thrown from anywhere, turned into the one error body by the error handler. Its status comes from its
// code (ERROR_STATUS in shared/), so no call site restates it; `errors` below names the ones used in many places.
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from '@chatbot/shared';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface AppErrorOptions {
  /** The request field at fault (VALIDATION_ERROR), shown to the client as `detail.field`. */
  field?: string;
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
  /** Extra keys of `detail` (e.g. `resetAt` for QUOTA_EXCEEDED). */
  extra?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly status: ContentfulStatusCode;
  readonly field?: string;
  readonly headers?: Record<string, string>;
  readonly extra?: Record<string, unknown>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    opts: AppErrorOptions = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
    this.field = opts.field;
    this.headers = opts.headers;
    this.extra = opts.extra;
  }
}

export function errorBody(
  code: ErrorCode,
  message: string,
  field?: string,
  extra?: Record<string, unknown>,
): ErrorBody {
  return {
    detail: { ...extra, message, code, timestamp: new Date().toISOString(), ...(field ? { field } : {}) },
  };
}

/** Words shown for the error codes whose cause must not be sent as is. */
export const PUBLIC_MESSAGES = {
  INTERNAL_ERROR: 'An unexpected error occurred. Please try again.',
  SERVICE_UNAVAILABLE: 'The service is temporarily unavailable. Please try again shortly.',
  AI_API_ERROR: 'The AI service is unavailable. Please try again.',
  AI_RATE_LIMIT: 'The AI service is busy. Please try again shortly.',
} as const;

/** Seconds as a Retry-After header. */
const retryAfter = (seconds: number | undefined) =>
  seconds === undefined ? undefined : { 'Retry-After': String(Math.max(1, Math.ceil(seconds))) };

/** The errors thrown from many places, each said once. */
export const errors = {
  validation: (message: string, field?: string) => new AppError('VALIDATION_ERROR', message, { field }),
  unauthorized: () => new AppError('UNAUTHORIZED', 'Authentication required'),
  tokenInvalid: (message = 'Token is invalid') => new AppError('TOKEN_INVALID', message),
  tokenExpired: () => new AppError('TOKEN_EXPIRED', 'Token has expired'),
  /** A session, a message, a file… that does not exist: "Session not found". */
  notFound: (what: string) => new AppError('NOT_FOUND', `${what} not found`),
  /** Another user's session (or anything else this user may not touch). */
  forbidden: (message = 'You do not have access to this session') => new AppError('FORBIDDEN', message),
  generationInProgress: () =>
    new AppError(
      'GENERATION_IN_PROGRESS',
      'An answer is already being generated in this session. Wait for it or stop it first.',
    ),
  rateLimited: (seconds: number) =>
    new AppError('RATE_LIMITED', `Too many requests. Try again in ${seconds} seconds.`, {
      headers: retryAfter(seconds),
    }),
  payloadTooLarge: (message = 'Request body is too large') => new AppError('PAYLOAD_TOO_LARGE', message),
  unavailable: (message: string = PUBLIC_MESSAGES.SERVICE_UNAVAILABLE) => new AppError('SERVICE_UNAVAILABLE', message),
  internal: () => new AppError('INTERNAL_ERROR', PUBLIC_MESSAGES.INTERNAL_ERROR),
  aiApiError: () => new AppError('AI_API_ERROR', PUBLIC_MESSAGES.AI_API_ERROR),
  aiRateLimit: (seconds?: number) =>
    new AppError('AI_RATE_LIMIT', PUBLIC_MESSAGES.AI_RATE_LIMIT, { headers: retryAfter(seconds) }),
} as const;
