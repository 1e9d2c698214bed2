// Account rules: registration (unique names and emails), login by username or email, refresh, logout, devices, the
// current user.
import type { AuthSession, LoginResponse, RefreshResponse, User, UserRole } from '@chatbot/shared';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import type { AuthUser } from '../../http/app-env.js';
import { AppError, errors } from '../../http/app-error.js';
import { DUPLICATE_ERRORS } from '../../http/error-handler.js';
import type { Logger } from '../../lib/logger.js';
import { insertRegistered, precheckRegistration } from '../admin/registration.js';
import { recordAudit } from '../audit/audit.js';
import { type AuthRepo, createAuthRepo, type UserRow } from './auth.repo.js';
import { createLoginLimits } from './login-limits.js';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.js';
import { createRefreshTokens, type IssuedRefresh } from './refresh-tokens.js';

/** One message for an unknown user and a wrong password, so the answer does not reveal which usernames exist. */
const LOGIN_FAILED = 'Incorrect username or password';

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    createdAt: row.createdAt.toISOString(),
    role: row.role as UserRole,
    isActive: row.isActive,
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
  };
}

/** Where a login comes from: shown in the user's list of devices. */
export interface LoginMeta {
  userAgent?: string;
  ip?: string;
}

/** A login's answer, and the refresh token the route puts in the cookie (and in the body when asked). */
export interface LoginResult {
  body: LoginResponse;
  refresh: IssuedRefresh;
}

export interface RefreshResult {
  body: Omit<RefreshResponse, 'refreshToken'>;
  refresh: IssuedRefresh;
}

