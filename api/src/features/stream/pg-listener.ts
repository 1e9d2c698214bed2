// A dedicated PostgreSQL connection that LISTENs on channels and reconnects when the connection drops.
import pg from 'pg';
import type { Logger } from '../../lib/logger.js';

export interface PgListener {
  /** Resolves once the first LISTEN is in place (later reconnects happen in the background). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface PgListenerOptions {
  pool: pg.Pool;
  channels: string[];
  logger: Logger;
  onNotify(channel: string, payload: string): void;
  /** Called after a reconnect: notifications sent while disconnected are lost, so followers re-read. */
  onReconnect?(): void;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

export function startPgListener(opts: PgListenerOptions): PgListener {
  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = RETRY_MIN_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  let firstReady: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => {
    firstReady = resolve;
  });
  let connectedOnce = false;

  const connect = async () => {
    if (closed) return;
    // Not a pool client: LISTEN holds its connection for the life of the process.
    const c = new pg.Client(opts.pool.options);
    client = c;
    c.on('notification', (msg) => {
      if (msg.payload !== undefined) opts.onNotify(msg.channel, msg.payload);
    });
    c.on('error', (err) => {
      opts.logger.warn({ err: { message: err.message } }, 'stream listener connection lost');
      scheduleReconnect(c);
    });
    c.on('end', () => scheduleReconnect(c));
    try {
      await c.connect();
      for (const ch of opts.channels) await c.query(`listen ${pg.escapeIdentifier(ch)}`);
      if (closed) {
        await c.end().catch(() => {});
        return;
      }
      retryMs = RETRY_MIN_MS;
      if (connectedOnce) opts.onReconnect?.();
      connectedOnce = true;
      firstReady();
    } catch (err) {
      opts.logger.warn({ err: { message: (err as Error).message } }, 'stream listener could not connect');
      scheduleReconnect(c);
    }
  };

  const scheduleReconnect = (c: pg.Client) => {
    if (closed || client !== c || retryTimer) return;
    client = undefined;
    c.end().catch(() => {});
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };

  void connect();

  return {
    ready: () => readyPromise,
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      firstReady();
      const c = client;
      client = undefined;
      if (c) await c.end().catch(() => {});
    },
  };
}
