// The admin API over real HTTP semantics (app.request) and a real database: access, users, the last-admin rule,
// force logout, reset links, delete (ledger kept), invites, the audit log and the overview.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSession } from '../../../test/fixtures.js';
import { call, createTestApp, type TestApp } from '../../../test/harness.js';

let t: TestApp;
let admin: { id: number; token: string };

const register = async (name: string) => {
  const body = { username: name, email: `${name}@example.com`, password: 'Str0ngPassword' };
  const reg = await call(t.app, 'POST', '/api/auth/register', { body });
  const login = await call(t.app, 'POST', '/api/auth/login', { body });
  return { id: reg.body.id as number, token: login.body.accessToken as string, username: name };
};

beforeAll(async () => {
  t = await createTestApp({ QUOTA_MESSAGES_PER_DAY: '50' });
  admin = await register('theadmin');
});
afterAll(async () => t.cleanup());

describe('access', () => {
  it('answers 401 without a credential and 403 FORBIDDEN to a non-admin, on every admin route', async () => {
    const user = await register('plainuser');
    const routes: [string, string][] = [
      ['GET', '/api/admin/overview'],
      ['GET', '/api/admin/users'],
      ['GET', `/api/admin/users/${user.id}`],
      ['PATCH', `/api/admin/users/${user.id}`],
      ['POST', `/api/admin/users/${user.id}/logout`],
      ['POST', `/api/admin/users/${user.id}/password-reset`],
      ['DELETE', `/api/admin/users/${user.id}`],
      ['POST', '/api/admin/invites'],
      ['GET', '/api/admin/audit'],
    ];
    for (const [method, path] of routes) {
      const body = method === 'PATCH' || path.endsWith('invites') ? {} : undefined;
      expect((await call(t.app, method, path, { body })).status, `${method} ${path}`).toBe(401);
      const refused = await call(t.app, method, path, { body, token: user.token });
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.body.detail.code).toBe('FORBIDDEN');
    }
  });
});

