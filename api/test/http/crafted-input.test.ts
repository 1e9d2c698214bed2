// Crafted input that used to reach a 500 (#17.13): every value PostgreSQL cannot take is a 4xx naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUser } from '../fixtures.js';
import { call, createTestApp, type TestApp } from '../harness.js';

let t: TestApp;
let user: { id: number; token: string };
beforeAll(async () => {
  t = await createTestApp();
  user = await seedUser(t, 'crafty');
});
afterAll(async () => t?.cleanup());

const at = '2026-02-01T08:00:00.000Z';
const fileWith = (over: { createdAt?: string; updatedAt?: string; messageAt?: string; exportedAt?: string }) => ({
  version: 1,
  exportedAt: over.exportedAt ?? at,
  sessions: [
    {
      title: 'Dates',
      createdAt: over.createdAt ?? at,
      updatedAt: over.updatedAt ?? at,
      messages: [{ role: 'user', content: 'hi', status: 'complete', createdAt: over.messageAt ?? at }],
    },
  ],
});

describe('crafted input is a 4xx, never a 500', () => {
  it.each([
    ['year 0', { createdAt: '0000-01-01T00:00:00Z' }, 'sessions.0.createdAt'],
    ['year 0 on a message', { messageAt: '0000-01-01T00:00:00Z' }, 'sessions.0.messages.0.createdAt'],
    ['before 1970', { updatedAt: '1969-12-31T23:59:59Z' }, 'sessions.0.updatedAt'],
    ['year 10000 by an offset', { createdAt: '9999-12-31T23:00:00-02:00' }, 'sessions.0.createdAt'],
  ])('import with a date PostgreSQL cannot keep (%s): 400 naming the field', async (_name, over, field) => {
    const res = await call(t.app, 'POST', '/api/import', { token: user.token, body: fileWith(over) });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field });
  });

  it('imports the edges of the accepted range', async () => {
    const res = await call(t.app, 'POST', '/api/import', {
      token: user.token,
      body: fileWith({ createdAt: '1970-01-01T00:00:00Z', updatedAt: '9999-12-31T23:59:59.999Z' }),
    });
    expect(res.status).toBe(201);
  });

  it.each(['%00', 'a%00b', '%00%00%00'])('GET /api/chat/search?q=%s: 400 naming q', async (q) => {
    const res = await call(t.app, 'GET', `/api/chat/search?q=${q}`, { token: user.token });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'q' });
  });

  it('GET /api/chat/search with bytes that are not UTF-8: not a 500', async () => {
    const res = await call(t.app, 'GET', '/api/chat/search?q=%ED%A0%80%FF', { token: user.token });
    expect(res.status).toBeLessThan(500);
  });

  it.each([
    ['/api/keys', { name: 'k', expiresAt: '0000-01-01T00:00:00Z' }],
    ['/api/keys', { name: 'k', expiresAt: '+275760-09-13T00:00:00Z' }],
    ['/api/keys', { name: 'k', expiresAt: '9999-12-31T23:00:00-05:00' }],
  ])('POST %s with a date out of range: 400', async (path, body) => {
    const res = await call(t.app, 'POST', path, { token: user.token, body });
    expect(res.status).toBe(400);
  });

  it.each(['/api/me/usage?from=0000-01-01&to=0000-01-02', '/api/me/usage?from=0000-01-01'])(
    'GET %s: 400',
    async (path) => {
      const res = await call(t.app, 'GET', path, { token: user.token });
      expect(res.status).toBe(400);
      expect(res.body.detail.code).toBe('VALIDATION_ERROR');
    },
  );

  it.each(['from=0000-01-01', 'to=0000-06-01T00:00:00Z'])('GET /api/admin/audit?%s: 400', async (query) => {
    const admin = await seedUser(t, `crafty_admin_${query.length}`);
    await t.database.pool.query("update users set role = 'admin' where id = $1", [admin.id]);
    const res = await call(t.app, 'GET', `/api/admin/audit?${query}`, { token: admin.token });
    expect(res.status).toBe(400);
    expect(res.body.detail.code).toBe('VALIDATION_ERROR');
  });
});
