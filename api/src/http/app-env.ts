// The typed Hono context every route and middleware shares.
import { createFactory } from 'hono/factory';
import type { Logger } from '../lib/logger.js';

export interface AuthUser {
  id: number;
  username: string;
  email: string;
  /** The token's id and expiry, so logout can revoke exactly this token. */
  jti: string;
  tokenExpiresAt: Date;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    user: AuthUser;
  };
}

export const factory = createFactory<AppEnv>();
