// Integration tests of /api/auth over app.request() on a fresh PostgreSQL database: every route and every error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../../../test/harness.js';

let seq = 0;
/** A fresh, valid identity per test, so no test depends on another's rows. */
function newUser(prefix = 'user') {
  seq += 1;
  const name = `${prefix}_${process.pid}_${seq}`;
  return { username: name, email: `${name}@example.com`, password: 'Str0ngPassword' };
}

function expectError(
  res: { status: number; body: { detail?: Record<string, unknown> } },
  status: number,
  code: string,
) {
  expect(res.status).toBe(status);
  expect(res.body.detail).toMatchObject({ code });
  expect(typeof res.body.detail?.message).toBe('string');
  expect(Number.isNaN(Date.parse(String(res.body.detail?.timestamp)))).toBe(false);
}

describe('/api/auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.cleanup());

  async function registerAndLogin(u = newUser()) {
    const reg = await call(t.app, 'POST', '/api/auth/register', { body: u });
    expect(reg.status).toBe(201);
    const login = await call(t.app, 'POST', '/api/auth/login', {
      body: { username: u.username, password: u.password },
    });
    expect(login.status).toBe(200);
    return { user: u, id: reg.body.id as number, token: login.body.accessToken as string };
  }

  describe('register', () => {
    it('creates an account, keeps the username case and lowercases the email', async () => {
      const u = newUser('MixedCase');
      const res = await call(t.app, 'POST', '/api/auth/register', {
        body: { ...u, email: `  ${u.email.toUpperCase()} ` },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        username: u.username,
        email: u.email.toLowerCase(),
        createdAt: expect.any(String),
        role: expect.stringMatching(/^(admin|user)$/),
        isActive: true,
        lastLoginAt: null,
      });
      expect(Number.isNaN(Date.parse(res.body.createdAt))).toBe(false);
      expect(res.body).not.toHaveProperty('passwordHash');
    });

    it('stores a bcrypt hash (cost 12), never the password', async () => {
      const u = newUser();
      const res = await call(t.app, 'POST', '/api/auth/register', { body: u });
      const row = await t.database.pool.query('select password_hash from users where id = $1', [res.body.id]);
      expect(row.rows[0].password_hash).toMatch(/^\$2[aby]\$12\$/);
      expect(row.rows[0].password_hash).not.toContain(u.password);
    });

    it('refuses a username taken in another case with 409 DUPLICATE_USERNAME', async () => {
      const u = newUser('Dup');
      expect((await call(t.app, 'POST', '/api/auth/register', { body: u })).status).toBe(201);
      const res = await call(t.app, 'POST', '/api/auth/register', {
        body: { ...u, username: u.username.toLowerCase(), email: `other_${u.email}` },
      });
      expectError(res, 409, 'DUPLICATE_USERNAME');
      expect(res.body.detail.field).toBe('username');
    });

    it('refuses an email taken in another case with 409 DUPLICATE_EMAIL', async () => {
      const u = newUser();
      expect((await call(t.app, 'POST', '/api/auth/register', { body: u })).status).toBe(201);
      const res = await call(t.app, 'POST', '/api/auth/register', {
        body: { ...u, username: `${u.username}_2`, email: u.email.toUpperCase() },
      });
      expectError(res, 409, 'DUPLICATE_EMAIL');
      expect(res.body.detail.field).toBe('email');
    });

    it('answers a race of two identical registrations with one 201 and one 409, never a 500', async () => {
      for (let round = 0; round < 3; round++) {
        const u = newUser('race');
        const results = await Promise.all([
          call(t.app, 'POST', '/api/auth/register', { body: u }),
          call(t.app, 'POST', '/api/auth/register', { body: u }),
        ]);
        const statuses = results.map((r) => r.status).sort();
        expect(statuses).toEqual([201, 409]);
        const conflict = results.find((r) => r.status === 409)!;
        expect(['DUPLICATE_USERNAME', 'DUPLICATE_EMAIL']).toContain(conflict.body.detail.code);
        const count = await t.database.pool.query(
          'select count(*)::int as n from users where lower(username) = lower($1)',
          [u.username],
        );
        expect(count.rows[0].n).toBe(1);
      }
    });

    it.each([
      ['username', { username: 'ab' }, /at least 3/],
      ['username', { username: 'a'.repeat(51) }, /at most 50/],
      ['username', { username: 'has space' }, /letters, digits and underscores/],
      ['username', { username: 'dấu_tiếng' }, /letters, digits and underscores/],
      ['username', { username: 123 }, /expected string/i],
      ['email', { email: 'not-an-email' }, /valid email/],
      ['email', { email: `${'a'.repeat(250)}@example.com` }, /at most 255/],
      ['password', { password: 'Sh0rt' }, /at least 8/],
      ['password', { password: 'alllower123' }, /upper-case/],
      ['password', { password: 'ALLUPPER123' }, /lower-case/],
      ['password', { password: 'NoDigitsHere' }, /digit/],
      ['password', { password: `Aa1${'x'.repeat(1022)}` }, /at most 1024/],
    ])('refuses a bad %s with 400 naming the field (%o)', async (field, patch, message) => {
      const res = await call(t.app, 'POST', '/api/auth/register', { body: { ...newUser(), ...patch } });
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.body.detail.field).toBe(field);
      expect(res.body.detail.message).toMatch(message);
    });

    it.each(['username', 'email', 'password'])('refuses a missing %s with 400 "is required"', async (field) => {
      const body: Record<string, string> = { ...newUser() };
      delete body[field];
      const res = await call(t.app, 'POST', '/api/auth/register', { body });
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.body.detail).toMatchObject({ field, message: `${field} is required` });
    });

    it('accepts a 1024-character password, the documented maximum', async () => {
      const u = { ...newUser(), password: `Aa1${'ư'.repeat(1021)}` };
      const res = await call(t.app, 'POST', '/api/auth/register', { body: u });
      expect(res.status).toBe(201);
      const login = await call(t.app, 'POST', '/api/auth/login', { body: u });
      expect(login.status).toBe(200);
    });
  });

  describe('login', () => {
    it('returns a Bearer token, its lifetime and the user', async () => {
      const u = newUser();
      const reg = await call(t.app, 'POST', '/api/auth/register', { body: u });
      const res = await call(t.app, 'POST', '/api/auth/login', {
        body: { username: u.username, password: u.password },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        tokenType: 'Bearer',
        expiresIn: 30 * 60,
        user: {
          id: reg.body.id,
          username: u.username,
          email: u.email,
          role: reg.body.role,
          isActive: true,
          lastLoginAt: expect.any(String),
        },
      });
    });

    it('accepts the username in any case, and the email in any case', async () => {
      const u = newUser('CaseLogin');
      await call(t.app, 'POST', '/api/auth/register', { body: u });
      const byName = await call(t.app, 'POST', '/api/auth/login', {
        body: { username: u.username.toUpperCase(), password: u.password },
      });
      expect(byName.status).toBe(200);
      expect(byName.body.user.username).toBe(u.username);
      const byEmail = await call(t.app, 'POST', '/api/auth/login', {
        body: { username: u.email.toUpperCase(), password: u.password },
      });
      expect(byEmail.status).toBe(200);
      expect(byEmail.body.user.email).toBe(u.email.toLowerCase());
    });

    it('gives the same 401 AUTHENTICATION_FAILED for a wrong password and an unknown user', async () => {
      const u = newUser();
      await call(t.app, 'POST', '/api/auth/register', { body: u });
      const wrong = await call(t.app, 'POST', '/api/auth/login', {
        body: { username: u.username, password: 'Wr0ngPassword' },
      });
      const unknown = await call(t.app, 'POST', '/api/auth/login', {
        body: { username: `nobody_${u.username}`, password: u.password },
      });
      const unknownEmail = await call(t.app, 'POST', '/api/auth/login', {
        body: { username: `nobody_${u.email}`, password: u.password },
      });
      for (const res of [wrong, unknown, unknownEmail]) expectError(res, 401, 'AUTHENTICATION_FAILED');
      expect(unknown.body.detail.message).toBe(wrong.body.detail.message);
      expect(unknownEmail.body.detail.message).toBe(wrong.body.detail.message);
    });

    it('takes about as long for an unknown user as for a wrong password (a bcrypt check either way)', async () => {
      const u = newUser();
      await call(t.app, 'POST', '/api/auth/register', { body: u });
      const time = async (username: string) => {
        const started = performance.now();
        const res = await call(t.app, 'POST', '/api/auth/login', { body: { username, password: 'Wr0ngPassword' } });
        expect(res.status).toBe(401);
        return performance.now() - started;
      };
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[1]!;
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 3; i++) {
        known.push(await time(u.username));
        unknown.push(await time(`ghost_${u.username}`));
      }
      // A missing user skipping bcrypt would answer in a few ms against ~100+ ms: the ratio shows it plainly.
      expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
      expect(median(known)).toBeGreaterThan(median(unknown) * 0.5);
    });

    it.each([
      ['username', { password: 'Str0ngPassword' }],
      ['password', { username: 'someone' }],
      ['username', { username: '', password: 'Str0ngPassword' }],
      ['password', { username: 'someone', password: '' }],
      ['password', { username: 'someone', password: 'x'.repeat(1025) }],
    ])('refuses a bad %s with 400 naming the field', async (field, body) => {
      const res = await call(t.app, 'POST', '/api/auth/login', { body });
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.body.detail.field).toBe(field);
    });
  });

  describe('me and logout', () => {
    it('returns the current user for a valid token', async () => {
      const { user, id, token } = await registerAndLogin();
      const res = await call(t.app, 'GET', '/api/auth/me', { token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id,
        username: user.username,
        email: user.email,
        createdAt: expect.any(String),
        role: expect.stringMatching(/^(admin|user)$/),
        isActive: true,
        lastLoginAt: expect.any(String),
      });
    });

    it('refuses a missing Authorization header with 401 UNAUTHORIZED', async () => {
      expectError(await call(t.app, 'GET', '/api/auth/me'), 401, 'UNAUTHORIZED');
      expectError(await call(t.app, 'POST', '/api/auth/logout'), 401, 'UNAUTHORIZED');
    });

    it('refuses a malformed header or a forged token with 401 TOKEN_INVALID', async () => {
      const { token } = await registerAndLogin();
      const basic = await call(t.app, 'GET', '/api/auth/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      expectError(basic, 401, 'TOKEN_INVALID');
      expectError(await call(t.app, 'GET', '/api/auth/me', { token: 'not.a.jwt' }), 401, 'TOKEN_INVALID');
      const [h, p, s] = token.split('.');
      const tampered = `${h}.${p}.${s!.slice(0, -2)}${s!.endsWith('AA') ? 'BB' : 'AA'}`;
      expectError(await call(t.app, 'GET', '/api/auth/me', { token: tampered }), 401, 'TOKEN_INVALID');
    });

    it('logs out: the same token is refused afterwards, other tokens still work', async () => {
      const { user, token } = await registerAndLogin();
      const other = await call(t.app, 'POST', '/api/auth/login', {
        body: { username: user.username, password: user.password },
      });
      const out = await call(t.app, 'POST', '/api/auth/logout', { token });
      expect(out.status).toBe(200);
      expect(out.body).toEqual({ message: expect.any(String) });
      expectError(await call(t.app, 'GET', '/api/auth/me', { token }), 401, 'TOKEN_INVALID');
      expectError(await call(t.app, 'POST', '/api/auth/logout', { token }), 401, 'TOKEN_INVALID');
      expect((await call(t.app, 'GET', '/api/auth/me', { token: other.body.accessToken })).status).toBe(200);
    });

    it('refuses the token of a user who no longer exists', async () => {
      const { id, token } = await registerAndLogin();
      await t.database.pool.query('delete from users where id = $1', [id]);
      expectError(await call(t.app, 'GET', '/api/auth/me', { token }), 401, 'TOKEN_INVALID');
    });
  });

  describe('passphrases', () => {
    // 130 characters, most of them 2–3 bytes in UTF-8: far past bcrypt's 72-byte window.
    const passphrase = `Mật khẩu của tôi là một câu dài ${'để không ai đoán được '.repeat(5)}Năm 2024`;

    it('accepts a long Vietnamese passphrase and counts every character of it', async () => {
      expect(passphrase.length).toBeGreaterThanOrEqual(128);
      expect(Buffer.byteLength(passphrase, 'utf8')).toBeGreaterThan(72 * 2);
      const u = { ...newUser(), password: passphrase };
      expect((await call(t.app, 'POST', '/api/auth/register', { body: u })).status).toBe(201);
      expect((await call(t.app, 'POST', '/api/auth/login', { body: u })).status).toBe(200);
      // Same first 72+ bytes, different last character: must not log in.
      const almost = `${passphrase.slice(0, -1)}5`;
      expectError(
        await call(t.app, 'POST', '/api/auth/login', { body: { ...u, password: almost } }),
        401,
        'AUTHENTICATION_FAILED',
      );
    });
  });
});

