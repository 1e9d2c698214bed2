// Security headers on every response, CORS limited to ALLOWED_ORIGINS, and the request body limit.
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { factory } from '../app-env.js';
import { errors } from '../app-error.js';

export function securityHeaders() {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      // 'self' covers ws:// and wss:// to this host (CSP 3): an injected script cannot send a token elsewhere.
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      workerSrc: ["'self'"],
      manifestSrc: ["'self'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'strict-origin-when-cross-origin',
    crossOriginEmbedderPolicy: false,
    // HSTS belongs to whoever terminates TLS (nginx); over plain HTTP it would only be noise.
    strictTransportSecurity: false,
  });
}

export function corsPolicy(allowedOrigins: string[]) {
  const allowed = new Set(allowedOrigins);
  return cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Authorization', 'X-Request-Id', 'Last-Event-ID'],
    exposeHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
}

/** `exceptPaths`: routes that apply their own (larger) limit, such as POST /api/import. */
export function limitBody(maxSize: number, exceptPaths: readonly string[] = []) {
  const limiter = bodyLimit({
    maxSize,
    onError: () => {
      throw errors.payloadTooLarge(`Request body is larger than ${maxSize} bytes`);
    },
  });
  return factory.createMiddleware(async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    if (exceptPaths.includes(c.req.path)) return next();
    return limiter(c, next);
  });
}
