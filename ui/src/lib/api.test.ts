// The app's token handling: a 401 refreshes through the cookie once (concurrent calls share it) and the call is sent
// again; a token another tab stored meanwhile is adopted without a refresh; a refused refresh logs out.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, onUnauthorized, refreshAccessToken, setToken, token } from './api';

/** A JWT-shaped token (unsigned: the page only reads its lifetime). */
function jwt(name: string, lifetimeS = 1800): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'HS256' })}.${part({ sub: name, iat: now, exp: now + lifetimeS })}.sig`;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const me = {
  id: 1,
  username: 'lan',
  email: 'lan@example.com',
  createdAt: '',
  role: 'user',
  isActive: true,
  lastLoginAt: null,
};

let calls: { url: string; auth: string | null }[] = [];
let refreshAnswer: () => Response;
let valid: string;

beforeEach(() => {
  calls = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init: RequestInit = {}) => {
      const auth = new Headers(init.headers).get('authorization');
      calls.push({ url: input, auth });
      if (input === '/api/auth/refresh') return refreshAnswer();
      return auth === `Bearer ${valid}`
        ? json(200, me)
        : json(401, { detail: { code: 'TOKEN_EXPIRED', message: 'x' } });
    }),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
  setToken(undefined);
});

describe('the app token', () => {
  it('refreshes once on a 401 for all the calls waiting, and sends each again with the new token', async () => {
    const old = jwt('old');
    valid = jwt('new');
    setToken(old);
    refreshAnswer = () => json(200, { accessToken: valid, tokenType: 'Bearer', expiresIn: 1800 });
    const results = await Promise.all([api.auth.me(), api.auth.me(), api.auth.me()]);
    expect(results.map((r) => r.username)).toEqual(['lan', 'lan', 'lan']);
    expect(calls.filter((c) => c.url === '/api/auth/refresh')).toHaveLength(1);
    expect(token()).toBe(valid);
    expect(localStorage.getItem('chatbot.token')).toBe(valid);
  });

  it('adopts a token another tab stored while this one waited, without refreshing', async () => {
    const old = jwt('old');
    valid = jwt('from another tab');
    setToken(old);
    // Another tab refreshed: its token is in the shared storage already.
    localStorage.setItem('chatbot.token', valid);
    localStorage.setItem('chatbot.tokenExpiresAt', String(Date.now() + 1_800_000));
    refreshAnswer = () => json(500, {});
    expect(await refreshAccessToken(old)).toBe(valid);
    expect(calls.filter((c) => c.url === '/api/auth/refresh')).toHaveLength(0);
    expect(token()).toBe(valid);
  });

  it('logs out when the refresh is refused', async () => {
    valid = jwt('never handed out');
    setToken(jwt('old'));
    refreshAnswer = () => json(401, { detail: { code: 'TOKEN_INVALID', message: 'x' } });
    const left = vi.fn();
    onUnauthorized(left);
    await expect(api.auth.me()).rejects.toMatchObject({ status: 401 });
    expect(left).toHaveBeenCalledTimes(1);
    expect(token()).toBeUndefined();
  });
});
