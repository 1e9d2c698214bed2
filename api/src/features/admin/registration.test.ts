// Roles at registration: the first account is the admin (race-safe), REGISTRATION=open|closed|invite, invites,
// a disabled account's login, ADMIN_USERNAMES and the server-side `admin promote` command.
import { afterEach, describe, expect, it } from 'vitest';
import { call, createTestApp, createTestDatabase, type TestApp, testConfig } from '../../../test/harness.js';
import { type AppInstance, createApp } from '../../app.js';
import { createLogger } from '../../lib/logger.js';
import { runAdminCommand } from './admin.cli.js';
import { createInvite } from './registration.js';
import { promoteConfiguredAdmins } from './roles.js';

const account = (name: string, extra: Record<string, unknown> = {}) => ({
  username: name,
  email: `${name}@example.com`,
  password: 'Str0ngPassword',
  ...extra,
});

let t: TestApp | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe('the first account', () => {
  it('is an admin on an empty database; the next one is a user', async () => {
    t = await createTestApp();
    const first = await call(t.app, 'POST', '/api/auth/register', { body: account('founder') });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ role: 'admin', isActive: true, lastLoginAt: null });
    const second = await call(t.app, 'POST', '/api/auth/register', { body: account('member') });
    expect(second.body.role).toBe('user');
    const login = await call(t.app, 'POST', '/api/auth/login', { body: account('founder') });
    expect(login.body.user.role).toBe('admin');
    expect(typeof login.body.user.lastLoginAt).toBe('string');
  });

  it('is one admin when first registrations race on two app instances', async () => {
    const db = await createTestDatabase();
    const config = testConfig();
    const logger = createLogger('silent');
    const apps: AppInstance[] = [
      createApp({ config, database: db.database, logger }),
      createApp({ config, database: db.database, logger }),
    ];
    try {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          call(apps[i % 2]!.app, 'POST', '/api/auth/register', { body: account(`racer${i}`) }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
      expect(results.filter((r) => r.body.role === 'admin')).toHaveLength(1);
      const admins = await db.database.pool.query("select count(*)::int as n from users where role = 'admin'");
      expect(admins.rows[0].n).toBe(1);
    } finally {
      for (const a of apps) await a.close(1000);
      await db.drop();
    }
  });
});

