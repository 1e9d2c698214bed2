// Model-provider failures in the product's words: 429 AI_RATE_LIMIT (with Retry-After when known) or 502 AI_API_ERROR.
import { AppError, errors } from '../http/app-error.js';

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  status?: unknown;
  code?: unknown;
  lc_error_code?: unknown;
  headers?: unknown;
  retryAfterMs?: unknown;
  response?: { status?: unknown; headers?: unknown };
  error?: { code?: unknown; type?: unknown };
  cause?: unknown;
}

/** The error and what it wraps (LangChain and the OpenAI SDK nest causes), outermost first. */
function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    out.push(cur as ErrorLike);
    cur = (cur as ErrorLike).cause;
  }
  return out;
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const rec = headers as Record<string, unknown>;
  const v = rec[name] ?? rec[name.toLowerCase()] ?? rec['Retry-After'];
  return typeof v === 'string' ? v : undefined;
}

function statusOf(e: ErrorLike): number | undefined {
  if (typeof e.status === 'number') return e.status;
  if (typeof e.response?.status === 'number') return e.response.status;
  return undefined;
}

/** Seconds the provider asked us to wait, when it said (Retry-After seconds or date, retry-after-ms, or LangChain's retryAfterMs). */
export function providerRetryAfterSeconds(err: unknown): number | undefined {
  for (const e of chain(err)) {
    for (const headers of [e.headers, e.response?.headers]) {
      const ms = headerValue(headers, 'retry-after-ms');
      if (ms && Number.isFinite(Number(ms))) return Math.max(1, Math.ceil(Number(ms) / 1000));
      const ra = headerValue(headers, 'retry-after');
      if (ra) {
        const secs = Number(ra);
        if (Number.isFinite(secs) && secs >= 0) return Math.max(1, Math.ceil(secs));
        const date = Date.parse(ra);
        if (!Number.isNaN(date)) return Math.max(1, Math.ceil((date - Date.now()) / 1000));
      }
    }
    if (typeof e.retryAfterMs === 'number' && e.retryAfterMs >= 0) return Math.max(1, Math.ceil(e.retryAfterMs / 1000));
  }
  return undefined;
}

export function isProviderRateLimit(err: unknown): boolean {
  return chain(err).some(
    (e) =>
      statusOf(e) === 429 ||
      e.lc_error_code === 'MODEL_RATE_LIMIT' ||
      e.name === 'RateLimitError' ||
      e.name === 'RateLimitCapacityError' ||
      e.name === 'RateLimitQuotaExhaustedError',
  );
}

function isTimeoutReason(reason: unknown): boolean {
  return (
    !!reason &&
    typeof reason === 'object' &&
    ((reason as ErrorLike).name === 'TimeoutError' || (reason as ErrorLike).name === 'APIConnectionTimeoutError')
  );
}

/** The call ran out of time (our AbortSignal.timeout, or the client's own `timeout`). */
export function isTimeoutError(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted && isTimeoutReason(signal.reason)) return true;
  return chain(err).some((e) => isTimeoutReason(e));
}

/**
 * The call was cancelled on purpose (a stop, a client gone, shutdown), as opposed to failing.
 * Pass the signal you gave the model: when it was aborted for a reason other than a timeout, that is an abort,
 * whatever error LangChain threw for it (with a string reason it throws a plain Error).
 */
export function isAbortError(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return !isTimeoutReason(signal.reason);
  return chain(err).some(
    (e) =>
      e.name === 'AbortError' ||
      e.name === 'APIUserAbortError' ||
      (typeof e.message === 'string' && /^(AbortError|Aborted|Request was aborted)/.test(e.message)),
  );
}

/**
 * Any error from a model call as the AppError the client sees. The provider's own text never leaves the server:
 * callers log `err` with the request id.
 */
export function toProviderAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isProviderRateLimit(err)) {
    return errors.aiRateLimit(providerRetryAfterSeconds(err));
  }
  return errors.aiApiError();
}

/** What to log about a provider failure: enough to debug, nothing secret (no headers, no request). */
export function providerErrorLog(err: unknown): { name?: string; status?: number; code?: string; message?: string } {
  const e = chain(err)[0];
  if (!e) return { message: String(err) };
  return {
    name: typeof e.name === 'string' ? e.name : undefined,
    status: statusOf(e),
    code: typeof e.code === 'string' ? e.code : typeof e.lc_error_code === 'string' ? e.lc_error_code : undefined,
    message: typeof e.message === 'string' ? e.message.split('\n')[0] : undefined,
  };
}
