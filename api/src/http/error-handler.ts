// onError / notFound: every failure becomes the one error body; details go to the log, never to the client.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isDatabaseUnavailable, rootDbError } from '../db/client.js';
import type { AppEnv } from './app-env.js';
import { AppError, errorBody, PUBLIC_MESSAGES } from './app-error.js';

/** Unique-index names mapped to the error they mean for the user. */
const UNIQUE_VIOLATIONS: Record<string, AppError> = {
  users_username_lower_unique: new AppError('DUPLICATE_USERNAME', 409, 'Username is already taken', 'username'),
  users_email_unique: new AppError('DUPLICATE_EMAIL', 409, 'Email is already registered', 'email'),
};

/** Any thrown value as the AppError the client should see (logging decided by the caller). */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    if (status === 413) return new AppError('PAYLOAD_TOO_LARGE', 413, 'Request body is too large');
    if (status === 400) return new AppError('VALIDATION_ERROR', 400, err.message || 'Invalid request', 'body');
    if (status === 401) return new AppError('UNAUTHORIZED', 401, 'Authentication required');
    if (status === 403) return new AppError('FORBIDDEN', 403, err.message || 'Forbidden');
    if (status === 404) return new AppError('NOT_FOUND', 404, 'Not found');
    if (status < 500) return new AppError('VALIDATION_ERROR', status, err.message || 'Invalid request');
  }
  const db = rootDbError(err);
  if (db?.code === '23505' && db.constraint && UNIQUE_VIOLATIONS[db.constraint]) {
    return UNIQUE_VIOLATIONS[db.constraint]!;
  }
  if (isDatabaseUnavailable(err)) return new AppError('SERVICE_UNAVAILABLE', 503, PUBLIC_MESSAGES.SERVICE_UNAVAILABLE);
  return new AppError('INTERNAL_ERROR', 500, PUBLIC_MESSAGES.INTERNAL_ERROR);
}

/**
 * The error as it may be logged. A failed drizzle query carries its bound parameters (in `params` and in its
 * message): password hashes, emails, message text. The SQL, the pg code and the stack are enough to debug.
 */
export function loggableError(err: Error): Record<string, unknown> | Error {
  const q = err as Error & { query?: unknown; params?: unknown };
  if (typeof q.query !== 'string' || !('params' in q)) return err;
  const root = rootDbError(err);
  return {
    type: err.name,
    message: `Failed query: ${q.query}`,
    query: q.query,
    ...(root ? { dbCode: root.code, constraint: root.constraint, dbMessage: root.message } : {}),
    // Only the frames: the stack's head repeats the message, parameters included.
    stack: err.stack
      ?.split('\n')
      .filter((line) => /^\s+at /.test(line))
      .join('\n'),
  };
}

export function handleError(err: Error, c: Context<AppEnv>) {
  const appErr = toAppError(err);
  const logger = c.get('logger');
  if (appErr.status >= 500) {
    logger?.error({ err: loggableError(err), code: appErr.code }, 'request failed');
  } else if (!(err instanceof AppError)) {
    logger?.info({ code: appErr.code, reason: loggableError(err).message }, 'request rejected');
  }
  if (appErr.headers) for (const [k, v] of Object.entries(appErr.headers)) c.header(k, v);
  if (appErr.status === 503) c.header('Retry-After', c.res.headers.get('Retry-After') ?? '5');
  return c.json(errorBody(appErr.code, appErr.message, appErr.field), appErr.status);
}

export function handleNotFound(c: Context<AppEnv>) {
  return c.json(errorBody('NOT_FOUND', `Route not found: ${c.req.method} ${c.req.path}`), 404);
}
