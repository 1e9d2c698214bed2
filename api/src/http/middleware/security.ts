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

const EXPOSE_HEADERS = ['X-Request-Id', 'Retry-After'];

export function corsPolicy(allowedOrigins: string[]) {
  const allowed = new Set(allowedOrigins);
  const preflight = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Authorization', 'X-Request-Id', 'Last-Event-ID'],
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: 600,
  });
  const expose = EXPOSE_HEADERS.join(',');
  // Every other request gets the same headers as hono/cors gives it, set once the response exists: hono/cors sets
  // them on c.res before the handler runs, which makes Hono rebuild the handler's Response around a web stream (the
  // slow way @hono/node-server writes a body) on every request.
  return factory.createMiddleware(async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    await next();
    const headers = c.res.headers;
    const origin = c.req.header('origin');
    if (origin && allowed.has(origin)) headers.set('Access-Control-Allow-Origin', origin);
    headers.set('Access-Control-Expose-Headers', expose);
    headers.append('Vary', 'Origin');
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
