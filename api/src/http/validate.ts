// The one validation wrapper: zValidator with the shared schemas, failures thrown as VALIDATION_ERROR naming the field.
import { findUnstorableText } from '@chatbot/shared';
import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { z } from 'zod';
import { errors } from './app-error.js';

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
        throw errors.validation('Content-Type must be application/json', 'body');
      }
    }
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue?.path.length ? issue.path.join('.') : target === 'json' ? 'body' : target;
      // zod 4 leaves `input` off issues unless asked; look the value up so a wrong type is not called "missing".
      const missing = issue?.code === 'invalid_type' && valueAt(result.data, issue.path) === undefined;
      const message = issue
        ? missing
          ? `${field} is required`
          : /^[a-z]/.test(issue.message)
            ? `${field} ${issue.message}`
            : `${field}: ${issue.message}`
        : 'Invalid request';
      throw errors.validation(message, field);
    }
    throwIfUnstorable(result.data, target === 'json' ? 'body' : target);
  });
}

/** 400 naming the field when a string in `input` cannot be stored as sent (NUL, lone surrogates). */
export function throwIfUnstorable(input: unknown, root: string): void {
  const bad = findUnstorableText(input);
  if (!bad) return;
  const field = bad.path.length ? bad.path.join('.') : root;
  throw errors.validation(`${field} ${bad.reason}`, field);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}
