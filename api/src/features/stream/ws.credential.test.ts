// A WebSocket does not outlive its credential (real sockets, real app, real database): logout here or on another
// process, a revocation from a second token service and expiry close it with 1008; frames after that are refused;
// sockets per user are capped and frames per socket throttled without costing database queries.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUser } from '../../../test/fixtures.js';
import { call, createAppWithModel, type TestAppWithModel } from '../../../test/harness.js';
import {
  createSession,
  messageRows,
  type Served,
  serveApp,
  WsClient,
  waitFor,
} from '../../../test/stream/stream-helpers.js';
import { type AppInstance, createApp } from '../../app.js';
import { connectDatabase, type Database } from '../../db/client.js';
import { createLogger } from '../../lib/logger.js';
import { createTokenService } from '../auth/tokens.js';
import { DEFAULT_WS_LIMITS, WS_CLOSE } from './socket-registry.js';

let t: TestAppWithModel;
let served: Served;
let bDb: Database;
let b: AppInstance;
/** The test app's clock runs this far ahead of real time (to reach a token's expiry). */
let clockAhead = 0;

const wsUrl = (sessionId: number, token: string) =>
  `${served.wsUrl}/api/chat/ws/${sessionId}?token=${encodeURIComponent(token)}`;

async function openFor(username: string) {
  const u = await seedUser(t, username);
  const sessionId = await createSession(t, u.id);
  const ws = await WsClient.open(wsUrl(sessionId, u.token));
  return { u, sessionId, ws };
}

/** Resolves with the close and how long it took from `since`. */
async function closedWithin(ws: WsClient, since: number, timeoutMs = 2_000) {
  const closed = await waitFor(() => ws.closed, timeoutMs, 'the socket to close');
  return { ...closed, ms: Date.now() - since };
}

beforeAll(async () => {
  t = await createAppWithModel(
    { reply: 'fine', chunkDelayMs: 5 },
    { OPENAI_API_KEY: 'test' },
    { clock: { now: () => new Date(Date.now() + clockAhead) } },
  );
  served = await serveApp(t);
  // A second API process on the same database: its own pool, LISTEN connection and token service.
  bDb = connectDatabase(t.url, { max: 3 });
  b = createApp({ config: t.config, database: bDb, logger: createLogger('silent') });
  await b.ctx.listener.ready();
  await t.ctx.listener.ready();
});

afterAll(async () => {
  await served?.close();
  await b?.close(1_000);
  await bDb?.close();
  await t?.cleanup();
});

describe('a socket whose credential ends', () => {
  it('closes with 1008 within a second of a logout on the same process, telling the client why', async () => {
    const { u, ws } = await openFor('wsc_logout');
    const since = Date.now();
    expect((await call(t.app, 'POST', '/api/auth/logout', { token: u.token })).status).toBe(200);
    const closed = await closedWithin(ws, since);
    expect(closed).toMatchObject({ code: WS_CLOSE.POLICY_VIOLATION, reason: 'token revoked' });
    expect(closed.ms).toBeLessThan(1_000);
    expect(await ws.next()).toMatchObject({ type: 'error', code: 'TOKEN_INVALID' });
  });

  it('closes with 1008 within a second of a logout on another process', async () => {
    const { u, ws } = await openFor('wsc_remote');
    const since = Date.now();
    expect((await call(b.app, 'POST', '/api/auth/logout', { token: u.token })).status).toBe(200);
    const closed = await closedWithin(ws, since);
    expect(closed.code).toBe(1008);
    expect(closed.ms).toBeLessThan(1_000);
  });

  it('closes with 1008 on a revocation published by a second token service (an account disabled)', async () => {
    const { u, ws } = await openFor('wsc_disabled');
    const other = await openFor('wsc_bystander');
    const tokens = createTokenService({
      db: b.ctx.db,
      secret: t.config.SECRET_KEY!,
      expireMinutes: 30,
      clock: { now: () => new Date() },
    });
    const since = Date.now();
    await tokens.publish({ scope: 'user', userId: u.id });
    const closed = await closedWithin(ws, since);
    expect(closed.code).toBe(1008);
    expect(closed.ms).toBeLessThan(1_000);
    // A revocation ends the sockets of the credential it names, no others.
    other.ws.send({ type: 'resume', after: 0 });
    expect(await other.ws.next()).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
    expect(other.ws.closed).toBeUndefined();
    other.ws.close();
  });

  it('closes within a second when an admin disables the account through the console API on another process', async () => {
    const { u, ws } = await openFor('wsc_admin_disabled');
    const admin = await seedUser(t, 'wsc_the_admin');
    await t.ctx.db.execute(sql`update users set role = 'admin' where id = ${admin.id}`);
    const since = Date.now();
    const res = await call(b.app, 'PATCH', `/api/admin/users/${u.id}`, {
      token: admin.token,
      body: { isActive: false },
    });
    expect(res.status).toBe(200);
    const closed = await closedWithin(ws, since);
    expect(closed.code).toBe(WS_CLOSE.POLICY_VIOLATION);
    expect(closed.ms).toBeLessThan(1_000);
    // And the account's token is refused on REST at once, on both processes.
    for (const app of [t.app, b.app]) {
      expect((await call(app, 'GET', '/api/chat/sessions', { token: u.token })).status).toBe(401);
    }
  });

  it('closes at the token’s expiry with 1008 and TOKEN_EXPIRED', async () => {
    const { ws } = await openFor('wsc_expiry');
    try {
      // Access tokens live ACCESS_TOKEN_EXPIRE_MINUTES (30): move the clock past that.
      clockAhead = 30 * 60_000 + 1_000;
      const since = Date.now();
      const closed = await closedWithin(ws, since);
      expect(closed).toMatchObject({ code: 1008, reason: 'token expired' });
      expect(closed.ms).toBeLessThan(1_000);
      expect(await ws.next()).toMatchObject({ type: 'error', code: 'TOKEN_EXPIRED' });
    } finally {
      clockAhead = 0;
    }
  });

  it('refuses a frame that comes after the credential ended, before anything is stored', async () => {
    const { sessionId, ws } = await openFor('wsc_frame');
    try {
      clockAhead = 30 * 60_000 + 1_000;
      // Sent at once: the frame's own check refuses it even before the expiry sweep gets to the socket.
      ws.send({ type: 'message', content: 'too late' });
      const closed = await closedWithin(ws, Date.now());
      expect(closed.code).toBe(1008);
    } finally {
      clockAhead = 0;
    }
    expect(await ws.next()).toMatchObject({ type: 'error', code: 'TOKEN_EXPIRED' });
    expect(await messageRows(t, sessionId)).toEqual([]);
  });

  it('drops the frames still in flight when a logout closes the socket', async () => {
    const { u, sessionId, ws } = await openFor('wsc_inflight');
    await t.ctx.tokens.revoke(await t.ctx.tokens.authenticate(u.token));
    for (let i = 0; i < 5; i++) ws.send({ type: 'message', content: `after logout ${i}` });
    expect((await closedWithin(ws, Date.now())).code).toBe(1008);
    await new Promise((r) => setTimeout(r, 100));
    expect(await messageRows(t, sessionId)).toEqual([]);
  });
});

