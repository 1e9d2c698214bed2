// Single sign-on against a real OpenID Connect provider (oidc-provider) on 127.0.0.1, over HTTP with the app on a
// fresh PostgreSQL database: code flow with PKCE, state and nonce; new accounts, linking by verified email, unique
// usernames, refusals (unverified email, domain not allowed, a replayed callback), and the role following groups.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../../../test/harness.js';
import { startOidcProvider, type TestOidcProvider } from '../../../test/oidc-provider.js';

const PUBLIC_URL = 'http://chat.test';

describe('single sign-on with OpenID Connect', () => {
  let idp: TestOidcProvider;
  let t: TestApp;
  beforeAll(async () => {
    idp = await startOidcProvider();
    idp.configure(`${PUBLIC_URL}/api/auth/oidc/callback`);
    t = await createTestApp({
      PUBLIC_URL,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: 'chatbot',
      OIDC_CLIENT_SECRET: 'chatbot-client-secret',
      OIDC_NAME: 'Company SSO',
      OIDC_ADMIN_GROUPS: 'chat-admins',
      OIDC_ALLOWED_DOMAINS: 'corp.example',
    });
  });
  afterAll(async () => {
    await t?.cleanup();
    await idp?.close();
  });

  /** Follows the browser's path: our login → the provider (cookies kept) → back to our callback. */
  async function signIn(account: string): Promise<{ callbackUrl: URL; res: Response }> {
    idp.next.account = account;
    const start = await call(t.app, 'GET', '/api/auth/oidc/login');
    expect(start.status).toBe(302);
    let url = start.headers.get('location')!;
    const jar = new Map<string, string>();
    for (let hop = 0; hop < 10 && !url.startsWith(PUBLIC_URL); hop++) {
      const res = await fetch(url, {
        redirect: 'manual',
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const c of res.headers.getSetCookie()) {
        const pair = c.split(';')[0]!;
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      const location = res.headers.get('location');
      if (!location) throw new Error(`the provider answered ${res.status}: ${await res.text()}`);
      url = new URL(location, url).toString();
    }
    const callbackUrl = new URL(url);
    const res = await t.app.request(callbackUrl.pathname + callbackUrl.search);
    return { callbackUrl, res };
  }

  async function accessFrom(res: Response): Promise<string> {
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('chatbot_refresh='));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const refreshed = await call(t.app, 'POST', '/api/auth/refresh', { headers: { cookie: cookie!.split(';')[0]! } });
    expect(refreshed.status).toBe(200);
    return refreshed.body.accessToken as string;
  }

  it('publishes its configuration and sends the browser to the provider with PKCE S256, state and nonce', async () => {
    const cfg = await call(t.app, 'GET', '/api/auth/oidc/config');
    expect(cfg.status).toBe(200);
    expect(cfg.body).toEqual({ enabled: true, name: 'Company SSO', passwordLogin: true });
    const start = await call(t.app, 'GET', '/api/auth/oidc/login');
    const location = new URL(start.headers.get('location')!);
    expect(location.origin).toBe(idp.issuer);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(location.searchParams.get('state')).toBeTruthy();
    expect(location.searchParams.get('nonce')).toBeTruthy();
    expect(location.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/api/auth/oidc/callback`);
    expect(location.searchParams.get('scope')).toContain('openid');
  });

  it('creates an account from a verified email, named from preferred_username, and logs it in', async () => {
    idp.accounts.set('sub-lan', {
      email: 'Lan@corp.example',
      email_verified: true,
      preferred_username: 'Lan Nguyễn',
      groups: [],
    });
    const { res } = await signIn('sub-lan');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    const me = await call(t.app, 'GET', '/api/auth/me', { token: await accessFrom(res) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'Lan_Nguyen', email: 'lan@corp.example', role: 'user' });
    const row = await t.database.pool.query('select password_hash from users where id = $1', [me.body.id]);
    expect(row.rows[0].password_hash).toBeNull();
    const method = await t.database.pool.query('select method from auth_sessions where user_id = $1', [me.body.id]);
    expect(method.rows.map((r: { method: string }) => r.method)).toContain('oidc');

    // Signing in again finds the same account through the linked identity.
    const again = await signIn('sub-lan');
    const me2 = await call(t.app, 'GET', '/api/auth/me', { token: await accessFrom(again.res) });
    expect(me2.body.id).toBe(me.body.id);
  });

  it('links an existing account by its verified email, and makes a taken username unique', async () => {
    const local = { username: 'minh', email: 'minh@corp.example', password: 'Str0ngPassword' };
    const reg = await call(t.app, 'POST', '/api/auth/register', { body: local });
    idp.accounts.set('sub-minh', { email: 'minh@corp.example', email_verified: true, preferred_username: 'someone' });
    const linked = await signIn('sub-minh');
    const me = await call(t.app, 'GET', '/api/auth/me', { token: await accessFrom(linked.res) });
    expect(me.body.id).toBe(reg.body.id);
    expect(me.body.username).toBe('minh');

    idp.accounts.set('sub-other-minh', {
      email: 'minh.t@corp.example',
      email_verified: true,
      preferred_username: 'minh',
    });
    const fresh = await signIn('sub-other-minh');
    const other = await call(t.app, 'GET', '/api/auth/me', { token: await accessFrom(fresh.res) });
    expect(other.body.username).toBe('minh_2');
  });

  it('refuses an unverified email and a domain not allowed with a page that says so', async () => {
    idp.accounts.set('sub-unverified', { email: 'tuan@corp.example', email_verified: false });
    const unverified = await signIn('sub-unverified');
    expect(unverified.res.status).toBe(403);
    expect(unverified.res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await unverified.res.text()).toMatch(/not verified/);
    expect(unverified.res.headers.getSetCookie().some((c) => c.startsWith('chatbot_refresh='))).toBe(false);

    idp.accounts.set('sub-outsider', { email: 'eve@elsewhere.example', email_verified: true });
    const outsider = await signIn('sub-outsider');
    expect(outsider.res.status).toBe(403);
    expect(await outsider.res.text()).toMatch(/elsewhere\.example/);
    const users = await t.database.pool.query("select count(*)::int as n from users where email like '%elsewhere%'");
    expect(users.rows[0].n).toBe(0);
  });

  it('refuses a callback presented twice (state is single use) and one with a forged state', async () => {
    idp.accounts.set('sub-replay', { email: 'replay@corp.example', email_verified: true });
    const first = await signIn('sub-replay');
    expect(first.res.status).toBe(302);
    const replay = await t.app.request(first.callbackUrl.pathname + first.callbackUrl.search);
    expect(replay.status).toBe(400);
    const forged = await t.app.request('/api/auth/oidc/callback?code=abc&state=forged');
    expect(forged.status).toBe(400);
    expect(await forged.text()).toMatch(/expired or was already used/);
  });

  it('sets the role from the groups claim at each sign-in, keeping the last admin', async () => {
    idp.accounts.set('sub-boss', { email: 'boss@corp.example', email_verified: true, groups: ['chat-admins'] });
    const promoted = await signIn('sub-boss');
    const token = await accessFrom(promoted.res);
    const me = await call(t.app, 'GET', '/api/auth/me', { token });
    expect(me.body.role).toBe('admin');

    // Out of the group, but the only active admin: stays admin (never an install without one).
    await t.database.pool.query("update users set role = 'user' where role = 'admin' and id <> $1", [me.body.id]);
    idp.accounts.set('sub-boss', { email: 'boss@corp.example', email_verified: true, groups: [] });
    const kept = await signIn('sub-boss');
    expect((await call(t.app, 'GET', '/api/auth/me', { token: await accessFrom(kept.res) })).body.role).toBe('admin');

    // With another admin around, leaving the group demotes.
    idp.accounts.set('sub-deputy', { email: 'deputy@corp.example', email_verified: true, groups: ['chat-admins'] });
    await signIn('sub-deputy');
    const demoted = await signIn('sub-boss');
    expect((await call(t.app, 'GET', '/api/auth/me', { token: await accessFrom(demoted.res) })).body.role).toBe('user');
  });
});

describe('single sign-on turned off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.cleanup());

  it('says so in its configuration, and has no login route', async () => {
    const cfg = await call(t.app, 'GET', '/api/auth/oidc/config');
    expect(cfg.body).toEqual({ enabled: false, name: 'single sign-on', passwordLogin: true });
    expect((await call(t.app, 'GET', '/api/auth/oidc/login')).status).toBe(404);
    expect((await call(t.app, 'GET', '/api/auth/oidc/callback?code=x&state=y')).status).toBe(404);
  });
});
