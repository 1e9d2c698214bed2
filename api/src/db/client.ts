// The pg Pool and the drizzle instance over it; also how a database error is recognised as "database away".
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Logger } from '../lib/logger.js';
import * as schema from './schema/index.js';

/** With its pool (`$client`): a statement drizzle cannot name (a prepared raw query) goes to the pool directly. */
export type Db = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export interface Database {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * How long a query may wait for a pooled connection (or for a new one to connect) before it fails as "database
 * away" (503). Generous on purpose: a burst (hundreds of answers starting at once) queues and is served in turn,
 * while a database that is really down refuses connections at once and fails fast anyway.
 */
const POOL_WAIT_MS = 30_000;

/** DB_STATEMENT_TIMEOUT_MS's default: no statement of a request or an answer runs anywhere near this long. */
export const STATEMENT_TIMEOUT_MS = 60_000;
/** TCP keepalive probes start after this much silence (the OS then finds a dead peer instead of waiting for ever). */
export const KEEPALIVE_DELAY_MS = 10_000;

export interface ConnectOptions {
  max?: number;
  logger?: Logger;
  connectionTimeoutMs?: number;
  /**
   * The server ends a statement running longer than this (57014, a 500 for that request, the connection kept);
   * also a transaction left idle this long. 0: no limit (migrations, which may rewrite a big table).
   */
  statementTimeoutMs?: number;
}

export function connectDatabase(url: string, opts: ConnectOptions = {}): Database {
  const statementTimeout = opts.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? POOL_WAIT_MS,
    idleTimeoutMillis: 30_000,
    // A half-open connection (the server's host gone without a FIN) is found by the OS, not kept for ever.
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    ...(statementTimeout > 0
      ? { statement_timeout: statementTimeout, idle_in_transaction_session_timeout: statementTimeout }
      : {}),
  });
  // An idle client losing its server emits 'error' on the pool; unhandled, that would kill the process.
  pool.on('error', (err) => opts.logger?.warn({ err: { message: err.message } }, 'idle database connection lost'));
  const db = drizzle(pool, { schema });
  let closed = false;
  return {
    db,
    pool,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '53300', // too_many_connections
  '57014', // query_canceled: statement_timeout (DB_STATEMENT_TIMEOUT_MS) — the database too slow, not a bug
]);

/** The pg (or network) error inside whatever wrapped it (drizzle wraps query errors). */
export function rootDbError(err: unknown): { code?: string; constraint?: string; message?: string } | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const e = cur as { code?: unknown; constraint?: unknown; message?: unknown; cause?: unknown };
    if (typeof e.code === 'string') {
      return {
        code: e.code,
        constraint: typeof e.constraint === 'string' ? e.constraint : undefined,
        message: typeof e.message === 'string' ? e.message : undefined,
      };
    }
    cur = e.cause;
  }
  return undefined;
}

export function isDatabaseUnavailable(err: unknown): boolean {
  const root = rootDbError(err);
  if (root?.code && UNAVAILABLE_CODES.has(root.code)) return true;
  const msg = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i.test(
    msg,
  );
}
