// The app over a real TCP port (startServer, as main.ts listens; real fetch): accounts end to end, CORS, client IP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/server.js';
import { createTestApp, type TestApp } from '../harness.js';

describe('over a real port', () => {
  let t: TestApp;
  let server: RunningServer;
  let base: string;
  beforeAll(async () => {
    // A frozen clock keeps every rate-limited call in one window, whatever minute the test starts in.
    const frozen = new Date();
    t = await createTestApp(
      { AUTH_RATE_LIMIT_PER_MINUTE: '4', ALLOWED_ORIGINS: 'https://app.example' },
      { clock: { now: () => frozen } },
    );
    server = await startServer(t.app.fetch, { port: 0, host: '127.0.0.1' });
    base = server.url;
  });
  afterAll(async () => {
    await server.close();
    await t.cleanup();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('registers, logs in, reads /me and logs out with real HTTP', async () => {
    const u = { username: 'PortUser', email: 'port@example.com', password: 'Str0ngPassword' };
    const reg = await post('/api/auth/register', u);
    expect(reg.status).toBe(201);
    expect(reg.headers.get('content-type')).toMatch(/application\/json/);
    expect(reg.headers.get('x-request-id')).toBeTruthy();
    const login = await post('/api/auth/login', { username: 'portuser', password: u.password });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    const me = await fetch(`${base}/api/auth/me`, { headers: auth });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: 'PortUser', email: 'port@example.com' });
    const out = await fetch(`${base}/api/auth/logout`, { method: 'POST', headers: auth });
    expect(out.status).toBe(200);
    const after = await fetch(`${base}/api/auth/me`, { headers: auth });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { detail: { code: string } }).detail.code).toBe('TOKEN_INVALID');
  });

  it('answers a CORS preflight for an allowed origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/api/auth/login`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    expect((await preflight('https://app.example')).headers.get('access-control-allow-origin')).toBe(
      'https://app.example',
    );
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('rate-limits by the socket address, ignoring X-Forwarded-For when TRUST_PROXY is off', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      // A different forged address each time must not buy a fresh budget.
      const res = await post(
        '/api/auth/login',
        { username: 'x', password: 'y' },
        { 'x-forwarded-for': `203.0.113.${i}` },
      );
      statuses.push(res.status);
    }
    const row = await t.database.pool.query(`select key, count from rate_limits where key like 'auth:%'`);
    expect(row.rows).toEqual([{ key: 'auth:127.0.0.1', count: expect.any(Number) }]);
    // Two earlier calls (register + login) from the first test count too: the limit is reached by now.
    expect(statuses.at(-1)).toBe(429);
    const limited = await post('/api/auth/login', { username: 'x', password: 'y' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
