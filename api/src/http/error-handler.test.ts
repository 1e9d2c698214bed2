// Tests of the error handler: every failure becomes the one body; database and stack details never reach the client.
import type { ErrorBody } from '@chatbot/shared';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger.js';
import type { AppEnv } from './app-env.js';
import { AppError } from './app-error.js';
import { handleError, handleNotFound, toAppError } from './error-handler.js';
import { requestContext } from './middleware/request-context.js';

/** pg's error shape, wrapped the way drizzle wraps query failures. */
function pgError(code: string, extra: Record<string, string> = {}) {
  const inner = Object.assign(new Error('duplicate key value violates unique constraint'), { code, ...extra });
  return Object.assign(new Error('Failed query: insert into "users" ...'), { cause: inner });
}

describe('toAppError', () => {
  it('maps the username and email unique indexes to their 409s with the field', () => {
    expect(toAppError(pgError('23505', { constraint: 'users_username_lower_unique' }))).toMatchObject({
      code: 'DUPLICATE_USERNAME',
      status: 409,
      field: 'username',
    });
    expect(toAppError(pgError('23505', { constraint: 'users_email_unique' }))).toMatchObject({
      code: 'DUPLICATE_EMAIL',
      status: 409,
      field: 'email',
    });
  });

  it('treats an unknown unique violation as an internal error', () => {
    expect(toAppError(pgError('23505', { constraint: 'something_else' }))).toMatchObject({ status: 500 });
  });

  it('maps a lost or refused database connection to 503 SERVICE_UNAVAILABLE', () => {
    for (const err of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      pgError('57P01'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
    ]) {
      expect(toAppError(err)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    }
  });

  it('maps Hono HTTP exceptions to the product codes', () => {
    expect(toAppError(new HTTPException(413))).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(toAppError(new HTTPException(400, { message: 'Malformed JSON in request body' }))).toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'body',
    });
    expect(toAppError(new HTTPException(401))).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('passes an AppError through unchanged', () => {
    const err = new AppError('FORBIDDEN', 'No', { field: 'x' });
    expect(toAppError(err)).toBe(err);
  });
});

describe('handleError over HTTP', () => {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (s: string) => void lines.push(s) });
  const app = new Hono<AppEnv>()
    .use('*', requestContext(logger))
    .get('/boom', () => {
      throw pgError('42P01', { message: 'relation "secret_table" does not exist' });
    })
    .get('/retry', () => {
      throw new AppError('RATE_LIMITED', 'Slow down', { headers: { 'Retry-After': '7' } });
    })
    .get('/db-away', () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    });
  app.notFound(handleNotFound);
  app.onError(handleError);

  it('answers an unexpected error with a plain 500: no stack, no SQL; the details go to the log', async () => {
    const res = await app.request('/boom', { headers: { 'x-request-id': 'req-500' } });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text).detail).toMatchObject({ code: 'INTERNAL_ERROR' });
    expect(text).not.toMatch(/secret_table|insert into|at .*\.ts|stack/i);
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request failed');
    expect(logged).toMatchObject({ requestId: 'req-500', code: 'INTERNAL_ERROR' });
    expect(JSON.stringify(logged)).toMatch(/insert into/);
  });

  it('logs a failed query without its bound parameters (password hashes, emails, message text)', async () => {
    const queryError = Object.assign(
      new Error('Failed query: insert into "users" values ($1)\nparams: $2b$12$hash,ann@x.io'),
      {
        query: 'insert into "users" values ($1)',
        params: ['$2b$12$hash', 'ann@x.io'],
        cause: Object.assign(new Error('duplicate key value violates unique constraint "users_email_unique"'), {
          code: '23505',
          constraint: 'users_email_unique',
        }),
      },
    );
    const failing = new Hono<AppEnv>().use('*', requestContext(logger));
    failing.get('/dup', () => {
      throw queryError;
    });
    failing.get('/bad', () => {
      throw Object.assign(new Error('Failed query: select $1\nparams: s3cret'), {
        query: 'select $1',
        params: ['s3cret'],
      });
    });
    failing.onError(handleError);
    lines.length = 0;
    expect((await failing.request('/dup')).status).toBe(409);
    expect((await failing.request('/bad')).status).toBe(500);
    const text = lines.join('');
    expect(text).not.toMatch(/\$2b\$12\$hash|ann@x\.io|s3cret/);
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request failed');
    expect(logged.err).toMatchObject({ query: 'select $1', message: 'Failed query: select $1' });
    expect(lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request rejected')).toMatchObject({
      code: 'DUPLICATE_EMAIL',
    });
  });

  it('sends the headers an AppError carries, and Retry-After on 503', async () => {
    const limited = await app.request('/retry');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    const away = await app.request('/db-away');
    expect(away.status).toBe(503);
    expect(away.headers.get('retry-after')).toBe('5');
    expect(((await away.json()) as ErrorBody).detail.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('answers an unknown route with 404 NOT_FOUND', async () => {
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).detail).toMatchObject({ code: 'NOT_FOUND' });
  });
});
