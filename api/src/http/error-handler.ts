// onError / notFound: every failure becomes the one error body; details go to the log, never to the client.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { isDatabaseUnavailable, rootDbError } from '../db/client.js';
import type { AppEnv } from './app-env.js';
import { AppError, errorBody, errors } from './app-error.js';

/** The duplicate-account errors, for the service's friendly pre-check and for the unique index that decides races. */
export const DUPLICATE_ERRORS = {
  username: () => new AppError('DUPLICATE_USERNAME', 'Username is already taken', { field: 'username' }),
  email: () => new AppError('DUPLICATE_EMAIL', 'Email is already registered', { field: 'email' }),
};

/**
 * Unique-index names mapped to the error they mean for the user: the one place a unique violation is translated.
 * `messages_one_streaming_per_session` allows one `streaming` answer per session, across every API process.
 */
const UNIQUE_VIOLATIONS: Record<string, () => AppError> = {
  users_username_lower_unique: DUPLICATE_ERRORS.username,
  users_email_unique: DUPLICATE_ERRORS.email,
  messages_one_streaming_per_session: errors.generationInProgress,
};

/** The AppError a unique violation means (a duplicate name, a second answer in a session); undefined otherwise. */
export function fromUniqueViolation(err: unknown): AppError | undefined {
  const db = rootDbError(err);
  return db?.code === '23505' && db.constraint ? UNIQUE_VIOLATIONS[db.constraint]?.() : undefined;
}

/** Any thrown value as the AppError the client should see (logging decided by the caller). */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    const status = err.status;
    if (status === 413) return errors.payloadTooLarge();
    if (status === 401) return errors.unauthorized();
    if (status === 403) return errors.forbidden(err.message || 'Forbidden');
    if (status === 404) return new AppError('NOT_FOUND', 'Not found');
    if (status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', err.message || 'Unsupported media type');
    if (status < 500) return errors.validation(err.message || 'Invalid request', status === 400 ? 'body' : undefined);
  }
  const unique = fromUniqueViolation(err);
  if (unique) return unique;
  if (isDatabaseUnavailable(err)) return errors.unavailable();
  return errors.internal();
}

/**
 * The error as it may be logged. A failed drizzle query carries its bound parameters (in `params` and in its
 * message): password hashes, emails, message text. The SQL, the pg code and the stack are enough to debug.
 */
export function loggableError(err: unknown): Record<string, unknown> | Error {
  if (!(err instanceof Error)) return { type: typeof err, message: String(err) };
  const q = err as Error & { query?: unknown; params?: unknown };
  if (typeof q.query !== 'string' || !('params' in q)) return loggablePgError(err) ?? err;
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

/**
 * A driver error (pg's DatabaseError) without the fields that quote the row: `detail` ("Key (email)=(…) already
 * exists"), `where`, `internalQuery`. Undefined for any other error.
 */
function loggablePgError(err: Error): Record<string, unknown> | undefined {
  const e = err as Error & { code?: unknown; severity?: unknown; constraint?: unknown };
  if (typeof e.code !== 'string' || typeof e.severity !== 'string') return undefined;
  return {
    type: err.name,
    message: err.message,
    dbCode: e.code,
    constraint: typeof e.constraint === 'string' ? e.constraint : undefined,
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
  return c.json(errorBody(appErr.code, appErr.message, appErr.field, appErr.extra), appErr.status);
}

export function handleNotFound(c: Context<AppEnv>) {
  return c.json(errorBody('NOT_FOUND', `Route not found: ${c.req.method} ${c.req.path}`), 404);
}
