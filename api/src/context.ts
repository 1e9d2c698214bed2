// AppContext: what every feature is built from. Created once per app by createApp; nothing here connects at import time.
import type { Config } from './config.js';
import type { Database, Db } from './db/client.js';
import type { PgListener } from './db/listener.js';
import type { TokenService } from './features/auth/tokens.js';
import type { Metrics } from './features/metrics/metrics.js';
import type { RateLimiter } from './http/rate-limit.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import type { LlmProvider } from './llm/provider.js';

export interface AppContext {
  config: Config;
  database: Database;
  db: Db;
  logger: Logger;
  clock: Clock;
  llm: LlmProvider;
  /** The process's LISTEN connection: subscribe to a channel instead of opening another. */
  listener: PgListener;
  tokens: TokenService;
  rateLimiter: RateLimiter;
  /** This process's Prometheus metrics (GET /metrics). */
  metrics: Metrics;
}
