// The one SDK client of the app. The access token lives in localStorage (shared by the tabs); the refresh token is an
// HttpOnly cookie the page never sees. The token is refreshed shortly before it expires and on any 401, one tab at a
// time (the Web Locks API), so a person who keeps working is never logged out; a refresh that fails returns to /login.
import { ApiError, createClient } from '@chatbot/shared';
import { createSignal } from 'solid-js';

const TOKEN_KEY = 'chatbot.token';
/** When the stored token expires, in this browser's clock (the server's clock may differ). */
const EXPIRES_KEY = 'chatbot.tokenExpiresAt';
const LOCK_NAME = 'chatbot.refresh';
/** Refreshed this long before expiry (a fifth of the lifetime for very short ones). */
const REFRESH_AHEAD_MS = 60_000;

function read(key: string): string | undefined {
  try {
    return localStorage.getItem(key) ?? undefined;
  } catch {
    return undefined;
  }
}

function write(key: string, value: string | undefined): void {
  try {
    if (value) localStorage.setItem(key, value);
    else localStorage.removeItem(key);
  } catch {
    // storage blocked: the value lives for this page only
  }
}

/** The JWT's own lifetime (exp - iat), in ms; undefined for anything that is not one. */
function lifetimeOf(token: string): number | undefined {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as {
      exp?: number;
      iat?: number;
    };
    return payload.exp && payload.iat ? (payload.exp - payload.iat) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

const [token, setTokenSignal] = createSignal<string | undefined>(read(TOKEN_KEY));
let expiresAt = Number(read(EXPIRES_KEY)) || undefined;

/** The access token (reactive): undefined when logged out. */
export { token };

const refreshedListeners = new Set<() => void>();
/** Called after every refresh (here or in another tab): an open WebSocket reconnects with the new token. */
export function onTokenRefreshed(cb: () => void): () => void {
  refreshedListeners.add(cb);
  return () => refreshedListeners.delete(cb);
}
const announceRefreshed = () => {
  for (const cb of refreshedListeners) cb();
};

/** Sets (or clears) the token; `expiresIn` (seconds) as the server said, else the token's own lifetime. */
export function setToken(next: string | undefined, expiresIn?: number): void {
  setTokenSignal(next);
  const lifetime = expiresIn !== undefined ? expiresIn * 1000 : next ? lifetimeOf(next) : undefined;
  expiresAt = next && lifetime !== undefined ? Date.now() + lifetime : undefined;
  write(TOKEN_KEY, next);
  write(EXPIRES_KEY, expiresAt ? String(expiresAt) : undefined);
  schedule();
}

function refreshAhead(): number {
  const lifetime = token() ? lifetimeOf(token()!) : undefined;
  return Math.min(REFRESH_AHEAD_MS, lifetime ? lifetime / 5 : REFRESH_AHEAD_MS);
}

const expiringSoon = () => expiresAt !== undefined && expiresAt - Date.now() < refreshAhead();

let timer: ReturnType<typeof setTimeout> | undefined;
/** The next refresh, shortly before the token expires. */
function schedule(): void {
  if (timer) clearTimeout(timer);
  timer = undefined;
  const current = token();
  if (!current || expiresAt === undefined) return;
  const delay = Math.max(0, expiresAt - refreshAhead() - Date.now());
  // Timers sleep with the laptop: a wake-up is caught by the visibility check below as well.
  timer = setTimeout(() => void refreshAccessToken(current).catch(() => {}), Math.min(delay, 2_147_000_000));
}

let inFlight: Promise<string | undefined> | undefined;

/**
 * A fresh access token: refreshes through the cookie unless another tab did so already while this one waited for
 * the lock (then its token, in localStorage, is used). `failed` is the token that was refused or is expiring.
 * Resolves undefined when the login is over (the refresh was refused).
 */
export function refreshAccessToken(failed?: string): Promise<string | undefined> {
  inFlight ??= withLock(() => refreshOnce(failed)).finally(() => {
    inFlight = undefined;
  });
  return inFlight;
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? await locks.request(LOCK_NAME, fn) : fn();
}

async function refreshOnce(failed: string | undefined): Promise<string | undefined> {
  const stored = read(TOKEN_KEY);
  const storedExpiry = Number(read(EXPIRES_KEY)) || undefined;
  if (stored && stored !== failed && storedExpiry && storedExpiry - Date.now() > refreshAhead()) {
    if (stored !== token()) {
      setTokenSignal(stored);
      expiresAt = storedExpiry;
      schedule();
      announceRefreshed();
    }
    return stored;
  }
  try {
    const res = await api.auth.refresh();
    setToken(res.accessToken, res.expiresIn);
    announceRefreshed();
    return res.accessToken;
  } catch (err) {
    // Refused: the login has ended (logged out elsewhere, revoked, expired). Anything else (offline) may pass.
    if (err instanceof ApiError && err.status === 401) return undefined;
    throw err;
  }
}

if (typeof window !== 'undefined') {
  // Another tab refreshed, logged in or logged out: follow it.
  window.addEventListener('storage', (e) => {
    if (e.key !== TOKEN_KEY) return;
    const next = e.newValue ?? undefined;
    setTokenSignal(next);
    expiresAt = Number(read(EXPIRES_KEY)) || (next ? Date.now() + (lifetimeOf(next) ?? 0) : undefined);
    schedule();
    if (next) announceRefreshed();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && token() && expiringSoon()) {
      void refreshAccessToken(token()).catch(() => {});
    }
  });
}

/** Called on any 401 that a refresh could not cure; the router registers the navigation. */
let unauthorizedHandler: () => void = () => {
  if (location.pathname !== '/login') location.assign('/login');
};
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

export const api = createClient({
  baseUrl: '',
  token: () => token(),
  // A 401 of a call with a token: refresh (one tab at a time) and try the call once more.
  refreshAccessToken: (failed) => refreshAccessToken(failed),
  onUnauthorized: () => {
    setToken(undefined);
    unauthorizedHandler();
  },
  // Responses are checked by the SDK's tests and the API's; the browser skips the work.
  validate: false,
});

schedule();

export type Api = typeof api;
