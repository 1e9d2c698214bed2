// Refresh tokens, logout and devices over app.request() on a fresh PostgreSQL database: the cookie, rotation, theft
// (a spent token presented again ends the whole login), logout, the list of devices, revoking one, and everywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../../../test/harness.js';

let seq = 0;
function newUser(prefix = 'refresh') {
  seq += 1;
  const name = `${prefix}_${process.pid}_${seq}`;
  return { username: name, email: `${name}@example.com`, password: 'Str0ngPassword' };
}

/** The `chatbot_refresh` cookie set by a response, with its attributes. */
function refreshCookie(headers: Headers): { value: string; attrs: string[] } | undefined {
  const raw = headers.getSetCookie().find((c) => c.startsWith('chatbot_refresh='));
  if (!raw) return undefined;
  const [pair, ...attrs] = raw.split(';').map((s) => s.trim());
  return { value: decodeURIComponent(pair!.slice('chatbot_refresh='.length)), attrs };
}

describe('refresh tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.cleanup());

  async function account(u = newUser()) {
    expect((await call(t.app, 'POST', '/api/auth/register', { body: u })).status).toBe(201);
    return u;
  }
  async function login(u: { username: string; password: string }, headers: Record<string, string> = {}) {
    const res = await call(t.app, 'POST', '/api/auth/login', {
      body: { username: u.username, password: u.password, returnRefreshToken: true },
      headers,
    });
    expect(res.status).toBe(200);
    return { access: res.body.accessToken as string, refresh: res.body.refreshToken as string, res };
  }
  const me = (token: string) => call(t.app, 'GET', '/api/auth/me', { token });
  const refreshBody = (refreshToken: string) => call(t.app, 'POST', '/api/auth/refresh', { body: { refreshToken } });

  it('login sets an HttpOnly, SameSite=Strict cookie on /api/auth, not Secure over plain HTTP', async () => {
    const u = await account();
    const res = await call(t.app, 'POST', '/api/auth/login', { body: { username: u.username, password: u.password } });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('refreshToken');
    const cookie = refreshCookie(res.headers);
    expect(cookie?.value).toMatch(/^[\w-]{40,}$/);
    expect(cookie?.attrs).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/api/auth']));
    expect(cookie?.attrs.some((a) => /^Max-Age=\d+$/.test(a))).toBe(true);
    expect(cookie?.attrs).not.toContain('Secure');
  });

  it('marks the cookie Secure over TLS', async () => {
    const u = await account();
    const res = await t.app.request('https://chat.example.com/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: u.username, password: u.password }),
    });
    expect(res.status).toBe(200);
    expect(refreshCookie(res.headers)?.attrs).toContain('Secure');
  });

  it('ignores X-Forwarded-Proto without TRUST_PROXY', async () => {
    const u = await account();
    const { res } = await login(u, { 'x-forwarded-proto': 'https' });
    expect(refreshCookie(res.headers)?.attrs).not.toContain('Secure');
  });

  it('stores only a hash of the refresh token', async () => {
    const u = await account();
    const { refresh } = await login(u);
    const rows = await t.database.pool.query('select token_hash from refresh_tokens');
    const hashes = rows.rows.map((r: { token_hash: string }) => r.token_hash);
    expect(hashes.length).toBeGreaterThan(0);
    expect(hashes).not.toContain(refresh);
    expect(hashes.every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
  });

  it('rotates: a body refresh gives a working access token and the next refresh token', async () => {
    const u = await account();
    const first = await login(u);
    const res = await refreshBody(first.refresh);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      tokenType: 'Bearer',
      expiresIn: 30 * 60,
      refreshToken: expect.stringMatching(/^[\w-]{40,}$/),
    });
    expect(res.body.refreshToken).not.toBe(first.refresh);
    expect((await me(res.body.accessToken)).status).toBe(200);
    // The same login (device): the list does not grow.
    const devices = await call(t.app, 'GET', '/api/auth/sessions', { token: res.body.accessToken });
    expect(devices.body.sessions).toHaveLength(1);
    // And the next one works in turn.
    expect((await refreshBody(res.body.refreshToken)).status).toBe(200);
  });

  it('rotates by the cookie alone (no body): a new cookie, no refreshToken in the body', async () => {
    const u = await account();
    const first = await login(u);
    const res = await call(t.app, 'POST', '/api/auth/refresh', {
      headers: { cookie: `chatbot_refresh=${first.refresh}` },
    });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('refreshToken');
    const next = refreshCookie(res.headers);
    expect(next?.value).toBeTruthy();
    expect(next?.value).not.toBe(first.refresh);
    expect(next?.attrs).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/api/auth']));
    expect((await me(res.body.accessToken)).status).toBe(200);
  });

  it('treats a spent token presented again as theft: 401 TOKEN_INVALID and the whole login ends', async () => {
    const u = await account();
    const victim = await login(u);
    const otherDevice = await login(u);
    const rotated = await refreshBody(victim.refresh);
    expect(rotated.status).toBe(200);

    const replay = await refreshBody(victim.refresh);
    expect(replay.status).toBe(401);
    expect(replay.body.detail.code).toBe('TOKEN_INVALID');
    // Every token of that login: the first access token, the rotated one, the next refresh token.
    expect((await me(victim.access)).status).toBe(401);
    expect((await me(rotated.body.accessToken)).status).toBe(401);
    expect((await refreshBody(rotated.body.refreshToken)).status).toBe(401);
    // Another login of the same user is untouched.
    expect((await me(otherDevice.access)).status).toBe(200);
    expect((await refreshBody(otherDevice.refresh)).status).toBe(200);
    const ended = await t.database.pool.query(
      "select count(*)::int as n from auth_sessions where revoked_reason = 'refresh_reuse'",
    );
    expect(ended.rows[0].n).toBe(1);
  });

  it('lets exactly one of two racing refreshes with the same token through', async () => {
    const u = await account();
    const { refresh } = await login(u);
    const results = await Promise.all([refreshBody(refresh), refreshBody(refresh)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('refuses an unknown, malformed or missing refresh token with 401 / 400', async () => {
    const unknown = await refreshBody('x'.repeat(43));
    expect(unknown.status).toBe(401);
    expect(unknown.body.detail.code).toBe('TOKEN_INVALID');
    const missing = await call(t.app, 'POST', '/api/auth/refresh');
    expect(missing.status).toBe(401);
    expect(missing.body.detail.code).toBe('UNAUTHORIZED');
    const malformed = await refreshBody('not a token!');
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail.field).toBe('refreshToken');
    // A cookie that does not work is cleared.
    const bad = await call(t.app, 'POST', '/api/auth/refresh', { headers: { cookie: 'chatbot_refresh=nope' } });
    expect(bad.status).toBe(401);
    expect(refreshCookie(bad.headers)?.attrs.some((a) => /^Max-Age=0$/.test(a))).toBe(true);
  });

  it('logs out: "Logged out successfully", the cookie cleared, the refresh token and access token dead', async () => {
    const u = await account();
    const { access, refresh } = await login(u);
    const out = await call(t.app, 'POST', '/api/auth/logout', {
      token: access,
      headers: { cookie: `chatbot_refresh=${refresh}` },
    });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ message: 'Logged out successfully' });
    const cleared = refreshCookie(out.headers);
    expect(cleared?.value).toBe('');
    expect(cleared?.attrs).toEqual(expect.arrayContaining(['Max-Age=0', 'Path=/api/auth']));
    expect((await me(access)).status).toBe(401);
    const again = await refreshBody(refresh);
    expect(again.status).toBe(401);
    expect(again.body.detail.code).toBe('TOKEN_INVALID');
  });

  it('logs out by the access token alone (a client without the cookie) and ends its refresh token too', async () => {
    const u = await account();
    const { access, refresh } = await login(u);
    expect((await call(t.app, 'POST', '/api/auth/logout', { token: access })).status).toBe(200);
    expect((await refreshBody(refresh)).status).toBe(401);
  });

  it('lists devices with user agent, IP, times and which one is current', async () => {
    const u = await account();
    const phone = await login(u, { 'user-agent': 'Phone/1.0' });
    const laptop = await login(u, { 'user-agent': 'Laptop/2.0' });
    const res = await call(t.app, 'GET', '/api/auth/sessions', { token: laptop.access });
    expect(res.status).toBe(200);
    expect(res.body.sessions).toHaveLength(2);
    const byAgent = Object.fromEntries(res.body.sessions.map((s: { userAgent: string }) => [s.userAgent, s])) as Record<
      string,
      Record<string, unknown>
    >;
    expect(byAgent['Laptop/2.0']).toEqual({
      id: expect.any(String),
      userAgent: 'Laptop/2.0',
      ip: expect.any(String),
      createdAt: expect.any(String),
      lastUsedAt: expect.any(String),
      current: true,
    });
    expect(byAgent['Phone/1.0']?.current).toBe(false);
    // Another user sees only their own.
    const stranger = await login(await account());
    const theirs = await call(t.app, 'GET', '/api/auth/sessions', { token: stranger.access });
    expect(theirs.body.sessions).toHaveLength(1);
    void phone;
  });

  it('revokes one device: its tokens stop working, the others go on; unknown or foreign ids are 404', async () => {
    const u = await account();
    const phone = await login(u, { 'user-agent': 'Phone/1.0' });
    const laptop = await login(u, { 'user-agent': 'Laptop/2.0' });
    const list = await call(t.app, 'GET', '/api/auth/sessions', { token: laptop.access });
    const phoneId = list.body.sessions.find((s: { userAgent: string }) => s.userAgent === 'Phone/1.0').id;

    const stranger = await login(await account());
    const foreign = await call(t.app, 'DELETE', `/api/auth/sessions/${phoneId}`, { token: stranger.access });
    expect(foreign.status).toBe(404);
    expect(foreign.body.detail.code).toBe('NOT_FOUND');
    expect((await me(phone.access)).status).toBe(200);

    const res = await call(t.app, 'DELETE', `/api/auth/sessions/${phoneId}`, { token: laptop.access });
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect((await me(phone.access)).status).toBe(401);
    expect((await refreshBody(phone.refresh)).status).toBe(401);
    expect((await me(laptop.access)).status).toBe(200);
    const after = await call(t.app, 'GET', '/api/auth/sessions', { token: laptop.access });
    expect(after.body.sessions.map((s: { id: string }) => s.id)).not.toContain(phoneId);

    expect((await call(t.app, 'DELETE', `/api/auth/sessions/${phoneId}`, { token: laptop.access })).status).toBe(404);
    expect((await call(t.app, 'DELETE', '/api/auth/sessions/no_such_device', { token: laptop.access })).status).toBe(
      404,
    );
    expect((await call(t.app, 'DELETE', '/api/auth/sessions/bad%20id', { token: laptop.access })).status).toBe(400);
  });

  it('logs out everywhere: every device, this one included, and clears the cookie', async () => {
    const u = await account();
    const a = await login(u);
    const b = await login(u);
    const res = await call(t.app, 'POST', '/api/auth/logout-all', { token: a.access });
    expect(res.status).toBe(204);
    expect(refreshCookie(res.headers)?.attrs).toContain('Max-Age=0');
    for (const token of [a.access, b.access]) expect((await me(token)).status).toBe(401);
    for (const token of [a.refresh, b.refresh]) expect((await refreshBody(token)).status).toBe(401);
    // Logging in again works.
    expect((await me((await login(u)).access)).status).toBe(200);
  });

  it('needs a token for the device routes', async () => {
    expect((await call(t.app, 'GET', '/api/auth/sessions')).status).toBe(401);
    expect((await call(t.app, 'POST', '/api/auth/logout-all')).status).toBe(401);
    expect((await call(t.app, 'DELETE', '/api/auth/sessions/abc')).status).toBe(401);
  });
});