describe('users', () => {
  it('lists users paged with search on username or email, with usage and quota overrides', async () => {
    await register('search_alpha');
    await register('search_beta');
    const all = await call(t.app, 'GET', '/api/admin/users?limit=100', { token: admin.token });
    expect(all.status).toBe(200);
    expect(all.body.total).toBeGreaterThanOrEqual(3);
    expect(all.body.users[0]).toMatchObject({
      id: admin.id,
      username: 'theadmin',
      role: 'admin',
      isActive: true,
      usage: { tokensToday: 0, tokensThisMonth: 0, messagesToday: 0 },
      quota: { tokensPerDay: null, tokensPerMonth: null, messagesPerDay: null },
    });
    const found = await call(t.app, 'GET', '/api/admin/users?q=SEARCH_&limit=1', { token: admin.token });
    expect(found.body.total).toBe(2);
    expect(found.body.users.map((u: { username: string }) => u.username)).toEqual(['search_alpha']);
    const page2 = await call(t.app, 'GET', '/api/admin/users?q=search_&limit=1&offset=1', { token: admin.token });
    expect(page2.body.users.map((u: { username: string }) => u.username)).toEqual(['search_beta']);
    const byEmail = await call(t.app, 'GET', '/api/admin/users?q=beta@example', { token: admin.token });
    expect(byEmail.body.total).toBe(1);
    // `%` is a character to look for, not a wildcard.
    expect((await call(t.app, 'GET', '/api/admin/users?q=%25', { token: admin.token })).body.total).toBe(0);
    expect((await call(t.app, 'GET', '/api/admin/users?limit=0', { token: admin.token })).status).toBe(400);
    expect((await call(t.app, 'GET', '/api/admin/users/999999', { token: admin.token })).status).toBe(404);
  });

  it('merges quota overrides key by key, changes role, and audits each change with who did it', async () => {
    const u = await register('quota_target');
    const path = `/api/admin/users/${u.id}`;
    let res = await call(t.app, 'PATCH', path, { token: admin.token, body: { quota: { messagesPerDay: 3 } } });
    expect(res.status).toBe(200);
    expect(res.body.quota).toEqual({ tokensPerDay: null, tokensPerMonth: null, messagesPerDay: 3 });
    res = await call(t.app, 'PATCH', path, { token: admin.token, body: { quota: { tokensPerDay: 0 } } });
    expect(res.body.quota).toEqual({ tokensPerDay: 0, tokensPerMonth: null, messagesPerDay: 3 });
    res = await call(t.app, 'PATCH', path, { token: admin.token, body: { quota: { messagesPerDay: null } } });
    expect(res.body.quota).toEqual({ tokensPerDay: 0, tokensPerMonth: null, messagesPerDay: null });
    res = await call(t.app, 'PATCH', path, { token: admin.token, body: { role: 'admin' } });
    expect(res.body.role).toBe('admin');
    // The new role holds at once (no stale copy of the account in a cache).
    expect((await call(t.app, 'GET', '/api/admin/overview', { token: u.token })).status).toBe(200);
    res = await call(t.app, 'PATCH', path, { token: admin.token, body: { role: 'user' } });
    expect((await call(t.app, 'GET', '/api/admin/overview', { token: u.token })).status).toBe(403);

    const bad = await call(t.app, 'PATCH', path, { token: admin.token, body: { quota: { messagesPerDay: -1 } } });
    expect(bad.status).toBe(400);
    expect((await call(t.app, 'PATCH', path, { token: admin.token, body: { role: 'root' } })).status).toBe(400);

    const all = await call(t.app, 'GET', `/api/admin/audit?targetId=${u.id}`, { token: admin.token });
    // The user's own logins are audited too (login.ok); the admin's actions are the user.* entries.
    const log = { body: { entries: all.body.entries.filter((e: { action: string }) => e.action.startsWith('user.')) } };
    const actions = log.body.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(['user.role', 'user.role', 'user.quota', 'user.quota', 'user.quota']);
    expect(log.body.entries[0]).toMatchObject({
      actorId: admin.id,
      actorName: 'theadmin',
      detail: { from: 'admin', to: 'user' },
    });
    expect(log.body.entries.at(-1).detail).toEqual({ from: { messagesPerDay: null }, to: { messagesPerDay: 3 } });
  });

  it('disables a user: tokens answer 401 at once, login is 403; enabling lets them back in', async () => {
    const u = await register('to_disable');
    expect((await call(t.app, 'GET', '/api/auth/me', { token: u.token })).status).toBe(200);
    const res = await call(t.app, 'PATCH', `/api/admin/users/${u.id}`, {
      token: admin.token,
      body: { isActive: false },
    });
    expect(res.body.isActive).toBe(false);
    expect((await call(t.app, 'GET', '/api/auth/me', { token: u.token })).status).toBe(401);
    const body = { username: 'to_disable', password: 'Str0ngPassword' };
    const login = await call(t.app, 'POST', '/api/auth/login', { body });
    expect(login.status).toBe(403);
    expect(login.body.detail.code).toBe('ACCOUNT_DISABLED');
    await call(t.app, 'PATCH', `/api/admin/users/${u.id}`, { token: admin.token, body: { isActive: true } });
    expect((await call(t.app, 'POST', '/api/auth/login', { body })).status).toBe(200);
    const log = await call(t.app, 'GET', `/api/admin/audit?targetId=${u.id}&action=user.disable`, {
      token: admin.token,
    });
    expect(log.body.total).toBe(1);
  });

  it('keeps the last active admin: demoting, disabling or deleting them is 409 CONFLICT', async () => {
    const path = `/api/admin/users/${admin.id}`;
    for (const body of [{ role: 'user' }, { isActive: false }]) {
      const res = await call(t.app, 'PATCH', path, { token: admin.token, body });
      expect(res.status).toBe(409);
      expect(res.body.detail.code).toBe('CONFLICT');
    }
    expect((await call(t.app, 'DELETE', path, { token: admin.token })).status).toBe(409);
    // With a second admin, one may step down; two stepping down at once leave one.
    const other = await register('second_admin');
    await call(t.app, 'PATCH', `/api/admin/users/${other.id}`, { token: admin.token, body: { role: 'admin' } });
    const [a, b] = await Promise.all([
      call(t.app, 'PATCH', path, { token: admin.token, body: { role: 'user' } }),
      call(t.app, 'PATCH', `/api/admin/users/${other.id}`, { token: other.token, body: { role: 'user' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const admins = await t.database.pool.query("select id from users where role = 'admin' and is_active");
    expect(admins.rows).toHaveLength(1);
    // Restore: theadmin stays the admin for the tests below.
    const keeper = admins.rows[0].id === admin.id ? admin : other;
    await call(t.app, 'PATCH', path, { token: keeper.token, body: { role: 'admin' } });
    const login = await call(t.app, 'POST', '/api/auth/login', {
      body: { username: 'theadmin', password: 'Str0ngPassword' },
    });
    admin.token = login.body.accessToken;
    await call(t.app, 'PATCH', `/api/admin/users/${other.id}`, { token: admin.token, body: { role: 'user' } });
  });

  it('force logout ends every login of the user (204), audited', async () => {
    const u = await register('forced_out');
    const second = await call(t.app, 'POST', '/api/auth/login', {
      body: { username: 'forced_out', password: 'Str0ngPassword' },
    });
    const res = await call(t.app, 'POST', `/api/admin/users/${u.id}/logout`, { token: admin.token });
    expect(res.status).toBe(204);
    expect((await call(t.app, 'GET', '/api/auth/me', { token: u.token })).status).toBe(401);
    expect((await call(t.app, 'GET', '/api/auth/me', { token: second.body.accessToken })).status).toBe(401);
    // Logging in again works: the account is not disabled.
    const again = await call(t.app, 'POST', '/api/auth/login', {
      body: { username: 'forced_out', password: 'Str0ngPassword' },
    });
    expect(again.status).toBe(200);
    // Newest first; the user's login afterwards (login.ok) comes before it without the action filter.
    const log = await call(t.app, 'GET', `/api/admin/audit?targetId=${u.id}&action=user.logout`, {
      token: admin.token,
    });
    expect(log.body.entries[0].action).toBe('user.logout');
  });

  it('issues a password-reset link (201): single-use token stored hashed, 30 minutes, never in the audit log', async () => {
    const u = await register('forgetful');
    const res = await call(t.app, 'POST', `/api/admin/users/${u.id}/password-reset`, { token: admin.token });
    expect(res.status).toBe(201);
    expect(res.body.url).toBe(`${t.config.publicUrl}/reset-password?token=${res.body.token}`);
    const minutes = (Date.parse(res.body.expiresAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThanOrEqual(30);
    const stored = await t.database.pool.query(
      'select token_hash, created_by from password_resets where user_id = $1',
      [u.id],
    );
    expect(stored.rows[0].token_hash).not.toBe(res.body.token);
    expect(stored.rows[0].created_by).toBe(admin.id);
    const log = await t.database.pool.query('select detail::text as d from audit_log');
    expect(log.rows.some((r: { d: string }) => r.d.includes(res.body.token))).toBe(false);
  });

  it('deletes a user (204): chats go, ledger rows stay without the user, audited with the name', async () => {
    const u = await register('leaving');
    const { sessionId } = await seedSession(t, u.id, 'bye', [{ role: 'user', content: 'hi' }]);
    await t.database.pool.query(
      "insert into usage_ledger (user_id, session_id, kind, model, prompt_tokens, completion_tokens, outcome) values ($1, $2, 'answer', 'm', 5, 7, 'complete')",
      [u.id, sessionId],
    );
    expect((await call(t.app, 'DELETE', `/api/admin/users/${u.id}`, { token: admin.token })).status).toBe(204);
    expect((await call(t.app, 'GET', `/api/admin/users/${u.id}`, { token: admin.token })).status).toBe(404);
    expect((await call(t.app, 'GET', '/api/auth/me', { token: u.token })).status).toBe(401);
    const sessions = await t.database.pool.query('select 1 from chat_sessions where id = $1', [sessionId]);
    expect(sessions.rows).toHaveLength(0);
    const ledger = await t.database.pool.query(
      "select user_id, session_id, prompt_tokens from usage_ledger where model = 'm'",
    );
    expect(ledger.rows).toEqual([{ user_id: null, session_id: null, prompt_tokens: 5 }]);
    const log = await call(t.app, 'GET', `/api/admin/audit?action=user.delete&targetId=${u.id}`, {
      token: admin.token,
    });
    expect(log.body.entries[0].detail).toEqual({ username: 'leaving' });
    expect((await call(t.app, 'DELETE', `/api/admin/users/${u.id}`, { token: admin.token })).status).toBe(404);
  });
});

describe('invites', () => {
  it('creates an invite (201 {token, url, expiresAt}, default 72 hours), audited without the token', async () => {
    const res = await call(t.app, 'POST', '/api/admin/invites', { token: admin.token, body: {} });
    expect(res.status).toBe(201);
    expect(res.body.url).toBe(`${t.config.publicUrl}/register?invite=${res.body.token}`);
    const hours = (Date.parse(res.body.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(71.9);
    expect(hours).toBeLessThanOrEqual(72);
    const bound = await call(t.app, 'POST', '/api/admin/invites', {
      token: admin.token,
      body: { email: 'Friend@Example.com', expiresInHours: 2 },
    });
    expect(bound.status).toBe(201);
    const row = await t.database.pool.query(
      'select email from invites where token_hash <> $1 order by id desc limit 1',
      [bound.body.token],
    );
    expect(row.rows[0].email).toBe('friend@example.com');
    expect(
      (await call(t.app, 'POST', '/api/admin/invites', { token: admin.token, body: { expiresInHours: 0 } })).status,
    ).toBe(400);
    const log = await call(t.app, 'GET', '/api/admin/audit?action=invite.create', { token: admin.token });
    expect(log.body.total).toBe(2);
    expect(JSON.stringify(log.body)).not.toContain(res.body.token);
  });
});

describe('the audit log', () => {
  it('filters by text, action, actor, target and time, newest first, paged', async () => {
    const base = await call(t.app, 'GET', '/api/admin/audit?limit=100', { token: admin.token });
    expect(base.status).toBe(200);
    const ats = base.body.entries.map((e: { at: string }) => Date.parse(e.at));
    expect([...ats].sort((a, b) => b - a)).toEqual(ats);
    expect(base.body.total).toBeGreaterThan(5);
    const page = await call(t.app, 'GET', '/api/admin/audit?limit=2&offset=1', { token: admin.token });
    expect(page.body.entries.map((e: { id: number }) => e.id)).toEqual(
      base.body.entries.slice(1, 3).map((e: { id: number }) => e.id),
    );
    const byName = await call(t.app, 'GET', '/api/admin/audit?q=LEAVING', { token: admin.token });
    expect(byName.body.entries.map((e: { action: string }) => e.action)).toContain('user.delete');
    const byActor = await call(t.app, 'GET', `/api/admin/audit?actorId=${admin.id}&limit=100`, { token: admin.token });
    expect(byActor.body.total).toBe(
      byActor.body.entries.filter((e: { actorId: number }) => e.actorId === admin.id).length,
    );
    const today = new Date().toISOString().slice(0, 10);
    const todays = await call(t.app, 'GET', `/api/admin/audit?from=${today}&to=${today}`, { token: admin.token });
    expect(todays.body.total).toBe(base.body.total);
    const future = await call(t.app, 'GET', '/api/admin/audit?from=2999-01-01', { token: admin.token });
    expect(future.body.total).toBe(0);
    const past = await call(t.app, 'GET', '/api/admin/audit?to=2000-01-01T00:00:00Z', { token: admin.token });
    expect(past.body.total).toBe(0);
    const bad = await call(t.app, 'GET', '/api/admin/audit?from=yesterday', { token: admin.token });
    expect(bad.status).toBe(400);
    expect(bad.body.detail.field).toBe('from');
  });
});

describe('the overview', () => {
  it('counts answers, tokens and errors by day and model, error rate and percentiles from the ledger', async () => {
    const ins = (model: string, outcome: string, ttft: number, total: number, daysAgo = 0) =>
      t.database.pool.query(
        `insert into usage_ledger (user_id, kind, model, prompt_tokens, completion_tokens, outcome, ttft_ms, total_ms, created_at)
         values ($1, 'answer', $2, 10, 20, $3, $4, $5, now() - make_interval(days => $6))`,
        [admin.id, model, outcome, ttft, total, daysAgo],
      );
    await t.database.pool.query('delete from usage_ledger');
    await ins('gpt-a', 'complete', 100, 1000);
    await ins('gpt-a', 'complete', 200, 2000);
    await ins('gpt-b', 'error', 300, 3000);
    await ins('gpt-b', 'complete', 400, 4000, 2);
    await ins('gpt-old', 'complete', 1, 1, 30);
    const res = await call(t.app, 'GET', '/api/admin/overview?days=7', { token: admin.token });
    expect(res.status).toBe(200);
    const o = res.body;
    expect(o.byDay).toHaveLength(7);
    expect(o.byDay.at(-1)).toMatchObject({ messages: 3, tokens: 90, errors: 1 });
    expect(o.byDay.at(-3)).toMatchObject({ messages: 1, tokens: 30, errors: 0 });
    expect(o.byDay.at(-1).day).toBe(new Date().toISOString().slice(0, 10));
    // Most tokens first, then by name.
    expect(o.byModel).toEqual([
      { model: 'gpt-a', messages: 2, tokens: 60 },
      { model: 'gpt-b', messages: 2, tokens: 60 },
    ]);
    expect(o.errorRate).toBeCloseTo(0.25);
    expect(o.ttftMs.p50).toBe(250);
    expect(o.answerMs.p50).toBe(2000);
    expect(o.activeUsers.day).toBeGreaterThanOrEqual(1);
    expect(o.answersInFlight).toBe(0);
    expect(o.dbPool.total).toBeGreaterThanOrEqual(1);
    expect((await call(t.app, 'GET', '/api/admin/overview?days=0', { token: admin.token })).status).toBe(400);
  });
});