export function createAuthService(
  ctx: Pick<AppContext, 'db' | 'tokens' | 'clock' | 'config' | 'logger'>,
  repo: AuthRepo = createAuthRepo(ctx.db),
) {
  const refreshTokens = createRefreshTokens({
    db: ctx.db,
    clock: ctx.clock,
    tokens: ctx.tokens,
    expireDays: ctx.config.REFRESH_TOKEN_EXPIRE_DAYS,
    logger: ctx.logger,
  });
  const limits = createLoginLimits(ctx.db, ctx.clock);
  return {
    /** `input` is already validated: email lowercased, username trimmed (its case kept). */
    async register(
      input: { username: string; email: string; password: string; inviteToken?: string },
      log: Logger,
    ): Promise<User> {
      // REGISTRATION (closed, invite) first, so a refused registration learns nothing about existing names.
      await precheckRegistration(ctx.db, ctx.config, input);
      // Checked first for a friendly answer; the unique indexes still decide when two registrations race.
      if (await repo.findByUsername(input.username)) {
        throw DUPLICATE_ERRORS.username();
      }
      if (await repo.findByEmail(input.email)) {
        throw DUPLICATE_ERRORS.email();
      }
      const passwordHash = await hashPassword(input.password);
      // The first account of an install becomes its admin; an invite is spent with the account it admits.
      const row = await insertRegistered(ctx.db, ctx.config, input, (tx, role) =>
        repo.insert({ username: input.username, email: input.email, passwordHash, role }, tx),
      );
      log.info({ event: 'auth.register', userId: row.id, role: row.role }, 'user registered');
      return toUser(row);
    },

    /** `login` is a username or an email address (usernames cannot contain "@"). */
    async login(
      input: { username: string; password: string },
      log: Logger,
      meta: LoginMeta = {},
    ): Promise<LoginResult> {
      const login = input.username;
      const where = { ip: meta.ip ?? null, userAgent: meta.userAgent ?? null };
      // Locked identifiers are refused before any password check, known or not: the answer reveals nothing.
      const locked = await limits.lockedFor(login);
      if (locked > 0) throw errors.rateLimited(locked);
      const row = login.includes('@') ? await repo.findByEmail(login.toLowerCase()) : await repo.findByUsername(login);
      // No account, or one without a local password (single sign-on): the same bcrypt cost, the same answer.
      const ok = row?.passwordHash
        ? await verifyPassword(input.password, row.passwordHash)
        : await verifyAgainstDummy(input.password);
      if (!row || !ok) {
        const wait = await limits.fail(login);
        // The attempted name is neither logged nor audited: people sometimes type their password into it.
        const who = row ? { actorId: row.id, actorName: row.username, targetId: row.id } : {};
        log.info({ event: 'auth.login_failed', ...(row ? { userId: row.id } : {}) }, 'login failed');
        await recordAudit(ctx.db, { action: 'login.failed', ...who, ...where, detail: { knownAccount: !!row } }, log);
        if (wait > 0) {
          await recordAudit(ctx.db, { action: 'login.locked', ...who, ...where, detail: { knownAccount: !!row } }, log);
          log.warn({ event: 'auth.login_locked', ...(row ? { userId: row.id } : {}) }, 'login locked after failures');
          throw errors.rateLimited(wait);
        }
        throw new AppError('AUTHENTICATION_FAILED', LOGIN_FAILED);
      }
      // Said only to whoever knows the password: a disabled account is no secret from its owner.
      if (!row.isActive) throw new AppError('ACCOUNT_DISABLED', 'This account is disabled; ask an administrator');
      await limits.clear(login);
      const token = await ctx.tokens.issue(row.id, { method: 'password', ...meta });
      const refresh = await refreshTokens.create(row.id, token.sessionId);
      const lastLoginAt = await repo.touchLogin(row.id);
      log.info({ event: 'auth.login', userId: row.id }, 'user logged in');
      await recordAudit(
        ctx.db,
        { action: 'login.ok', actorId: row.id, actorName: row.username, targetId: row.id, ...where },
        log,
      );
      const user = toUser({ ...row, lastLoginAt });
      return {
        body: {
          accessToken: token.accessToken,
          tokenType: 'Bearer',
          expiresIn: token.expiresIn,
          user: {
            id: user.id,
            username: user.username,
            email: user.email,
            role: user.role,
            isActive: user.isActive,
            lastLoginAt: user.lastLoginAt,
          },
        },
        refresh,
      };
    },

    /** A login made elsewhere (single sign-on): a new login family with its first refresh token, audited. */
    async startLogin(
      user: { id: number; username: string },
      method: 'oidc' | 'password',
      meta: LoginMeta,
      log: Logger,
    ): Promise<IssuedRefresh> {
      const token = await ctx.tokens.issue(user.id, { method, ...meta });
      const refresh = await refreshTokens.create(user.id, token.sessionId);
      await repo.touchLogin(user.id);
      log.info({ event: 'auth.login', userId: user.id, method }, 'user logged in');
      await recordAudit(
        ctx.db,
        {
          action: 'login.ok',
          actorId: user.id,
          actorName: user.username,
          targetId: user.id,
          ip: meta.ip ?? null,
          userAgent: meta.userAgent ?? null,
          detail: { method },
        },
        log,
      );
      return refresh;
    },

    /** Spends a refresh token: a new access token of the same login and the next refresh token. */
    async refresh(token: string | undefined): Promise<RefreshResult> {
      if (!token) throw errors.unauthorized();
      const { userId, sessionId, next } = await refreshTokens.rotate(token);
      const access = await ctx.tokens.issue(userId, { sessionId });
      return {
        body: { accessToken: access.accessToken, tokenType: 'Bearer', expiresIn: access.expiresIn },
        refresh: next,
      };
    },

    /**
     * Ends the login the access token belongs to, and the one the refresh cookie names when that is another login of
     * the same user (a cookie of someone else is ignored).
     */
    async logout(user: AuthUser, log: Logger, refreshToken?: string): Promise<void> {
      await ctx.tokens.revoke(user);
      const byCookie = refreshToken ? await refreshTokens.loginOf(refreshToken) : undefined;
      if (byCookie && byCookie.userId === user.id && byCookie.sessionId !== user.sessionId) {
        await ctx.tokens.endSessions(user.id, { sessionId: byCookie.sessionId, reason: 'logout' });
      }
      log.info({ event: 'auth.logout', userId: user.id }, 'user logged out');
    },

    /** The user's open logins (devices), the most recently used first. */
    async devices(user: AuthUser): Promise<AuthSession[]> {
      const since = new Date(ctx.clock.now().getTime() - ctx.config.REFRESH_TOKEN_EXPIRE_DAYS * 86_400_000);
      const result = await ctx.db.execute<{
        id: string;
        user_agent: string | null;
        ip: string | null;
        created_at: string | Date;
        last_used_at: string | Date;
      }>(sql`
        select id, user_agent, ip, created_at, last_used_at from auth_sessions
        where user_id = ${user.id} and revoked_at is null and last_used_at > ${since.toISOString()}
        order by last_used_at desc, created_at desc
        limit 200`);
      return result.rows.map((r) => ({
        id: r.id,
        userAgent: r.user_agent,
        ip: r.ip,
        createdAt: new Date(r.created_at).toISOString(),
        lastUsedAt: new Date(r.last_used_at).toISOString(),
        current: r.id === user.sessionId,
      }));
    },

    /** Logs one device out; another user's (or an ended) login is 404. */
    async revokeDevice(user: AuthUser, sessionId: string): Promise<void> {
      const found = await ctx.db.execute(sql`
        select 1 from auth_sessions where id = ${sessionId} and user_id = ${user.id} and revoked_at is null`);
      if (found.rows.length === 0) throw errors.notFound('Device');
      await ctx.tokens.endSessions(user.id, { sessionId, reason: 'device_revoked' });
    },

    /** Every login of the user, this one included; API keys are not touched. */
    async logoutAll(user: AuthUser): Promise<void> {
      await ctx.tokens.endSessions(user.id, { reason: 'logout_all' });
    },

    async me(user: AuthUser): Promise<User> {
      const row = await repo.findById(user.id);
      // The token check just found this user; it can only be gone if deleted in between.
      if (!row) throw errors.tokenInvalid();
      return toUser(row);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