describe('refresh tokens behind a trusted proxy, expiry and their own rate limit', () => {
  let offsetMs = 0;
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(
      { TRUST_PROXY: 'true', REFRESH_TOKEN_EXPIRE_DAYS: '2', AUTH_RATE_LIMIT_PER_MINUTE: '2' },
      { clock: { now: () => new Date(Date.now() + offsetMs) } },
    );
  });
  afterAll(async () => t.cleanup());

  it('marks the cookie Secure when X-Forwarded-Proto is https and TRUST_PROXY is on', async () => {
    const u = newUser();
    const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7' };
    await call(t.app, 'POST', '/api/auth/register', { body: u, headers });
    const res = await call(t.app, 'POST', '/api/auth/login', { body: u, headers });
    expect(res.status).toBe(200);
    expect(refreshCookie(res.headers)?.attrs).toContain('Secure');
  });

  it('has a budget of its own, far above the login one', async () => {
    const u = newUser();
    const headers = { 'x-forwarded-for': '198.51.100.8' };
    await call(t.app, 'POST', '/api/auth/register', { body: u, headers });
    const res = await call(t.app, 'POST', '/api/auth/login', {
      body: { ...u, returnRefreshToken: true },
      headers,
    });
    // The login budget (2 a minute) is spent now; ten refreshes in a row still pass.
    expect((await call(t.app, 'POST', '/api/auth/login', { body: u, headers })).status).toBe(429);
    let token = res.body.refreshToken as string;
    for (let i = 0; i < 10; i++) {
      const r = await call(t.app, 'POST', '/api/auth/refresh', { body: { refreshToken: token }, headers });
      expect(r.status).toBe(200);
      token = r.body.refreshToken;
    }
  });

  it('refuses a refresh token past REFRESH_TOKEN_EXPIRE_DAYS', async () => {
    const u = newUser();
    const headers = { 'x-forwarded-for': '198.51.100.9' };
    await call(t.app, 'POST', '/api/auth/register', { body: u, headers });
    const res = await call(t.app, 'POST', '/api/auth/login', { body: { ...u, returnRefreshToken: true }, headers });
    offsetMs = 3 * 86_400_000;
    try {
      const r = await call(t.app, 'POST', '/api/auth/refresh', {
        body: { refreshToken: res.body.refreshToken },
        headers,
      });
      expect(r.status).toBe(401);
      expect(r.body.detail.code).toBe('TOKEN_EXPIRED');
    } finally {
      offsetMs = 0;
    }
  });
});
