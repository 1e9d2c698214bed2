// AppError: thrown from anywhere, turned into the one error body by the error handler.
import type { ErrorBody, ErrorCode } from '@chatbot/shared';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: ContentfulStatusCode,
    message: string,
    readonly field?: string,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function errorBody(code: ErrorCode, message: string, field?: string): ErrorBody {
  return { detail: { message, code, timestamp: new Date().toISOString(), ...(field ? { field } : {}) } };
}

/** Words shown for the error codes whose cause must not be sent as is. */
export const PUBLIC_MESSAGES = {
  INTERNAL_ERROR: 'An unexpected error occurred. Please try again.',
  SERVICE_UNAVAILABLE: 'The service is temporarily unavailable. Please try again shortly.',
  AI_API_ERROR: 'The AI service is unavailable. Please try again.',
  AI_RATE_LIMIT: 'The AI service is busy. Please try again shortly.',
} as const;
