// Turns any thrown error into words a person understands, in the current language (never raw JSON or stacks).
import { locale, type MessageKey, t } from './i18n';

/** The fields of the SDK's ApiError this module needs; checked structurally so it works for WebSocket error events too. */
interface ErrorLike {
  code?: unknown;
  resetAt?: unknown;
  status?: unknown;
  field?: unknown;
  message?: unknown;
}

function stringProp(err: unknown, key: 'code' | 'field' | 'resetAt'): string | undefined {
  const value = err && typeof err === 'object' ? (err as ErrorLike)[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

export const errorCode = (err: unknown): string | undefined => stringProp(err, 'code');

export const errorField = (err: unknown): string | undefined => stringProp(err, 'field');

/** A human sentence for `err`. Validation errors keep the server's wording, which names the problem precisely. */
export function humanError(err: unknown): string {
  const code = errorCode(err);
  if (code === 'VALIDATION_ERROR') {
    const msg = (err as ErrorLike).message;
    if (typeof msg === 'string' && msg && !msg.trimStart().startsWith('{')) return msg;
  }
  // A quota says plainly when it resets (REST and SSE carry `resetAt` in the error body, the WebSocket in its frame).
  const resetAt = stringProp(err, 'resetAt');
  if (code === 'QUOTA_EXCEEDED' && resetAt && !Number.isNaN(Date.parse(resetAt))) {
    const time = new Date(resetAt).toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short' });
    return t('err.QUOTA_EXCEEDED_AT', { time });
  }
  if (code) {
    const key = `err.${code}` as MessageKey;
    const text = t(key);
    if (text && text !== key) return text;
  }
  if (err instanceof TypeError) return t('err.SERVICE_UNAVAILABLE');
  return t('err.unknown');
}
