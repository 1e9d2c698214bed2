// The SDK's identity methods against the real API on a real port: a self-refreshing client (refresh token in the
// body, rotated, told through onTokens), a caller's refresher retried once on a 401, devices, passwords and keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from './api.test-support.js';
import { createClient, type HeldTokens } from './client.js';
import { ApiError } from './errors.js';

let api: RunningApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api?.close());

let seq = 0;
async function account() {
  seq += 1;
  const u = { username: `sdk_id_${seq}`, email: `sdk_id_${seq}@example.com`, password: 'Str0ngPassword' };
  await createClient({ baseUrl: api.baseUrl }).auth.register(u);
  return u;
}

describe('identity in the SDK', () => {
  it('refreshes on its own after a login with returnRefreshToken, and reports each rotated pair', async () => {
    const u = await account();
    const seen: HeldTokens[] = [];
    const client = createClient({ baseUrl: api.baseUrl, onTokens: (t) => seen.push(t) });
    const res = await client.auth.login({ username: u.username, password: u.password, returnRefreshToken: true });
    expect(res.refreshToken).toBeTruthy();
    expect(seen).toHaveLength(1);
    expect(client.heldTokens()).toEqual({ accessToken: res.accessToken, refreshToken: res.refreshToken });

    // A client whose access token the server refuses (as an expired one), holding the real refresh token.
    const forged = createClient({
      baseUrl: api.baseUrl,
      token: 'ey.forged.token',
      refreshToken: res.refreshToken!,
      onTokens: (t) => seen.push(t),
    });
    const me = await forged.auth.me();
    expect(me.username).toBe(u.username);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.refreshToken).not.toBe(res.refreshToken);
    expect(forged.heldTokens().accessToken).toBe(seen[1]!.accessToken);
    // Concurrent calls share one refresh (a refresh token works once).
    const again = createClient({
      baseUrl: api.baseUrl,
      token: 'ey.forged.token',
      refreshToken: seen[1]!.refreshToken!,
    });
    const all = await Promise.all([again.auth.me(), again.auth.me(), again.sessions.list()]);
    expect(all[0].username).toBe(u.username);
  });

  it('calls the given refresher on a 401, retries once, and reports unauthorized when it has nothing', async () => {
    const u = await account();
    const login = await createClient({ baseUrl: api.baseUrl }).auth.login(u);
    let token = 'ey.expired.token';
    let asked = 0;
    let unauthorized = 0;
    const client = createClient({
      baseUrl: api.baseUrl,
      token: () => token,
      refreshAccessToken: async (failed) => {
        asked += 1;
        expect(failed).toBe('ey.expired.token');
        token = login.accessToken;
        return token;
      },
      onUnauthorized: () => {
        unauthorized += 1;
      },
    });
    expect((await client.auth.me()).username).toBe(u.username);
    expect(asked).toBe(1);
    expect(unauthorized).toBe(0);

    const hopeless = createClient({
      baseUrl: api.baseUrl,
      token: 'ey.expired.token',
      refreshAccessToken: async () => undefined,
      onUnauthorized: () => {
        unauthorized += 1;
      },
    });
    await expect(hopeless.auth.me()).rejects.toMatchObject({ status: 401 });
    expect(unauthorized).toBe(1);
  });

  it('lists and revokes devices, changes the password, and manages API keys', async () => {
    const u = await account();
    const client = createClient({ baseUrl: api.baseUrl });
    await client.auth.login({ ...u, returnRefreshToken: true });
    const other = createClient({ baseUrl: api.baseUrl });
    await other.auth.login(u);

    const { sessions } = await client.auth.sessions();
    expect(sessions).toHaveLength(2);
    const notMe = sessions.find((s) => !s.current)!;
    await client.auth.revokeSession(notMe.id);
    await expect(other.auth.me()).rejects.toBeInstanceOf(ApiError);

    const created = await client.keys.create({ name: 'sdk key' });
    expect(created.key).toMatch(/^cbk_/);
    const keyed = createClient({ baseUrl: api.baseUrl, token: created.key });
    expect((await keyed.auth.me()).username).toBe(u.username);
    await expect(keyed.keys.list()).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((await client.keys.list()).keys.map((k) => k.id)).toEqual([created.id]);
    await client.keys.revoke(created.id);
    await expect(keyed.auth.me()).rejects.toMatchObject({ status: 401 });

    const wrong = await client.auth
      .changePassword({ currentPassword: 'Wr0ngPassword', newPassword: 'N3w passphrase' })
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({ status: 400, field: 'currentPassword' });
    expect(
      (await client.auth.changePassword({ currentPassword: u.password, newPassword: 'N3w passphrase' })).message,
    ).toBeTruthy();
    expect((await client.auth.forgotPassword({ email: u.email })).message).toBeTruthy();
    await client.auth.logoutAll();
    await expect(client.auth.me()).rejects.toMatchObject({ status: 401 });
  });
});
