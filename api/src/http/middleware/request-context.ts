// Request id (taken from X-Request-Id when sane), a child logger per request, and one access-log line per response.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.js';
import { factory } from '../app-env.js';

const SAFE_ID = /^[\w.:-]{1,128}$/;

export function requestContext(logger: Logger) {
  // The access line holds only the fields below (the path without its query, never a header or a body), so it skips
  // the redaction pass every other line gets: with wildcard paths that pass copies and walks each line.
  const access = logger.child({}, { redact: [] });
  return factory.createMiddleware(async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ requestId });
    c.set('requestId', requestId);
    c.set('logger', log);
    const started = performance.now();
    try {
      await next();
    } finally {
      c.res.headers.set('X-Request-Id', requestId);
      const user = c.get('user');
      access.info(
        {
          requestId,
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          latencyMs: Math.round((performance.now() - started) * 100) / 100,
          ...(user ? { userId: user.id } : {}),
        },
        'request',
      );
    }
  });
}
