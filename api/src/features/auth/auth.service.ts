// Account rules: registration (unique names and emails), login by username or email, logout, the current user.
import type { LoginResponse, User, UserRole } from '@chatbot/shared';
import type { AppContext } from '../../context.js';
import type { AuthUser } from '../../http/app-env.js';
import { AppError, errors } from '../../http/app-error.js';
import { DUPLICATE_ERRORS } from '../../http/error-handler.js';
import type { Logger } from '../../lib/logger.js';
import { insertRegistered, precheckRegistration } from '../admin/registration.js';
import { type AuthRepo, createAuthRepo, type UserRow } from './auth.repo.js';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.js';

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

export function createAuthService(
  ctx: Pick<AppContext, 'db' | 'tokens' | 'config'>,
  repo: AuthRepo = createAuthRepo(ctx.db),
) {
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
    ): Promise<LoginResponse> {
      const login = input.username;
      const row = login.includes('@') ? await repo.findByEmail(login.toLowerCase()) : await repo.findByUsername(login);
      // No account, or one without a local password (single sign-on): the same bcrypt cost, the same answer.
      const ok = row?.passwordHash
        ? await verifyPassword(input.password, row.passwordHash)
        : await verifyAgainstDummy(input.password);
      if (!row || !ok) {
        // The attempted name is not logged: people sometimes type their password into it.
        log.info({ event: 'auth.login_failed', ...(row ? { userId: row.id } : {}) }, 'login failed');
        throw new AppError('AUTHENTICATION_FAILED', LOGIN_FAILED);
      }
      // Said only to whoever knows the password: a disabled account is no secret from its owner.
      if (!row.isActive) throw new AppError('ACCOUNT_DISABLED', 'This account is disabled; ask an administrator');
      const token = await ctx.tokens.issue(row.id, { method: 'password', ...meta });
      const lastLoginAt = await repo.touchLogin(row.id);
      log.info({ event: 'auth.login', userId: row.id }, 'user logged in');
      const user = toUser({ ...row, lastLoginAt });
      return {
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
      };
    },

    async logout(user: AuthUser, log: Logger): Promise<void> {
      await ctx.tokens.revoke(user);
      log.info({ event: 'auth.logout', userId: user.id }, 'user logged out');
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
