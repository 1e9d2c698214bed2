// The refresh cookie: `chatbot_refresh`, HttpOnly, SameSite=Strict, Path=/api/auth (sent to nothing else), Secure when
// the request came over TLS (or, behind a trusted proxy, X-Forwarded-Proto says https).
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../../http/app-env.js';
import type { IssuedRefresh } from './refresh-tokens.js';

export const REFRESH_COOKIE = 'chatbot_refresh';
const COOKIE_PATH = '/api/auth';

export function overTls(c: Context<AppEnv>, trustProxy: boolean): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  if (!trustProxy) return false;
  const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return proto === 'https';
}

export function readRefreshCookie(c: Context<AppEnv>): string | undefined {
  return getCookie(c, REFRESH_COOKIE) || undefined;
}

export function setRefreshCookie(c: Context<AppEnv>, refresh: IssuedRefresh, trustProxy: boolean): void {
  setCookie(c, REFRESH_COOKIE, refresh.token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: COOKIE_PATH,
    secure: overTls(c, trustProxy),
    expires: refresh.expiresAt,
    maxAge: Math.max(0, Math.floor((refresh.expiresAt.getTime() - Date.now()) / 1000)),
  });
}

export function clearRefreshCookie(c: Context<AppEnv>, trustProxy: boolean): void {
  deleteCookie(c, REFRESH_COOKIE, {
    httpOnly: true,
    sameSite: 'Strict',
    path: COOKIE_PATH,
    secure: overTls(c, trustProxy),
  });
}
