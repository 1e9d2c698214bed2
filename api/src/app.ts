// createApp(deps): global middleware, every feature's routes, one error shape. No I/O at import time.
import { Hono } from 'hono';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import type { Database } from './db/client.js';
import { createPgListener } from './db/listener.js';
import { adminRoutes } from './features/admin/admin.routes.js';
import { authRoutes } from './features/auth/auth.routes.js';
import { createTokenService } from './features/auth/tokens.js';
import { chatRoutes } from './features/chat/chat.routes.js';
import { createChatService } from './features/chat/chat.service.js';
import { docsRoutes } from './features/docs/docs.routes.js';
import { createEmbedder } from './features/files/embeddings.js';
import { createFilesRepo } from './features/files/files.repo.js';
import { filesRoutes, UPLOAD_PATH } from './features/files/files.routes.js';
import { FileWorker } from './features/files/ingest.worker.js';
import { healthRoutes } from './features/health/health.routes.js';
import { keysRoutes } from './features/keys/keys.routes.js';
import { createMetrics } from './features/metrics/metrics.js';
import { httpMetrics, metricsRoutes } from './features/metrics/metrics.routes.js';
import { modelsRoutes } from './features/models/models.routes.js';
import { searchRoutes } from './features/search/search.routes.js';
import { createGenerationManager, type GenerationManager } from './features/stream/generation.manager.js';
import { SocketRegistry } from './features/stream/socket-registry.js';
import { sseRoutes } from './features/stream/sse.routes.js';
import { wsRoutes } from './features/stream/ws.routes.js';
import { IMPORT_PATH, transferRoutes } from './features/transfer/transfer.routes.js';
import { usageRoutes } from './features/usage/usage.routes.js';
import { createUsageService } from './features/usage/usage.service.js';
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

/** How often each process completes ledger rows of answers whose process died. */
const LEDGER_SWEEP_MS = 60_000;

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
  /** The answers this process is generating (stop, resume, recovery sweep). */
  generations: GenerationManager;
}

export function createApp(deps: AppDeps): AppInstance {
  const clock = deps.clock ?? systemClock;
  const db = deps.database.db;
  // The process's one LISTEN connection (revocations; answers in progress elsewhere), opened in the background.
  const listener = createPgListener({ connection: deps.database.pool.options, logger: deps.logger });
  const ctx: AppContext = {
    config: deps.config,
    database: deps.database,
    db,
    logger: deps.logger,
    clock,
    llm: deps.llm ?? createLlmProvider(deps.config),
    listener,
    tokens: createTokenService({
      db,
      secret: deps.config.SECRET_KEY,
      expireMinutes: deps.config.ACCESS_TOKEN_EXPIRE_MINUTES,
      clock,
      listener,
      logger: deps.logger,
    }),
    rateLimiter: createRateLimiter(db, clock),
    metrics: createMetrics({ pool: deps.database.pool }),
  };

  const app = new Hono<AppEnv>();
  app.use('*', requestContext(deps.logger));
  app.use('*', httpMetrics(ctx.metrics));
  app.use('*', securityHeaders());
  app.use('/api/*', corsPolicy(deps.config.ALLOWED_ORIGINS));
  // POST /api/import and POST /api/files apply their own, larger limits (IMPORT_MAX_BYTES, FILE_MAX_BYTES).
  app.use('/api/*', limitBody(deps.config.BODY_LIMIT_BYTES, [IMPORT_PATH, UPLOAD_PATH]));

  app.route('/', healthRoutes(ctx));
  // GET /metrics: Prometheus, outside /api (not in the OpenAPI document, not behind nginx's /api location).
  app.route('/', metricsRoutes(ctx));
  app.route('/', authRoutes(ctx));
  app.route('/', docsRoutes(ctx));
  app.route('/', keysRoutes(ctx));

  app.route('/', modelsRoutes(ctx));
  app.route('/', searchRoutes(ctx));
  app.route('/', transferRoutes(ctx));
  app.route('/', adminRoutes(ctx));
  app.route('/', filesRoutes(ctx));
  // Ingestion of uploaded documents, off the request path: whichever process claims a job does it.
  const fileWorker = new FileWorker({
    repo: createFilesRepo(db),
    logger: deps.logger.child({ component: 'file-worker' }),
    embedder: createEmbedder(deps.config),
    listener,
  }).start();
  const usage = createUsageService(ctx);
  app.route('/', usageRoutes(ctx, usage));
  // Ledger rows of answers a dead process left behind are completed once the recovery sweep has stored the answer.
  const ledgerSweep = setInterval(() => {
    usage.reconcileOrphans().catch((err) => {
      deps.logger.warn({ err: { message: (err as Error).message } }, 'usage ledger sweep failed');
    });
  }, LEDGER_SWEEP_MS);
  ledgerSweep.unref();

  // Streaming first: its routes answer before any middleware the chat sub-app adds on /api/chat/*.
  const chat = createChatService(ctx);
  const generations = createGenerationManager(ctx, chat);
  ctx.metrics.track('answersInFlight', () => generations.activeCount);
  // Open WebSockets: closed when their credential ends (on any process), capped per user, frames throttled.
  const sockets = new SocketRegistry({ tokens: ctx.tokens, listener, clock, logger: deps.logger });
  ctx.metrics.track('websocketsOpen', () => sockets.size);
  app.route('/', sseRoutes(ctx, chat, generations));
  app.route('/', wsRoutes(ctx, chat, generations, sockets));
  app.route('/', chatRoutes(ctx, chat, generations));
  app.all('/api/*', handleNotFound);
  serveUi(app, deps.config);
  app.notFound(handleNotFound);
  app.onError(handleError);

  return {
    app,
    ctx,
    generations,
    async close(timeoutMs = deps.config.SHUTDOWN_TIMEOUT_MS) {
      clearInterval(ledgerSweep);
      await fileWorker.close(Math.min(timeoutMs, 5_000));
      // Answers in flight finish or are stored as 'stopped' within the bound; none is left 'streaming'.
      await generations.close(timeoutMs);
      sockets.close();
      await listener.close();
    },
  };
}
