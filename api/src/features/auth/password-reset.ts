// Password-reset tokens: 32 random bytes (base64url), stored as SHA-256, single use, 30 minutes. Made by "forgot
// password" (mailed) or by an admin (the console shows the link); spent by POST /api/auth/password/reset.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { type Clock, systemClock } from '../../lib/clock.js';
import { hashSecret } from './api-key.js';

export const RESET_TOKEN_MINUTES = 30;

export interface IssuedPasswordReset {
  /** `<PUBLIC_URL>/reset-password?token=…` (relative when no public URL is given). */
  url: string;
  token: string;
  expiresAt: Date;
}

export interface IssueResetOptions {
  /** The address users reach (config.publicUrl): the link is never built from a request's Host. */
  publicUrl?: string;
  clock?: Clock;
}

/** The page of the UI that takes a reset token. */
export function resetLink(publicUrl: string | undefined, token: string): string {
  return `${(publicUrl ?? '').replace(/\/+$/, '')}/reset-password?token=${encodeURIComponent(token)}`;
}

/**
 * A new reset link for `userId`, valid 30 minutes, single use. `createdBy`: the admin issuing it (null when the user
 * asked by mail). The admin console calls this (`POST /api/admin/users/{id}/password-reset`) with
 * `{ publicUrl: ctx.config.publicUrl, clock: ctx.clock }`; it writes no audit entry itself.
 */
export async function issuePasswordReset(
  db: Db,
  userId: number,
  createdBy: number | null,
  opts: IssueResetOptions = {},
): Promise<IssuedPasswordReset> {
  const clock = opts.clock ?? systemClock;
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(clock.now().getTime() + RESET_TOKEN_MINUTES * 60_000);
  await db.execute(sql`
    insert into password_resets (token_hash, user_id, created_at, expires_at, created_by)
    values (${hashSecret(token)}, ${userId}, ${clock.now().toISOString()}, ${expiresAt.toISOString()}, ${createdBy})`);
  return { url: resetLink(opts.publicUrl, token), token, expiresAt };
}

/**
 * Spends a reset token: the user it was for, or undefined when it is unknown, used or expired. Every other
 * outstanding token of that user is spent with it (one reset ends them all).
 */
export async function consumePasswordReset(
  db: Pick<Db, 'execute'>,
  token: string,
  clock: Clock = systemClock,
): Promise<number | undefined> {
  const result = await db.execute<{ user_id: number }>(sql`
    update password_resets set used_at = now()
    where token_hash = ${hashSecret(token)} and used_at is null and expires_at > ${clock.now().toISOString()}
    returning user_id`);
  const userId = result.rows[0]?.user_id;
  if (userId === undefined) return undefined;
  await db.execute(sql`update password_resets set used_at = now() where user_id = ${userId} and used_at is null`);
  return userId;
}

/** Reset tokens asked for this user within the last `minutes` (bounds how many mails one address can be sent). */
export async function recentResets(db: Db, userId: number, minutes: number, clock: Clock = systemClock) {
  const since = new Date(clock.now().getTime() - minutes * 60_000);
  const result = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from password_resets
    where user_id = ${userId} and created_by is null and created_at > ${since.toISOString()}`);
  return Number(result.rows[0]?.n ?? 0);
}
