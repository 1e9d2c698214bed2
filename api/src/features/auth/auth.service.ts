// Account rules: registration (unique names and emails), login by username or email, logout, the current user.
import type { LoginResponse, User } from '@chatbot/shared';
import type { AppContext } from '../../context.js';
import type { AuthUser } from '../../http/app-env.js';
import { AppError, errors } from '../../http/app-error.js';
import { DUPLICATE_ERRORS } from '../../http/error-handler.js';
import type { Logger } from '../../lib/logger.js';
import { type AuthRepo, createAuthRepo, type UserRow } from './auth.repo.js';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.js';

/** One message for an unknown user and a wrong password, so the answer does not reveal which usernames exist. */
const LOGIN_FAILED = 'Incorrect username or password';

function toUser(row: UserRow): User {
  return { id: row.id, username: row.username, email: row.email, createdAt: row.createdAt.toISOString() };
}

export function createAuthService(ctx: Pick<AppContext, 'db' | 'tokens'>, repo: AuthRepo = createAuthRepo(ctx.db)) {
  return {
    /** `input` is already validated: email lowercased, username trimmed (its case kept). */
    async register(input: { username: string; email: string; password: string }, log: Logger): Promise<User> {
      // Checked first for a friendly answer; the unique indexes still decide when two registrations race.
      if (await repo.findByUsername(input.username)) {
        throw DUPLICATE_ERRORS.username();
      }
      if (await repo.findByEmail(input.email)) {
        throw DUPLICATE_ERRORS.email();
      }
      const passwordHash = await hashPassword(input.password);
      const row = await repo.insert({ username: input.username, email: input.email, passwordHash });
      log.info({ event: 'auth.register', userId: row.id }, 'user registered');
      return toUser(row);
    },

    /** `login` is a username or an email address (usernames cannot contain "@"). */
    async login(input: { username: string; password: string }, log: Logger): Promise<LoginResponse> {
      const login = input.username;
      const row = login.includes('@') ? await repo.findByEmail(login.toLowerCase()) : await repo.findByUsername(login);
      const ok = row
        ? await verifyPassword(input.password, row.passwordHash)
        : await verifyAgainstDummy(input.password);
      if (!row || !ok) {
        // The attempted name is not logged: people sometimes type their password into it.
        log.info({ event: 'auth.login_failed', ...(row ? { userId: row.id } : {}) }, 'login failed');
        throw new AppError('AUTHENTICATION_FAILED', LOGIN_FAILED);
      }
      const token = await ctx.tokens.issue(row.id);
      log.info({ event: 'auth.login', userId: row.id }, 'user logged in');
      return {
        accessToken: token.accessToken,
        tokenType: 'Bearer',
        expiresIn: token.expiresIn,
        user: { id: row.id, username: row.username, email: row.email },
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
