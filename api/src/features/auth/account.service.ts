// The account's own settings: change the password, forgot / reset by mail, delete the account. Every change that
// should end logins ends them through the token service, so every process drops them at once.
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import type { AuthUser } from '../../http/app-env.js';
import { AppError, errors } from '../../http/app-error.js';
import type { Logger } from '../../lib/logger.js';
import { recordAudit } from '../audit/audit.js';
import { type AuthRepo, createAuthRepo } from './auth.repo.js';
import type { Mailer } from './mailer.js';
import { consumePasswordReset, issuePasswordReset, RESET_TOKEN_MINUTES, recentResets } from './password-reset.js';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.js';

/** The one answer to "forgot password", whether or not the address has an account. */
export const FORGOT_MESSAGE = 'If an account with that email exists, we have sent it a link to reset the password.';
/**
 * "Forgot" answers no sooner than this, known address or not: the work for a known one (a token, a mail handed to the
 * mail server in the background) must not show in the time.
 */
export const FORGOT_MIN_MS = 250;
/** At most this many reset mails per account per 15 minutes (more are dropped silently; the answer is the same). */
const RESET_MAILS_PER_15_MIN = 5;

/** Where a request came from, for the audit log. */
export interface RequestMeta {
  ip?: string;
  userAgent?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createAccountService(
  ctx: Pick<AppContext, 'db' | 'tokens' | 'clock' | 'config'>,
  mailer: Mailer,
  repo: AuthRepo = createAuthRepo(ctx.db),
) {
  const setPassword = (userId: number, passwordHash: string) =>
    ctx.db.execute(sql`update users set password_hash = ${passwordHash} where id = ${userId}`);

  async function mailResetLink(userId: number, email: string, username: string, log: Logger): Promise<void> {
    if ((await recentResets(ctx.db, userId, 15, ctx.clock)) >= RESET_MAILS_PER_15_MIN) {
      log.info({ event: 'auth.reset_throttled', userId }, 'reset mail not sent: too many asked for recently');
      return;
    }
    const { url } = await issuePasswordReset(ctx.db, userId, null, {
      publicUrl: ctx.config.publicUrl,
      clock: ctx.clock,
    });
    await mailer.send({
      to: email,
      subject: 'Reset your Chatbot password',
      text: [
        `Hello ${username},`,
        '',
        'Someone (hopefully you) asked to reset the password of your Chatbot account.',
        `Open this link within ${RESET_TOKEN_MINUTES} minutes to choose a new one:`,
        '',
        url,
        '',
        'If you did not ask for this, ignore this mail: your password stays as it is.',
      ].join('\n'),
    });
    log.info({ event: 'auth.reset_mailed', userId }, 'password reset link mailed');
  }

  return {
    /** Checks the current password, sets the new one, and logs out every other device. */
    async changePassword(
      user: AuthUser,
      input: { currentPassword: string; newPassword: string },
      meta: RequestMeta,
      log: Logger,
    ): Promise<void> {
      const row = await repo.findById(user.id);
      if (!row) throw errors.tokenInvalid();
      const ok = row.passwordHash
        ? await verifyPassword(input.currentPassword, row.passwordHash)
        : await verifyAgainstDummy(input.currentPassword);
      if (!ok) throw errors.validation('currentPassword is not your current password', 'currentPassword');
      await setPassword(user.id, await hashPassword(input.newPassword));
      await ctx.tokens.endSessions(user.id, {
        reason: 'password_change',
        ...(user.sessionId ? { except: user.sessionId } : {}),
      });
      await recordAudit(
        ctx.db,
        { action: 'password.change', actorId: user.id, actorName: user.username, targetId: user.id, ...meta },
        log,
      );
      log.info({ event: 'auth.password_change', userId: user.id }, 'password changed');
    },

    /**
     * Mails a reset link when the address belongs to an active account. The same answer, in about the same time,
     * either way: the mail goes out in the background.
     */
    async forgotPassword(email: string, log: Logger): Promise<void> {
      const started = performance.now();
      const row = await repo.findByEmail(email);
      if (row?.isActive && mailer.enabled) {
        mailResetLink(row.id, row.email, row.username, log).catch((err: Error) =>
          log.warn({ err: { message: err.message }, userId: row.id }, 'password reset mail failed'),
        );
      } else if (row?.isActive) {
        log.info({ event: 'auth.reset_no_smtp', userId: row.id }, 'no SMTP_URL: an admin can issue a reset link');
      }
      const left = FORGOT_MIN_MS - (performance.now() - started);
      if (left > 0) await sleep(left);
    },

    /** Spends a reset token and sets the password; every device of the user is logged out. */
    async resetPassword(input: { token: string; newPassword: string }, meta: RequestMeta, log: Logger): Promise<void> {
      // Hashed before the token is spent, so a slow hash cannot leave a spent token and an old password.
      const passwordHash = await hashPassword(input.newPassword);
      const userId = await ctx.db.transaction(async (tx) => {
        const id = await consumePasswordReset(tx, input.token, ctx.clock);
        if (id !== undefined) await tx.execute(sql`update users set password_hash = ${passwordHash} where id = ${id}`);
        return id;
      });
      if (userId === undefined) {
        throw new AppError('RESET_TOKEN_INVALID', 'This reset link is invalid, used or expired; ask for a new one');
      }
      await ctx.tokens.endSessions(userId, { reason: 'password_reset' });
      const row = await repo.findById(userId);
      await recordAudit(
        ctx.db,
        { action: 'password.reset', actorId: userId, actorName: row?.username ?? null, targetId: userId, ...meta },
        log,
      );
      log.info({ event: 'auth.password_reset', userId }, 'password reset');
    },

    /**
     * Deletes the account and (by the foreign keys' cascades) everything it owns. Confirmed by the password, or by
     * the username for an account that has none. The last active admin cannot leave the install without one.
     */
    async deleteAccount(
      user: AuthUser,
      input: { password?: string | undefined; confirm?: string | undefined },
      meta: RequestMeta,
      log: Logger,
    ): Promise<void> {
      const row = await repo.findById(user.id);
      if (!row) throw errors.tokenInvalid();
      if (row.passwordHash) {
        const ok = await verifyPassword(input.password ?? '', row.passwordHash);
        if (!ok) throw errors.validation('password is not your password', 'password');
      } else if (input.confirm !== row.username) {
        throw errors.validation('confirm must be your username, to confirm the deletion', 'confirm');
      }
      if (row.role === 'admin') {
        const others = await ctx.db.execute<{ n: number }>(sql`
          select count(*)::int as n from users where role = 'admin' and is_active and id <> ${user.id}`);
        if (Number(others.rows[0]?.n ?? 0) === 0) {
          throw new AppError('CONFLICT', 'You are the only administrator: make someone else one before leaving');
        }
      }
      await ctx.db.execute(sql`delete from users where id = ${user.id}`);
      await ctx.tokens.publish({ scope: 'user', userId: user.id });
      await recordAudit(
        ctx.db,
        {
          action: 'user.delete',
          actorId: null,
          actorName: row.username,
          targetId: null,
          ...meta,
          detail: { userId: user.id, self: true },
        },
        log,
      );
      log.info({ event: 'auth.account_deleted', userId: user.id }, 'account deleted by its owner');
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
