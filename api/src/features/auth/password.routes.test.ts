// Passwords and the account over app.request() on a fresh PostgreSQL database, with a real SMTP server on 127.0.0.1:
// change (other devices logged out), forgot (no enumeration, by content or by time), the mailed link followed to a
// reset (single use, 30 minutes, every device logged out), the admin's reset link, and deleting the account.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../../../test/harness.js';
import { issuePasswordReset } from './password-reset.js';

let seq = 0;
function newUser(prefix = 'pw') {
  seq += 1;
  const name = `${prefix}_${process.pid}_${seq}`;
  return { username: name, email: `${name}@example.com`, password: 'Str0ngPassword' };
}

interface Delivered {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server (the `smtp-server` package) that keeps every mail it is given. */
async function startMailServer(): Promise<{ url: string; mails: Delivered[]; close(): Promise<void> }> {
  const mails: Delivered[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        raw += chunk;
      });
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The body of a mail as written, quoted-printable undone (soft line breaks, =XX bytes). */
function mailText(raw: string): string {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const qp = /content-transfer-encoding:\s*quoted-printable/i.test(raw);
  if (!qp) return body;
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => `%${hex}`);
  return decodeURIComponent(bytes);
}

async function waitFor<T>(probe: () => T | undefined, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const PUBLIC_URL = 'https://chat.example.com';

describe('passwords and the account', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startMailServer>>;
  let offsetMs = 0;
  beforeAll(async () => {
    smtp = await startMailServer();
    t = await createTestApp(
      { SMTP_URL: smtp.url, MAIL_FROM: 'Chatbot <no-reply@chat.example.com>', PUBLIC_URL },
      { clock: { now: () => new Date(Date.now() + offsetMs) } },
    );
  });
  afterAll(async () => {
    await t?.cleanup();
    await smtp?.close();
  });

  async function account(u = newUser()) {
    const reg = await call(t.app, 'POST', '/api/auth/register', { body: u });
    expect(reg.status).toBe(201);
    return { ...u, id: reg.body.id as number };
  }
  async function login(u: { username: string; password: string }) {
    const res = await call(t.app, 'POST', '/api/auth/login', {
      body: { username: u.username, password: u.password, returnRefreshToken: true },
    });
    return { status: res.status, access: res.body.accessToken as string, refresh: res.body.refreshToken as string };
  }
  const me = (token: string) => call(t.app, 'GET', '/api/auth/me', { token });
  const mailsTo = (email: string) => smtp.mails.filter((m) => m.to.includes(email));

  describe('change', () => {
    it('refuses a wrong current password with 400 naming currentPassword', async () => {
      const u = await account();
      const { access } = await login(u);
      const res = await call(t.app, 'POST', '/api/auth/password', {
        token: access,
        body: { currentPassword: 'Wr0ngPassword', newPassword: 'N3wPassword!' },
      });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'currentPassword' });
      expect((await login(u)).status).toBe(200);
    });

    it('refuses a weak new password naming newPassword', async () => {
      const u = await account();
      const { access } = await login(u);
      const res = await call(t.app, 'POST', '/api/auth/password', {
        token: access,
        body: { currentPassword: u.password, newPassword: 'weak' },
      });
      expect(res.status).toBe(400);
      expect(res.body.detail.field).toBe('newPassword');
    });

    it('changes it: the new one logs in, the old one not, other devices are logged out, this one stays', async () => {
      const u = await account();
      const here = await login(u);
      const there = await login(u);
      const res = await call(t.app, 'POST', '/api/auth/password', {
        token: here.access,
        body: { currentPassword: u.password, newPassword: 'N3w passphrase' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: expect.any(String) });
      expect((await me(here.access)).status).toBe(200);
      expect((await me(there.access)).status).toBe(401);
      expect((await call(t.app, 'POST', '/api/auth/refresh', { body: { refreshToken: there.refresh } })).status).toBe(
        401,
      );
      expect((await login(u)).status).toBe(401);
      expect((await login({ ...u, password: 'N3w passphrase' })).status).toBe(200);
      const audit = await t.database.pool.query(
        "select actor_id, ip, detail from audit_log where action = 'password.change' and target_id = $1",
        [u.id],
      );
      expect(audit.rows).toHaveLength(1);
      expect(JSON.stringify(audit.rows[0])).not.toContain('N3w passphrase');
    });
  });

  describe('forgot and reset', () => {
    it('mails a link to PUBLIC_URL (whatever Host says) that resets the password once and logs out every device', async () => {
      const u = await account();
      const before = await login(u);
      const res = await call(t.app, 'POST', '/api/auth/password/forgot', {
        body: { email: u.email.toUpperCase() },
        headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' },
      });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ message: expect.any(String) });

      const mail = await waitFor(() => mailsTo(u.email)[0]);
      expect(mail.from).toBe('no-reply@chat.example.com');
      const text = mailText(mail.raw);
      expect(text).not.toContain('evil.example');
      const link = /https:\/\/chat\.example\.com\/reset-password\?token=[\w%-]+/.exec(text)?.[0];
      expect(link).toBeDefined();
      // Following the link: the page reads `token` from its address and posts it with the new password.
      const token = new URL(link!).searchParams.get('token')!;
      expect(token.length).toBeGreaterThanOrEqual(40);
      const stored = await t.database.pool.query('select token_hash from password_resets where user_id = $1', [u.id]);
      expect(stored.rows[0].token_hash).not.toBe(token);

      const reset = await call(t.app, 'POST', '/api/auth/password/reset', {
        body: { token, newPassword: 'Br4nd new pass' },
      });
      expect(reset.status).toBe(200);
      expect(reset.body).toEqual({ message: expect.any(String) });
      expect((await me(before.access)).status).toBe(401);
      expect((await login(u)).status).toBe(401);
      expect((await login({ ...u, password: 'Br4nd new pass' })).status).toBe(200);

      const again = await call(t.app, 'POST', '/api/auth/password/reset', {
        body: { token, newPassword: 'Y3t another one' },
      });
      expect(again.status).toBe(400);
      expect(again.body.detail.code).toBe('RESET_TOKEN_INVALID');
      const audit = await t.database.pool.query(
        "select count(*)::int as n from audit_log where action = 'password.reset' and target_id = $1",
        [u.id],
      );
      expect(audit.rows[0].n).toBe(1);
    });

    it('answers an unknown address with the same body, sends nothing, and takes about as long', async () => {
      const u = await account();
      const time = async (email: string) => {
        const started = performance.now();
        const res = await call(t.app, 'POST', '/api/auth/password/forgot', { body: { email } });
        return { ms: performance.now() - started, res };
      };
      const known: number[] = [];
      const unknown: number[] = [];
      let bodies: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const k = await time(u.email);
        const n = await time(`nobody_${i}_${u.email}`);
        known.push(k.ms);
        unknown.push(n.ms);
        bodies = [k.res.status, k.res.body, n.res.status, n.res.body];
        expect(bodies[0]).toBe(202);
        expect(bodies[2]).toBe(202);
        expect(bodies[1]).toEqual(bodies[3]);
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
      expect(Math.abs(median(known) - median(unknown))).toBeLessThan(100);
      await waitFor(() => (mailsTo(u.email).length >= 3 ? true : undefined));
      await new Promise((r) => setTimeout(r, 200));
      expect(smtp.mails.filter((m) => m.to.some((to) => to.startsWith('nobody_')))).toHaveLength(0);
    });

    it('refuses an unknown, expired or malformed token with 400 RESET_TOKEN_INVALID', async () => {
      const u = await account();
      const unknown = await call(t.app, 'POST', '/api/auth/password/reset', {
        body: { token: 'x'.repeat(43), newPassword: 'Br4nd new pass' },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.detail.code).toBe('RESET_TOKEN_INVALID');

      const issued = await issuePasswordReset(t.database.db, u.id, null, { publicUrl: PUBLIC_URL, clock: t.ctx.clock });
      offsetMs = 31 * 60_000;
      try {
        const expired = await call(t.app, 'POST', '/api/auth/password/reset', {
          body: { token: issued.token, newPassword: 'Br4nd new pass' },
        });
        expect(expired.status).toBe(400);
        expect(expired.body.detail.code).toBe('RESET_TOKEN_INVALID');
      } finally {
        offsetMs = 0;
      }
      expect((await login(u)).status).toBe(200);
    });

    it('issues an admin reset link: PUBLIC_URL based, 30 minutes, the issuer kept, usable once', async () => {
      const admin = await account(newUser('admin'));
      const u = await account();
      const issued = await issuePasswordReset(t.database.db, u.id, admin.id, { publicUrl: PUBLIC_URL });
      expect(issued.url).toBe(`${PUBLIC_URL}/reset-password?token=${issued.token}`);
      const minutes = (issued.expiresAt.getTime() - Date.now()) / 60_000;
      expect(minutes).toBeGreaterThan(29);
      expect(minutes).toBeLessThanOrEqual(30);
      const row = await t.database.pool.query('select created_by from password_resets where user_id = $1', [u.id]);
      expect(row.rows[0].created_by).toBe(admin.id);
      const reset = await call(t.app, 'POST', '/api/auth/password/reset', {
        body: { token: issued.token, newPassword: 'Adm1n given pass' },
      });
      expect(reset.status).toBe(200);
      expect((await login({ ...u, password: 'Adm1n given pass' })).status).toBe(200);
    });

    it('lets an account without a password (single sign-on) set one through forgot/reset', async () => {
      const u = await account();
      await t.database.pool.query('update users set password_hash = null where id = $1', [u.id]);
      expect((await login(u)).status).toBe(401);
      expect((await call(t.app, 'POST', '/api/auth/password/forgot', { body: { email: u.email } })).status).toBe(202);
      const mail = await waitFor(() => mailsTo(u.email)[0]);
      const token = new URL(/https:\/\/\S+/.exec(mailText(mail.raw))![0]).searchParams.get('token')!;
      const reset = await call(t.app, 'POST', '/api/auth/password/reset', {
        body: { token, newPassword: 'F1rst own pass' },
      });
      expect(reset.status).toBe(200);
      expect((await login({ ...u, password: 'F1rst own pass' })).status).toBe(200);
    });
  });

  describe('deleting the account', () => {
    it('refuses a wrong password with 400 naming password, and keeps everything', async () => {
      const u = await account();
      const { access } = await login(u);
      const res = await call(t.app, 'DELETE', '/api/auth/me', { token: access, body: { password: 'Wr0ngPassword' } });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'password' });
      expect((await me(access)).status).toBe(200);
    });

    it('deletes the account and its data with the password: 204, tokens dead, login refused', async () => {
      const u = await account();
      const { access, refresh } = await login(u);
      const session = await call(t.app, 'POST', '/api/chat/sessions', { token: access, body: { title: 'Mine' } });
      expect(session.status).toBe(201);
      const res = await call(t.app, 'DELETE', '/api/auth/me', { token: access, body: { password: u.password } });
      expect(res.status).toBe(204);
      expect((await me(access)).status).toBe(401);
      expect((await call(t.app, 'POST', '/api/auth/refresh', { body: { refreshToken: refresh } })).status).toBe(401);
      expect((await login(u)).status).toBe(401);
      for (const table of ['users', 'chat_sessions', 'auth_sessions', 'refresh_tokens']) {
        const col = table === 'users' ? 'id' : 'user_id';
        const left = await t.database.pool.query(`select count(*)::int as n from ${table} where ${col} = $1`, [u.id]);
        expect(left.rows[0].n, table).toBe(0);
      }
    });

    it('confirms an account without a password by its username', async () => {
      const u = await account();
      const { access } = await login(u);
      await t.database.pool.query('update users set password_hash = null where id = $1', [u.id]);
      const wrong = await call(t.app, 'DELETE', '/api/auth/me', { token: access, body: { confirm: 'someone_else' } });
      expect(wrong.status).toBe(400);
      expect(wrong.body.detail.field).toBe('confirm');
      const res = await call(t.app, 'DELETE', '/api/auth/me', { token: access, body: { confirm: u.username } });
      expect(res.status).toBe(204);
      expect((await me(access)).status).toBe(401);
    });

    it('keeps the last administrator: 409 CONFLICT', async () => {
      await t.database.pool.query("update users set role = 'user' where role = 'admin'");
      const u = await account();
      await t.database.pool.query("update users set role = 'admin' where id = $1", [u.id]);
      const { access } = await login(u);
      const res = await call(t.app, 'DELETE', '/api/auth/me', { token: access, body: { password: u.password } });
      expect(res.status).toBe(409);
      expect(res.body.detail.code).toBe('CONFLICT');
      await t.database.pool.query("update users set role = 'user' where id = $1", [u.id]);
    });
  });
});

describe('forgot password without SMTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.cleanup());

  it('answers 202 all the same and makes no token (only an admin can issue a link)', async () => {
    const u = newUser();
    const reg = await call(t.app, 'POST', '/api/auth/register', { body: u });
    const res = await call(t.app, 'POST', '/api/auth/password/forgot', { body: { email: u.email } });
    expect(res.status).toBe(202);
    const rows = await t.database.pool.query('select count(*)::int as n from password_resets where user_id = $1', [
      reg.body.id,
    ]);
    expect(rows.rows[0].n).toBe(0);
  });
});
