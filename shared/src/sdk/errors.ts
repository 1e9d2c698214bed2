// ApiError: the one error every SDK call throws, built from the API's error body (or from a network failure).
import type { ErrorCode } from '../contracts/errors.js';

export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  readonly code: ErrorCode;
  /** The request field the error is about (validation and duplicates). */
  readonly field?: string;
  /** The server's X-Request-Id, to find the request in its logs. */
  readonly requestId?: string;
  /** Seconds the server asked to wait (429, 503), from Retry-After. */
  readonly retryAfter?: number;
  /** QUOTA_EXCEEDED: when the limit that was reached resets (ISO 8601). */
  readonly resetAt?: string;

  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    extra: { field?: string; requestId?: string; retryAfter?: number; resetAt?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    if (extra.field !== undefined) this.field = extra.field;
    if (extra.requestId !== undefined) this.requestId = extra.requestId;
    if (extra.retryAfter !== undefined) this.retryAfter = extra.retryAfter;
    if (extra.resetAt !== undefined) this.resetAt = extra.resetAt;
  }
}

/** The code a bare status means when the body carries none (a proxy's HTML 502, a refused WebSocket upgrade). */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'VALIDATION_ERROR';
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'GENERATION_IN_PROGRESS';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 429:
      return 'RATE_LIMITED';
    case 502:
      return 'AI_API_ERROR';
    case 0:
    case 503:
    case 504:
      return 'SERVICE_UNAVAILABLE';
    default:
      return 'INTERNAL_ERROR';
  }
}

interface ErrorBodyShape {
  detail?: { message?: unknown; code?: unknown; field?: unknown; resetAt?: unknown };
}

/** An ApiError from a non-2xx response; reads the error body when there is one, never throws itself. */
export async function apiErrorFromResponse(res: Response): Promise<ApiError> {
  const requestId = res.headers.get('x-request-id') ?? undefined;
  const retryHeader = res.headers.get('retry-after');
  const retryAfter = retryHeader && /^\d+$/.test(retryHeader) ? Number(retryHeader) : undefined;
  let detail: ErrorBodyShape['detail'];
  try {
    detail = ((await res.json()) as ErrorBodyShape).detail;
  } catch {
    // not the error body (a proxy page, an empty body): the status alone has to do
  }
  const code = typeof detail?.code === 'string' ? (detail.code as ErrorCode) : codeForStatus(res.status);
  const message = typeof detail?.message === 'string' ? detail.message : `Request failed with status ${res.status}`;
  return new ApiError(res.status, code, message, {
    ...(typeof detail?.field === 'string' ? { field: detail.field } : {}),
    ...(requestId ? { requestId } : {}),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    ...(typeof detail?.resetAt === 'string' ? { resetAt: detail.resetAt } : {}),
  });
}

/** True for the error an AbortSignal raises (the SDK rethrows it as is, so callers can tell a cancel from a failure). */
export function isAbortError(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    ((err as { name?: unknown }).name === 'AbortError' || (err as { name?: unknown }).name === 'TimeoutError')
  );
}

export function networkError(cause: unknown): ApiError {
  return new ApiError(0, 'SERVICE_UNAVAILABLE', 'Could not reach the server', { cause });
}