describe('/api/auth rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Frozen, so the four calls never straddle a minute boundary.
    const frozen = new Date();
    t = await createTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '3' }, { clock: { now: () => frozen } });
  });
  afterAll(async () => t.cleanup());

  it('answers 429 RATE_LIMITED with Retry-After past the per-IP budget, shared by login and register', async () => {
    const statuses: number[] = [];
    // Validation failures count too: bcrypt is not the only cost of an attempt.
    statuses.push((await call(t.app, 'POST', '/api/auth/login', { body: { username: 'x', password: 'y' } })).status);
    statuses.push((await call(t.app, 'POST', '/api/auth/register', { body: {} })).status);
    statuses.push((await call(t.app, 'POST', '/api/auth/login', { body: {} })).status);
    expect(statuses).toEqual([401, 400, 400]);
    const limited = await call(t.app, 'POST', '/api/auth/register', { body: newUser() });
    expectError(limited, 429, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Authenticated routes are not part of the auth budget.
    expectError(await call(t.app, 'GET', '/api/auth/me'), 401, 'UNAUTHORIZED');
  });
});

describe('/api/auth token expiry', () => {
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ACCESS_TOKEN_EXPIRE_MINUTES: '5' }, { clock });
  });
  afterAll(async () => t.cleanup());

  it('refuses a token past ACCESS_TOKEN_EXPIRE_MINUTES with 401 TOKEN_EXPIRED', async () => {
    const u = newUser();
    await call(t.app, 'POST', '/api/auth/register', { body: u });
    const login = await call(t.app, 'POST', '/api/auth/login', { body: u });
    expect(login.body.expiresIn).toBe(300);
    const token = login.body.accessToken as string;
    offsetMs = 4 * 60_000;
    expect((await call(t.app, 'GET', '/api/auth/me', { token })).status).toBe(200);
    offsetMs = 6 * 60_000;
    expectError(await call(t.app, 'GET', '/api/auth/me', { token }), 401, 'TOKEN_EXPIRED');
    expectError(await call(t.app, 'POST', '/api/auth/logout', { token }), 401, 'TOKEN_EXPIRED');
  });
});

describe('/api/auth rate limit behind a trusted proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    const frozen = new Date();
    t = await createTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'true' }, { clock: { now: () => frozen } });
  });
  afterAll(async () => t.cleanup());

  it('counts per X-Forwarded-For client when TRUST_PROXY is on', async () => {
    const attempt = (ip: string) =>
      call(t.app, 'POST', '/api/auth/login', { body: {}, headers: { 'x-forwarded-for': `${ip}, 10.0.0.1` } });
    expect((await attempt('203.0.113.1')).status).toBe(400);
    expect((await attempt('203.0.113.1')).status).toBe(400);
    expect((await attempt('203.0.113.1')).status).toBe(429);
    // Another client behind the same proxy still has its budget.
    expect((await attempt('203.0.113.2')).status).toBe(400);
  });
});
