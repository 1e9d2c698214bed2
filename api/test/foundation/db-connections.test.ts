// Database connections (#17.9): the pool has TCP keepalive and a statement timeout; the LISTEN connection gives up
// on a connect that hangs (so ready() answers and it tries again), and a LISTEN connection that is killed or goes
// silent (half-open) is replaced, with NOTIFY from another connection arriving again and subscribers told to re-read.
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, isDatabaseUnavailable } from '../../src/db/client.js';
import { createPgListener, type PgListener } from '../../src/db/listener.js';
import { createLogger } from '../../src/lib/logger.js';
import { createTestDatabase, type TestDatabase } from '../harness.js';
import { waitFor } from '../stream/stream-helpers.js';

const logger = createLogger('silent');
let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => tdb?.drop());

/** A TCP proxy to the test database whose open connections can be frozen: kept open, nothing forwarded. */
async function startProxy(target: URL) {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; frozen: boolean }>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(Number(target.port), target.hostname);
    const pair = { client, upstream, frozen: false };
    pairs.add(pair);
    client.on('data', (d) => {
      if (!pair.frozen) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!pair.frozen) client.write(d);
    });
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const url = new URL(target.toString());
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    accepted: () => accepted,
    /** Every connection open now goes silent (a peer gone without FIN or RST); new ones work. */
    freezeAll() {
      for (const p of pairs) p.frozen = true;
    },
    async close() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A NOTIFY as another process would send it: its own connection. */
async function notifyFromElsewhere(url: string, channel: string, payload: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('select pg_notify($1, $2)', [channel, payload]);
  } finally {
    await c.end();
  }
}

function collect(listener: PgListener, channel: string) {
  const got: string[] = [];
  listener.listen(channel, (p) => got.push(p));
  const changes: boolean[] = [];
  listener.onConnectionChange((up) => changes.push(up));
  return { got, changes };
}

describe('the pool', () => {
  it('keeps TCP keepalive on and ends a statement past its timeout as "database unavailable" (503)', async () => {
    const database = connectDatabase(tdb.url, { max: 2, statementTimeoutMs: 200 });
    try {
      expect(database.pool.options.keepAlive).toBe(true);
      const shown = await database.pool.query<{ statement_timeout: string }>('show statement_timeout');
      expect(shown.rows[0]!.statement_timeout).toBe('200ms');
      const started = Date.now();
      const err = await database.pool.query('select pg_sleep(5)').catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect((err as { code?: string }).code).toBe('57014');
      expect(isDatabaseUnavailable(err)).toBe(true);
      // The connection is still good.
      expect((await database.pool.query('select 1 as ok')).rows[0].ok).toBe(1);
    } finally {
      await database.close();
    }
  });

  it('has the default statement timeout when none is given', async () => {
    const database = connectDatabase(tdb.url, { max: 1 });
    try {
      const shown = await database.pool.query<{ statement_timeout: string }>('show statement_timeout');
      expect(shown.rows[0]!.statement_timeout).toBe('1min');
    } finally {
      await database.close();
    }
  });
});

describe('the LISTEN connection', () => {
  it('does not hang on a database that accepts TCP but never answers: ready() says false, it keeps trying', async () => {
    let attempts = 0;
    const silent = net.createServer(() => {
      attempts++; // accepted, never answered
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as net.AddressInfo).port;
    const listener = createPgListener({
      connection: { host: '127.0.0.1', port, user: 'x', password: 'y', database: 'z' },
      logger,
      connectTimeoutMs: 200,
    });
    try {
      const started = Date.now();
      expect(await listener.ready(1_000)).toBe(false);
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(listener.connected).toBe(false);
      // Abandoned and tried again, rather than one connect waiting for ever.
      await waitFor(() => attempts >= 2, 3_000, 'a second connection attempt');
    } finally {
      await listener.close();
      silent.close();
    }
  });

  it('reconnects after its backend is terminated, and NOTIFY from another connection arrives again', async () => {
    const listener = createPgListener({
      connection: { connectionString: tdb.url, application_name: 'listen-under-test' },
      logger,
    });
    const { got, changes } = collect(listener, 'hardening_test');
    try {
      expect(await listener.ready(5_000)).toBe(true);
      changes.length = 0; // the first connect's own `true`
      await notifyFromElsewhere(tdb.url, 'hardening_test', 'before');
      await waitFor(() => got.includes('before'), 5_000, 'the first notification');

      const admin = new pg.Client({ connectionString: tdb.url });
      await admin.connect();
      const killed = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'listen-under-test'",
      );
      await admin.end();
      expect(killed.rowCount).toBe(1);

      // Told it was lost, then back (subscribers re-read what they may have missed).
      await waitFor(() => changes.join() === 'false,true', 5_000, 'the listener back');
      expect(listener.connected).toBe(true);
      await notifyFromElsewhere(tdb.url, 'hardening_test', 'after');
      await waitFor(() => got.includes('after'), 5_000, 'a notification after the reconnect');
    } finally {
      await listener.close();
    }
  });

  it('finds a half-open LISTEN connection (silent, never closed) by its probe and replaces it', async () => {
    const proxy = await startProxy(new URL(tdb.url));
    const listener = createPgListener({
      connection: { connectionString: proxy.url },
      logger,
      probeMs: 150,
      probeTimeoutMs: 300,
    });
    const { got, changes } = collect(listener, 'hardening_half_open');
    try {
      expect(await listener.ready(5_000)).toBe(true);
      expect(proxy.accepted()).toBe(1);
      changes.length = 0; // the first connect's own `true`
      proxy.freezeAll();
      // A NOTIFY now is lost on the frozen connection: the reconnect is what tells subscribers to re-read.
      await notifyFromElsewhere(tdb.url, 'hardening_half_open', 'lost');
      await waitFor(() => changes.join() === 'false,true', 5_000, 'a new LISTEN connection');
      expect(proxy.accepted()).toBe(2);
      await notifyFromElsewhere(tdb.url, 'hardening_half_open', 'after');
      await waitFor(() => got.includes('after'), 5_000, 'a notification on the new connection');
      expect(got).not.toContain('lost');
    } finally {
      await listener.close();
      await proxy.close();
    }
  });
});
