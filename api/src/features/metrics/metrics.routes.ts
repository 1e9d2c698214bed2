// GET /metrics (Prometheus text format; not under /api, not in the OpenAPI document) and the middleware that counts
// every HTTP request by its route template. With METRICS_TOKEN the scrape needs `Authorization: Bearer <token>`;
// without it only loopback peers are answered (the socket's address: forwarded headers are never trusted here).
import { timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono } from 'hono';
import { routePath } from 'hono/route';
import type { AppContext } from '../../context.js';
import { type AppEnv, factory } from '../../http/app-env.js';
import { AppError, errors } from '../../http/app-error.js';
import type { Metrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

/** Counts and times every request, labelled with the route template that answered (never the raw path). */
export function httpMetrics(metrics: Metrics) {
  return factory.createMiddleware(async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      let route: string;
      try {
        // After next(): the route whose handler answered (later matches, like the /api/* not-found, never ran).
        route = routePath(c) || 'unmatched';
      } catch {
        route = 'unmatched';
      }
      // The scrape itself is not traffic worth a series per scrape interval.
      if (route !== METRICS_PATH) {
        const labels = { method: c.req.method, route, status: String(c.res.status) };
        metrics.httpRequests.inc(labels);
        metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
      }
    }
  });
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

function peerAddress(c: Context<AppEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    // app.request() without a socket: no peer to trust.
    return undefined;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function metricsRoutes(ctx: Pick<AppContext, 'metrics' | 'config'>) {
  const app = new Hono<AppEnv>();
  const token = ctx.config.METRICS_TOKEN;
  app.get(METRICS_PATH, async (c) => {
    if (token) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
      if (!match || !sameSecret(match[1]!, token)) throw errors.unauthorized();
    } else if (!isLoopback(peerAddress(c))) {
      throw new AppError('FORBIDDEN', 'Metrics answer only to loopback; set METRICS_TOKEN to scrape from elsewhere');
    }
    return c.body(await ctx.metrics.render(), 200, {
      'content-type': ctx.metrics.contentType,
      'cache-control': 'no-store',
    });
  });
  return app;
}
