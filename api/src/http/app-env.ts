// The typed Hono context every route and middleware shares.
import { createFactory } from 'hono/factory';
import type { Logger } from '../lib/logger.js';

export type UserRole = 'admin' | 'user';

/** Who a request comes from, and with which credential (an access token of one login, or an API key). */
export interface AuthUser {
  id: number;
  username: string;
  email: string;
  role: UserRole;
  credential: 'access' | 'apikey';
  /** The access token's id (`key:<id>` for an API key), e.g. for logs. */
  jti: string;
  /** When the credential stops working by itself: the token's expiry, a key's (null: a key that never expires). */
  tokenExpiresAt: Date | null;
  /** The login (device) an access token descends from; null for an API key. */
  sessionId: string | null;
  apiKeyId: number | null;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    user: AuthUser;
  };
}

export const factory = createFactory<AppEnv>();
