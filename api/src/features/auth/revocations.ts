// What can end a credential, as every API process hears of it: a login (device), all of a user's logins, an API key,
// or the whole account (disabled, deleted, forced out). Announced on one PostgreSQL channel; sockets close on it.
import type { AuthUser } from '../../http/app-env.js';

export const AUTH_CHANNEL = 'auth_revoked';

export type Revocation =
  /** One login family: logout, a device revoked, a refresh token presented twice (theft). */
  | { scope: 'session'; userId: number; sessionId: string }
  /** Every login of the user but `exceptSessionId`: log out everywhere, a password change or reset. Keys stay. */
  | { scope: 'sessions'; userId: number; exceptSessionId?: string }
  | { scope: 'key'; userId: number; keyId: number }
  /** The account itself: disabled, deleted or forced out by an admin. Every credential and socket ends. */
  | { scope: 'user'; userId: number }
  /** Name or role changed: copies held in caches are stale, nothing is revoked. */
  | { scope: 'profile'; userId: number };

/** True when `r` ends the credential `user` authenticated with. */
export function revokes(r: Revocation, user: AuthUser): boolean {
  if (r.userId !== user.id) return false;
  switch (r.scope) {
    case 'user':
      return true;
    case 'session':
      return user.sessionId === r.sessionId;
    case 'sessions':
      return user.sessionId !== null && user.sessionId !== r.exceptSessionId;
    case 'key':
      return user.apiKeyId === r.keyId;
    case 'profile':
      return false;
  }
}

export function parseRevocation(payload: string): Revocation | undefined {
  try {
    const r = JSON.parse(payload) as Revocation;
    return typeof r === 'object' && r !== null && typeof r.userId === 'number' && typeof r.scope === 'string'
      ? r
      : undefined;
  } catch {
    return undefined;
  }
}