describe('REGISTRATION', () => {
  it('closed: the first account may register, anyone after is refused 403 REGISTRATION_CLOSED', async () => {
    t = await createTestApp({ REGISTRATION: 'closed' });
    expect((await call(t.app, 'POST', '/api/auth/register', { body: account('owner') })).body.role).toBe('admin');
    const refused = await call(t.app, 'POST', '/api/auth/register', { body: account('late') });
    expect(refused.status).toBe(403);
    expect(refused.body.detail.code).toBe('REGISTRATION_CLOSED');
    // Even a taken name is refused as closed: the answer tells nothing about existing accounts.
    const taken = await call(t.app, 'POST', '/api/auth/register', { body: account('owner') });
    expect(taken.body.detail.code).toBe('REGISTRATION_CLOSED');
  });

  it('invite: needs a valid, unused, unexpired invite; an email-bound one only for that address', async () => {
    t = await createTestApp({ REGISTRATION: 'invite' });
    const owner = await call(t.app, 'POST', '/api/auth/register', { body: account('boss') });
    expect(owner.body.role).toBe('admin');
    const missing = await call(t.app, 'POST', '/api/auth/register', { body: account('guest') });
    expect(missing.status).toBe(403);
    expect(missing.body.detail.code).toBe('INVITE_INVALID');
    const bogus = await call(t.app, 'POST', '/api/auth/register', { body: account('guest', { inviteToken: 'nope' }) });
    expect(bogus.body.detail.code).toBe('INVITE_INVALID');

    const invite = await createInvite(t.ctx.db, t.config.publicUrl, { expiresInHours: 1, createdBy: owner.body.id });
    expect(invite.url).toBe(`${t.config.publicUrl}/register?invite=${invite.token}`);
    const ok = await call(t.app, 'POST', '/api/auth/register', {
      body: account('guest', { inviteToken: invite.token }),
    });
    expect(ok.status).toBe(201);
    expect(ok.body.role).toBe('user');
    const reused = await call(t.app, 'POST', '/api/auth/register', {
      body: account('guest2', { inviteToken: invite.token }),
    });
    expect(reused.body.detail.code).toBe('INVITE_INVALID');

    const bound = await createInvite(t.ctx.db, t.config.publicUrl, {
      email: 'only@example.com',
      expiresInHours: 1,
      createdBy: owner.body.id,
    });
    const wrongEmail = await call(t.app, 'POST', '/api/auth/register', {
      body: account('intruder', { inviteToken: bound.token }),
    });
    expect(wrongEmail.body.detail.code).toBe('INVITE_INVALID');
    const rightEmail = await call(t.app, 'POST', '/api/auth/register', {
      body: { ...account('only'), email: 'Only@Example.com', inviteToken: bound.token },
    });
    expect(rightEmail.status).toBe(201);

    const expired = await createInvite(t.ctx.db, t.config.publicUrl, { expiresInHours: 1, createdBy: owner.body.id });
    await t.database.pool.query("update invites set expires_at = now() - interval '1 second' where used_at is null");
    const late = await call(t.app, 'POST', '/api/auth/register', {
      body: account('late', { inviteToken: expired.token }),
    });
    expect(late.body.detail.code).toBe('INVITE_INVALID');
  });

  it('invite: one invite used by two racing registrations admits exactly one', async () => {
    t = await createTestApp({ REGISTRATION: 'invite' });
    const owner = await call(t.app, 'POST', '/api/auth/register', { body: account('chief') });
    const invite = await createInvite(t.ctx.db, t.config.publicUrl, { expiresInHours: 1, createdBy: owner.body.id });
    const app = t.app;
    const [a, b] = await Promise.all([
      call(app, 'POST', '/api/auth/register', { body: account('twin_a', { inviteToken: invite.token }) }),
      call(app, 'POST', '/api/auth/register', { body: account('twin_b', { inviteToken: invite.token }) }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 403]);
  });
});

describe('a disabled account', () => {
  it('cannot log in (403 ACCOUNT_DISABLED with the right password, 401 with a wrong one)', async () => {
    t = await createTestApp();
    await call(t.app, 'POST', '/api/auth/register', { body: account('firstone') });
    const u = await call(t.app, 'POST', '/api/auth/register', { body: account('sleeper') });
    await t.database.pool.query('update users set is_active = false where id = $1', [u.body.id]);
    const res = await call(t.app, 'POST', '/api/auth/login', { body: account('sleeper') });
    expect(res.status).toBe(403);
    expect(res.body.detail.code).toBe('ACCOUNT_DISABLED');
    const wrong = await call(t.app, 'POST', '/api/auth/login', {
      body: { username: 'sleeper', password: 'Wr0ngPass' },
    });
    expect(wrong.status).toBe(401);
  });
});

describe('promotion', () => {
  it('ADMIN_USERNAMES promotes existing accounts (any case) and skips unknown names', async () => {
    t = await createTestApp();
    await call(t.app, 'POST', '/api/auth/register', { body: account('root') });
    const bob = await call(t.app, 'POST', '/api/auth/register', { body: account('Bob') });
    expect(bob.body.role).toBe('user');
    await promoteConfiguredAdmins(t.ctx.db, ['bob', 'ghost'], createLogger('silent'));
    const row = await t.database.pool.query('select role from users where id = $1', [bob.body.id]);
    expect(row.rows[0].role).toBe('admin');
  });

  it('`admin promote <user>` makes an admin on the configured database', async () => {
    t = await createTestApp();
    await call(t.app, 'POST', '/api/auth/register', { body: account('keeper') });
    const carol = await call(t.app, 'POST', '/api/auth/register', { body: account('carol') });
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } };
    const config = testConfig({ DATABASE_URL: t.url });
    expect(await runAdminCommand(['promote', 'carol'], config, io)).toBe(0);
    expect(out.join('')).toContain('carol is now an admin');
    const row = await t.database.pool.query('select role from users where id = $1', [carol.body.id]);
    expect(row.rows[0].role).toBe('admin');
    expect(await runAdminCommand(['promote', 'nobody_here'], config, io)).toBe(1);
    expect(await runAdminCommand(['frobnicate'], config, io)).toBe(2);
  });
});
