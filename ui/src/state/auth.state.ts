// Who is logged in: the token (in lib/api) plus the user it belongs to, and the login/register/logout actions and
// the account's own ones (password, devices, deleting it).
import type { LoginRequest, RegisterRequest } from '@chatbot/shared';
import { createSignal } from 'solid-js';
import { api, refreshAccessToken, setToken, token } from '../lib/api';

export interface CurrentUser {
  id: number;
  username: string;
  email: string;
  /** `admin` sees the admin console (the API checks it on every admin route). */
  role?: 'admin' | 'user';
}

const USER_KEY = 'chatbot.user';

function readUser(): CurrentUser | undefined {
  try {
    const raw = localStorage.getItem(USER_KEY);
    return raw ? (JSON.parse(raw) as CurrentUser) : undefined;
  } catch {
    return undefined;
  }
}

const [user, setUserSignal] = createSignal<CurrentUser | undefined>(readUser());

export { user };

function setUser(next: CurrentUser | undefined): void {
  setUserSignal(next);
  try {
    if (next) localStorage.setItem(USER_KEY, JSON.stringify(next));
    else localStorage.removeItem(USER_KEY);
  } catch {
    // storage blocked: kept for this page only
  }
}

export const isLoggedIn = () => Boolean(token());

export async function login(body: LoginRequest): Promise<void> {
  const res = await api.auth.login(body);
  setToken(res.accessToken, res.expiresIn);
  setUser(res.user);
}

/** Registers, then logs straight in so the user lands in the chat. */
export async function register(body: RegisterRequest): Promise<void> {
  await api.auth.register(body);
  await login({ username: body.username, password: body.password });
}

export async function logout(): Promise<void> {
  try {
    if (token()) await api.auth.logout();
  } catch {
    // the token is dropped locally whatever the server says
  }
  clearSession();
}

/** Forgets the token and the user (401 anywhere, logout). */
export function clearSession(): void {
  setToken(undefined);
  setUser(undefined);
}

/** Changes the password; the server logs out every other device, this one stays. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  await api.auth.changePassword({ currentPassword, newPassword });
}

/** Logs out every device, this one included. */
export async function logoutEverywhere(): Promise<void> {
  try {
    await api.auth.logoutAll();
  } finally {
    clearSession();
  }
}

/** Deletes the account (confirmed by the password, or the username for an account without one), then forgets it. */
export async function deleteAccount(confirm: { password: string } | { confirm: string }): Promise<void> {
  await api.auth.deleteAccount(confirm);
  clearSession();
}

/**
 * Signs in from the refresh cookie alone (after single sign-on, or a browser whose stored token was lost): true when
 * the cookie still works. Quiet when there is none.
 */
export async function resumeFromCookie(): Promise<boolean> {
  const fresh = await refreshAccessToken(undefined).catch(() => undefined);
  if (!fresh) return false;
  try {
    setUser(await api.auth.me());
    return true;
  } catch {
    return false;
  }
}
