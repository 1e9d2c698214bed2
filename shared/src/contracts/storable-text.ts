// Text PostgreSQL cannot store as sent: the NUL character (refused in text and jsonb columns) and lone UTF-16
// surrogates (not Unicode; the driver would silently turn them into U+FFFD, so what is stored would differ from what
// was sent). Every input the API takes is checked with this once, after its schema, so no route stores half a row
// and answers 500.

export interface UnstorableText {
  /** Where in the input: ['content'], ['sessions', 0, 'messages', 3, 'content']. */
  path: (string | number)[];
  reason: string;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode (it holds a lone surrogate)';
  return undefined;
}

/** The first string (value or object key) in `value` that cannot be stored, depth first; undefined when all can. */
export function findUnstorableText(value: unknown, path: (string | number)[] = []): UnstorableText | undefined {
  if (typeof value === 'string') {
    const reason = textProblem(value);
    return reason ? { path, reason } : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const keyReason = textProblem(key);
      if (keyReason) return { path: [...path, key], reason: `key ${keyReason}` };
      const found = findUnstorableText(v, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}
