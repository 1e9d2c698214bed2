// MAX_SESSIONS_PER_USER: how many conversations one user may keep, checked where sessions are made (a new session,
// an import) under one per-user lock, so two concurrent creations cannot both pass the last free place.
import { sql } from 'drizzle-orm';
import { AppError } from '../../http/app-error.js';
import type { DbOrTx } from './chat.repo.js';

/** The advisory-lock class of these checks (the second key is the user id). */
const SESSION_LIMIT_LOCK = 17_007;

/**
 * Inside a transaction: waits for the user's other session creations to commit, then throws 409 LIMIT_REACHED when
 * `adding` more sessions would take the user past `max` (0 = no limit). The lock ends with the transaction.
 */
export async function checkSessionLimit(tx: DbOrTx, userId: number, adding: number, max: number): Promise<void> {
  if (max <= 0) return;
  await tx.execute(sql`select pg_advisory_xact_lock(${SESSION_LIMIT_LOCK}, ${userId})`);
  const res = await tx.execute<{ n: number }>(
    sql`select count(*)::int as n from chat_sessions where user_id = ${userId}`,
  );
  const have = Number(res.rows[0]?.n ?? 0);
  if (have + adding > max) {
    const room = Math.max(0, max - have);
    throw new AppError(
      'LIMIT_REACHED',
      adding === 1 || room === 0
        ? `You have ${have} conversations, the most allowed (${max}): delete some first`
        : `This would make ${have + adding} conversations, more than the ${max} allowed: there is room for ${room}`,
    );
  }
}
