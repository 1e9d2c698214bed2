// The one validation wrapper: zValidator with the shared schemas, failures thrown as VALIDATION_ERROR naming the field.
import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { z } from 'zod';
import { AppError } from './app-error.js';

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) {
  return zValidator(target, schema, (result, c) => {
    if (target === 'json') {
      // Hono's json validator silently skips a body sent without a JSON content type; refuse it instead.
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
      if (!JSON_TYPE.test(type)) {
        throw new AppError('VALIDATION_ERROR', 400, 'Content-Type must be application/json', 'body');
      }
    }
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue?.path.length ? issue.path.join('.') : target === 'json' ? 'body' : target;
      const message = issue
        ? issue.code === 'invalid_type' && issue.input === undefined
          ? `${field} is required`
          : /^[a-z]/.test(issue.message)
            ? `${field} ${issue.message}`
            : `${field}: ${issue.message}`
        : 'Invalid request';
      throw new AppError('VALIDATION_ERROR', 400, message, field);
    }
  });
}
