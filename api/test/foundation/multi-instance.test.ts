// Two API instances on one database behave as one: logout, revocation and rate limits hold across them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AppInstance, createApp } from '../../src/app.js';
import type { Database } from '../../src/db/client.js';
import { createLogger } from '../../src/lib/logger.js';
import { call, createTestDatabase, testConfig } from '../harness.js';

describe('two app instances on one database', () => {
  let db: { database: Database; drop(): Promise<void> };
  let a: AppInstance;
  let b: AppInstance;
  beforeAll(async () => {
    db = await createTestDatabase();
    const config = testConfig({ AUTH_RATE_LIMIT_PER_MINUTE: '3' });
    const logger = createLogger('silent');
    // Frozen at the start, so the rate-limit counts never straddle a minute boundary.
    const frozen = new Date();
    const clock = { now: () => frozen };
    a = createApp({ config, database: db.database, logger, clock });
    b = createApp({ config, database: db.database, logger, clock });
  });
  // Each test gets the whole per-IP budget ("unknown" under app.request), whatever the others spent.
  beforeEach(async () => {
    await db.database.pool.query('delete from rate_limits');
  });
  afterAll(async () => {
    await a.close(1000);
    await b.close(1000);
    await db.drop();
  });

  it('refuses on instance B a token logged out on instance A', async () => {
    const u = { username: 'twin', email: 'twin@example.com', password: 'Str0ngPassword' };
    expect((await call(a.app, 'POST', '/api/auth/register', { body: u })).status).toBe(201);
    const login = await call(b.app, 'POST', '/api/auth/login', { body: u });
    const token = login.body.accessToken as string;
    expect((await call(a.app, 'GET', '/api/auth/me', { token })).status).toBe(200);
    expect((await call(b.app, 'GET', '/api/auth/me', { token })).status).toBe(200);
    expect((await call(a.app, 'POST', '/api/auth/logout', { token })).status).toBe(200);
    const refused = await call(b.app, 'GET', '/api/auth/me', { token });
    expect(refused.status).toBe(401);
    expect(refused.body.detail.code).toBe('TOKEN_INVALID');
  });

  it('keeps refusing a revoked token on an instance built after the logout (a restart)', async () => {
    const u = { username: 'restart', email: 'restart@example.com', password: 'Str0ngPassword' };
    await call(a.app, 'POST', '/api/auth/register', { body: u });
    const token = (await call(a.app, 'POST', '/api/auth/login', { body: u })).body.accessToken as string;
    await call(a.app, 'POST', '/api/auth/logout', { token });
    const fresh = createApp({ config: testConfig(), database: db.database, logger: createLogger('silent') });
    expect((await call(fresh.app, 'GET', '/api/auth/me', { token })).body.detail.code).toBe('TOKEN_INVALID');
    await fresh.close(1000);
  });

  it('shares the auth rate limit: the budget spent on A is gone on B', async () => {
    const bad = { username: 'nobody', password: 'Wr0ngPassword' };
    expect((await call(a.app, 'POST', '/api/auth/login', { body: bad })).status).toBe(401);
    expect((await call(b.app, 'POST', '/api/auth/login', { body: bad })).status).toBe(401);
    expect((await call(a.app, 'POST', '/api/auth/login', { body: bad })).status).toBe(401);
    const limited = await call(b.app, 'POST', '/api/auth/login', { body: bad });
    expect(limited.status).toBe(429);
    expect(limited.body.detail.code).toBe('RATE_LIMITED');
  });

  it('answers a registration race across instances with one 201 and one 409', async () => {
    const u = { username: 'racer', email: 'racer@example.com', password: 'Str0ngPassword' };
    const [x, y] = await Promise.all([
      call(a.app, 'POST', '/api/auth/register', { body: u }),
      call(b.app, 'POST', '/api/auth/register', { body: u }),
    ]);
    expect([x.status, y.status].sort()).toEqual([201, 409]);
  });
});
