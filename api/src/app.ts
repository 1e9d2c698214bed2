// createApp(deps): global middleware, every feature's routes, one error shape. No I/O at import time.
import { Hono } from 'hono';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import type { Database } from './db/client.js';
import { authRoutes } from './features/auth/auth.routes.js';
import { createTokenService } from './features/auth/tokens.js';
import { healthRoutes } from './features/health/health.routes.js';
import type { AppEnv } from './http/app-env.js';
import { handleError, handleNotFound } from './http/error-handler.js';
import { requestContext } from './http/middleware/request-context.js';
import { corsPolicy, limitBody, securityHeaders } from './http/middleware/security.js';
import { createRateLimiter } from './http/rate-limit.js';
import { type Clock, systemClock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import { createLlmProvider } from './llm/model-factory.js';
import type { LlmProvider } from './llm/provider.js';
import { serveUi } from './ui-static.js';

export interface AppDeps {
  config: Config;
  database: Database;
  logger: Logger;
  clock?: Clock;
  /** Defaults to the provider the config describes (OpenAI, a compatible server, or the offline model). */
  llm?: LlmProvider;
}

export interface AppInstance {
  app: Hono<AppEnv>;
  ctx: AppContext;
  /** Ends what the app runs in the background (answers in flight, listeners). Bounded by `timeoutMs`. */
  close(timeoutMs?: number): Promise<void>;
}

export function createApp(deps: AppDeps): AppInstance {
  const clock = deps.clock ?? systemClock;
  const db = deps.database.db;
  const ctx: AppContext = {
    config: deps.config,
    database: deps.database,
    db,
    logger: deps.logger,
    clock,
    llm: deps.llm ?? createLlmProvider(deps.config),
    tokens: createTokenService({
      db,
      secret: deps.config.SECRET_KEY,
      expireMinutes: deps.config.ACCESS_TOKEN_EXPIRE_MINUTES,
      clock,
    }),
    rateLimiter: createRateLimiter(db, clock),
  };

  const app = new Hono<AppEnv>();
  app.use('*', requestContext(deps.logger));
  app.use('*', securityHeaders());
  app.use('/api/*', corsPolicy(deps.config.ALLOWED_ORIGINS));
  app.use('/api/*', limitBody(deps.config.BODY_LIMIT_BYTES));

  app.route('/api', healthRoutes(ctx));
  app.route('/api/auth', authRoutes(ctx));

  app.all('/api/*', handleNotFound);
  serveUi(app, deps.config);
  app.notFound(handleNotFound);
  app.onError(handleError);

  return {
    app,
    ctx,
    async close() {},
  };
}
