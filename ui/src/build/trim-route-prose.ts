// The browser's copy of the shared route table keeps what the SDK reads (method, path, auth, schema names) and drops
// what only the OpenAPI document uses (`summary`, `description`, `tag`, `errors`): ~3 KB gzip of every first load. The API and
// the published SDK keep the whole table; trim-route-prose.test.ts checks that nothing else is touched.
import type { Plugin } from 'vite';

const STRING = `(?:'(?:[^'\\\\\\n]|\\\\.)*'|"(?:[^"\\\\\\n]|\\\\.)*")`;
/** A whole line `summary: '…',` (a string, or strings joined with +). */
const PROSE_LINE = new RegExp(
  `^[ \\t]*(?:summary|description):\\s*${STRING}(?:\\s*\\+\\s*${STRING})*,[ \\t]*\\n`,
  'gm',
);
/** `description: '…'` (with its comma, if any) inside a one-line object such as `success: { status: 200, description: '…', schema: … }`. */
const PROSE_INLINE = new RegExp(`[ \\t]*(?:summary|description):[ \\t]*${STRING},?`, 'g');

/** The OpenAPI grouping and error list of a route, one line each: `tag: 'auth',`, `errors: [401, 404],`. */
const META_LINE = /^[ \t]*(?:tag:[ \t]*'[\w-]+'|errors:[ \t]*(?:\[[^\]\n]*\]|[A-Z_]+)),[ \t]*\n/gm;

export function trimRouteProseSource(code: string): string {
  return code.replace(PROSE_LINE, '').replace(META_LINE, '').replace(PROSE_INLINE, '');
}

export function trimRouteProse(): Plugin {
  return {
    name: 'chatbot-trim-route-prose',
    // Before TypeScript is stripped: the source as written (and as the test checks it).
    enforce: 'pre',
    apply: 'build',
    transform(code, id) {
      if (!/[\\/]shared[\\/]src[\\/]routes[\\/][\w-]+\.ts$/.test(id)) return undefined;
      return { code: trimRouteProseSource(code), map: null };
    },
  };
}