describe('limits', () => {
  it(`caps sockets per user at ${DEFAULT_WS_LIMITS.maxSocketsPerUser}: the next one gets LIMIT_REACHED and 1013`, async () => {
    const u = await seedUser(t, 'wsc_many');
    const sessionId = await createSession(t, u.id);
    const open = await Promise.all(
      Array.from({ length: DEFAULT_WS_LIMITS.maxSocketsPerUser }, () => WsClient.open(wsUrl(sessionId, u.token))),
    );
    const extra = await WsClient.open(wsUrl(sessionId, u.token));
    expect(await extra.next()).toMatchObject({ type: 'error', code: 'LIMIT_REACHED' });
    expect((await closedWithin(extra, Date.now())).code).toBe(WS_CLOSE.TRY_AGAIN_LATER);
    // Another user is not affected; and once one socket closes, there is room again.
    const other = await openFor('wsc_other_user');
    expect(other.ws.closed).toBeUndefined();
    open[0]!.close();
    await waitFor(() => open[0]!.closed, 1_000, 'the close');
    await new Promise((r) => setTimeout(r, 50));
    const again = await WsClient.open(wsUrl(sessionId, u.token));
    again.send({ type: 'resume', after: 0 });
    expect(await again.next()).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
    for (const ws of [...open, again, other.ws]) ws.close();
  });

  it('throttles frames per socket: the excess gets RATE_LIMITED and costs no database query', async () => {
    const { ws } = await openFor('wsc_flood');
    const pool = t.database.pool;
    const query = pool.query.bind(pool);
    let queries = 0;
    // Counts the queries the real pool runs (each accepted `resume` reads the database twice).
    pool.query = ((...args: Parameters<typeof query>) => {
      queries++;
      return query(...args);
    }) as typeof pool.query;
    try {
      const sent = 100;
      for (let i = 0; i < sent; i++) ws.send({ type: 'resume', after: 0 });
      const replies = [];
      for (let i = 0; i < sent; i++) replies.push(await ws.next());
      const limited = replies.filter((m) => m.type === 'error' && m.code === 'RATE_LIMITED').length;
      const accepted = sent - limited;
      expect(accepted).toBeGreaterThanOrEqual(DEFAULT_WS_LIMITS.frameBurst);
      expect(accepted).toBeLessThan(DEFAULT_WS_LIMITS.frameBurst + 10);
      // (A few more at most: the recovery sweep may run meanwhile.)
      expect(queries).toBeLessThanOrEqual(accepted * 2 + 4);
      // The bucket refills: after a pause, frames are served again, on the same socket.
      await new Promise((r) => setTimeout(r, 300));
      ws.send({ type: 'resume', after: 0 });
      expect(await ws.next()).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
      expect(ws.closed).toBeUndefined();
    } finally {
      pool.query = query as typeof pool.query;
      ws.close();
    }
  });
});
