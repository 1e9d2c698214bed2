// Refresh tokens: 32 random bytes (base64url) per token, only their SHA-256 stored. Each works once: a refresh spends
// it and hands out the next of the same login family; a spent one presented again is theft and ends the family.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { errors } from '../../http/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { hashSecret } from './api-key.js';
import type { TokenService } from './tokens.js';

export interface IssuedRefresh {
  token: string;
  expiresAt: Date;
}

export interface RefreshTokens {
  /** A first (or next) refresh token of login `sessionId`, living REFRESH_TOKEN_EXPIRE_DAYS. */
  create(userId: number, sessionId: string): Promise<IssuedRefresh>;
  /**
   * Spends `token` and returns its login and the next token. Unknown, expired, or of an ended login: 401. Already
   * spent: the whole login is ended (and announced to every process), then 401 TOKEN_INVALID.
   */
  rotate(token: string): Promise<{ userId: number; sessionId: string; next: IssuedRefresh }>;
  /** The login a refresh token (spent or not) belongs to: logout by the cookie. */
  loginOf(token: string): Promise<{ userId: number; sessionId: string } | undefined>;
}

/** Sweeping spent and expired tokens at most this often (they are kept until expiry to recognise a replay). */
const SWEEP_EVERY_MS = 60 * 60_000;

export function createRefreshTokens(opts: {
  db: Db;
  clock: Clock;
  tokens: TokenService;
  expireDays: number;
  logger?: Logger;
}): RefreshTokens {
  const { db, clock } = opts;
  let lastSweep = 0;

  const expiry = () => new Date(clock.now().getTime() + opts.expireDays * 86_400_000);

  async function insert(exec: Pick<Db, 'execute'>, userId: number, sessionId: string): Promise<IssuedRefresh> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = expiry();
    await exec.execute(sql`
      insert into refresh_tokens (token_hash, session_id, user_id, expires_at)
      values (${hashSecret(token)}, ${sessionId}, ${userId}, ${expiresAt.toISOString()})`);
    return { token, expiresAt };
  }

  async function sweep(): Promise<void> {
    const now = Date.now();
    if (now - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now;
    await db
      .execute(sql`delete from refresh_tokens where expires_at < ${clock.now().toISOString()}`)
      .catch((err: Error) => opts.logger?.warn({ err: { message: err.message } }, 'refresh token sweep failed'));
  }

  async function loginOf(token: string): Promise<{ userId: number; sessionId: string } | undefined> {
    const result = await db.execute<{ user_id: number; session_id: string }>(
      sql`select user_id, session_id from refresh_tokens where token_hash = ${hashSecret(token)}`,
    );
    const row = result.rows[0];
    return row ? { userId: row.user_id, sessionId: row.session_id } : undefined;
  }

  return {
    loginOf,

    async create(userId, sessionId) {
      await sweep();
      return insert(db, userId, sessionId);
    },

    async rotate(token) {
      const hash = hashSecret(token);
      type Spent = { user_id: number; session_id: string; expires_at: string | Date; ended: boolean; active: boolean };
      const outcome = await db.transaction(async (tx) => {
        // Spending is one conditional update: of two requests racing with one token, exactly one gets the row.
        const spent = await tx.execute<Spent>(sql`
          update refresh_tokens r set used_at = now()
          from auth_sessions s, users u
          where r.token_hash = ${hash} and r.used_at is null and s.id = r.session_id and u.id = r.user_id
          returning r.user_id, r.session_id, r.expires_at, s.revoked_at is not null as ended, u.is_active as active`);
        const row = spent.rows[0];
        if (!row) return { kind: 'missing' as const };
        if (row.ended) return { kind: 'ended' as const };
        if (!row.active) return { kind: 'disabled' as const };
        if (new Date(row.expires_at).getTime() <= clock.now().getTime()) return { kind: 'expired' as const };
        await tx.execute(sql`update auth_sessions set last_used_at = now() where id = ${row.session_id}`);
        const next = await insert(tx, row.user_id, row.session_id);
        return { kind: 'ok' as const, userId: row.user_id, sessionId: row.session_id, next };
      });
      switch (outcome.kind) {
        case 'ok':
          return { userId: outcome.userId, sessionId: outcome.sessionId, next: outcome.next };
        case 'ended':
          throw errors.tokenInvalid('This login has ended; log in again');
        case 'disabled':
          throw errors.tokenInvalid('This account is disabled');
        case 'expired':
          throw errors.tokenExpired();
        case 'missing': {
          const login = await loginOf(token);
          if (!login) throw errors.tokenInvalid();
          // Spent already: someone holds a copy. End every token of that login, on every process.
          opts.logger?.warn(
            { event: 'auth.refresh_reuse', userId: login.userId, sessionId: login.sessionId },
            'a spent refresh token was presented again: the login is ended',
          );
          await opts.tokens.endSessions(login.userId, { sessionId: login.sessionId, reason: 'refresh_reuse' });
          throw errors.tokenInvalid('This refresh token was already used; the login has been ended for safety');
        }
      }
    },
  };
}
