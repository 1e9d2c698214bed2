// The SDK's operations methods against the real API on a real port: usage, every admin method (204s included),
// responses checked against the contracts, and QUOTA_EXCEEDED as an ApiError with resetAt and retryAfter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from './api.test-support.js';
import { createClient } from './client.js';
import { ApiError } from './errors.js';

const PASSWORD = 'Correct horse 42';
let api: RunningApi;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api?.close());

async function signedIn(username: string) {
  const anonymous = createClient({ baseUrl: api.baseUrl, validate: true });
  await anonymous.auth.register({ username, email: `${username}@example.com`, password: PASSWORD });
  const { accessToken, user } = await anonymous.auth.login({ username, password: PASSWORD });
  return { client: createClient({ baseUrl: api.baseUrl, token: accessToken, validate: true }), user };
}

describe('operations in the SDK', () => {
  it('covers usage and every admin method, validated against the contracts', async () => {
    const { client: admin, user: me } = await signedIn('sdk_admin');
    expect(me.role).toBe('admin');
    const { client: member, user: target } = await signedIn('sdk_member');

    const usage = await member.usage({ groupBy: 'model' });
    expect(usage).toMatchObject({ groupBy: 'model', rows: [], used: { messagesToday: 0 } });

    const overview = await admin.admin.overview(3);
    expect(overview.byDay).toHaveLength(3);
    const list = await admin.admin.users.list({ q: 'sdk_', limit: 10 });
    expect(list.total).toBe(2);
    expect((await admin.admin.users.get(target.id)).username).toBe('sdk_member');
    const patched = await admin.admin.users.update(target.id, { quota: { messagesPerDay: 1 } });
    expect(patched.quota.messagesPerDay).toBe(1);
    const reset = await admin.admin.users.passwordReset(target.id);
    expect(reset.url).toContain(reset.token);
    const invite = await admin.admin.createInvite({ expiresInHours: 1 });
    expect(invite.url).toContain(invite.token);
    const audit = await admin.admin.audit({ targetId: target.id });
    // Newest first; the target's own sign-in (login.ok) is audited too.
    expect(audit.entries.map((e) => e.action).filter((a) => a !== 'login.ok')).toEqual([
      'password.reset.issue',
      'user.quota',
    ]);

    // A quota refusal carries when it resets.
    const session = await member.sessions.create({ title: 'q' });
    await member.messages.send(session.id, 'one');
    const refused = await member.messages.send(session.id, 'two').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    const err = refused as ApiError;
    expect(err).toMatchObject({ status: 429, code: 'QUOTA_EXCEEDED' });
    expect(Date.parse(err.resetAt ?? '')).toBeGreaterThan(Date.now());
    expect(err.retryAfter).toBeGreaterThan(0);

    await expect(admin.admin.users.logout(target.id)).resolves.toBeUndefined();
    await expect(member.auth.me()).rejects.toMatchObject({ status: 401 });
    await expect(admin.admin.users.delete(target.id)).resolves.toBeUndefined();
    await expect(admin.admin.users.get(target.id)).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
    // A non-admin is refused with FORBIDDEN.
    const { client: other } = await signedIn('sdk_other');
    await expect(other.admin.overview()).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });
});
