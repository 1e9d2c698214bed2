// The process's one LISTEN connection: features subscribe to channels; it reconnects when the connection drops or
// goes silent, and tells subscribers so they re-read what a notification lost in between would have announced.
import pg from 'pg';
import type { Logger } from '../lib/logger.js';

export type NotifyHandler = (payload: string) => void;

export interface PgListener {
  /** True while LISTEN is in place; notifications can be missed while it is false. */
  readonly connected: boolean;
  /**
   * Resolves true once LISTEN is first in place, or false after `timeoutMs` (the database is away): callers decide
   * whether to go on without notifications; nothing waits for ever.
   */
  ready(timeoutMs?: number): Promise<boolean>;
  /** Subscribes to a channel (LISTEN is issued when the connection is up); returns the unsubscribe. */
  listen(channel: string, handler: NotifyHandler): () => void;
  /** Called after the connection came back, and when it is lost (`up` false). */
  onConnectionChange(cb: (up: boolean) => void): () => void;
  close(): Promise<void>;
}

export interface PgListenerOptions {
  /** Connection settings: the pool's (a LISTEN holds its own connection for the life of the process). */
  connection: pg.ClientConfig;
  logger: Logger;
  /** How often the connection proves it is alive with a query; a half-open TCP connection otherwise looks fine. */
  probeMs?: number;
  /** How long a probe may take before the connection counts as dead and is replaced. */
  probeTimeoutMs?: number;
  /**
   * How long connecting (TCP, TLS, startup) may take before it is abandoned and tried again: a database host that
   * swallows packets at first connect must not leave the process without LISTEN, nor ready() waiting, for ever.
   */
  connectTimeoutMs?: number;
}

const RETRY_MIN_MS = 100;
// At most this long between attempts, so the connection is back within a few seconds of the database.
const RETRY_MAX_MS = 2_000;
const PROBE_MS = 5_000;
const PROBE_TIMEOUT_MS = 3_000;
const CONNECT_TIMEOUT_MS = 5_000;

export function createPgListener(opts: PgListenerOptions): PgListener {
  const handlers = new Map<string, Set<NotifyHandler>>();
  const changeListeners = new Set<(up: boolean) => void>();
  let client: pg.Client | undefined;
  let up = false;
  let closed = false;
  let retryMs = RETRY_MIN_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  let resolveFirst: () => void = () => {};
  const first = new Promise<void>((r) => {
    resolveFirst = r;
  });

  const setUp = (next: boolean) => {
    if (up === next) return;
    up = next;
    for (const cb of changeListeners) {
      try {
        cb(next);
      } catch (err) {
        opts.logger.warn({ err: { message: (err as Error).message } }, 'listener subscriber failed');
      }
    }
  };

  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({
      ...opts.connection,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    });
    client = c;
    c.on('notification', (msg) => {
      if (msg.payload === undefined) return;
      for (const h of handlers.get(msg.channel) ?? []) {
        try {
          h(msg.payload);
        } catch (err) {
          opts.logger.warn({ err: { message: (err as Error).message }, channel: msg.channel }, 'notify handler failed');
        }
      }
    });
    c.on('error', (err) => {
      opts.logger.warn({ err: { message: err.message } }, 'listener connection lost');
      scheduleReconnect(c);
    });
    c.on('end', () => scheduleReconnect(c));
    try {
      await c.connect();
      for (const ch of handlers.keys()) await c.query(`listen ${pg.escapeIdentifier(ch)}`);
      if (closed || client !== c) {
        await c.end().catch(() => {});
        return;
      }
      retryMs = RETRY_MIN_MS;
      setUp(true);
      resolveFirst();
      probe(c);
    } catch (err) {
      opts.logger.warn({ err: { message: (err as Error).message } }, 'listener could not connect');
      scheduleReconnect(c);
    }
  };

  /** A query every few seconds, bounded in time: a dead peer (no FIN, no RST) is found and replaced. */
  const probe = (c: pg.Client) => {
    probeTimer = setTimeout(async () => {
      if (closed || client !== c) return;
      const timeout = setTimeout(() => {
        opts.logger.warn('listener connection silent; reconnecting');
        scheduleReconnect(c);
      }, opts.probeTimeoutMs ?? PROBE_TIMEOUT_MS);
      timeout.unref();
      try {
        await c.query('select 1');
        clearTimeout(timeout);
        probe(c);
      } catch {
        clearTimeout(timeout);
        scheduleReconnect(c);
      }
    }, opts.probeMs ?? PROBE_MS);
    probeTimer.unref();
  };

  const scheduleReconnect = (c: pg.Client) => {
    if (closed || client !== c || retryTimer) return;
    client = undefined;
    setUp(false);
    if (probeTimer) clearTimeout(probeTimer);
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
    get connected() {
      return up;
    },
    async ready(timeoutMs = 5_000) {
      if (up) return true;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((r) => {
        timer = setTimeout(() => r(false), timeoutMs);
        timer.unref();
      });
      const ok = await Promise.race([first.then(() => true as const), timedOut]);
      clearTimeout(timer);
      return ok && !closed;
    },
    listen(channel, handler) {
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        // A channel added while connected is listened to now; otherwise the next connect lists it.
        if (up && client) {
          const c = client;
          c.query(`listen ${pg.escapeIdentifier(channel)}`).catch(() => scheduleReconnect(c));
        }
      }
      set.add(handler);
      return () => set.delete(handler);
    },
    onConnectionChange(cb) {
      changeListeners.add(cb);
      return () => changeListeners.delete(cb);
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (probeTimer) clearTimeout(probeTimer);
      resolveFirst();
      const c = client;
      client = undefined;
      up = false;
      if (c) await c.end().catch(() => {});
    },
  };
}
