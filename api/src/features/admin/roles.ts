// Admin roles: ADMIN_USERNAMES promoted at start, `chatbot admin promote`, and the rule that an install always keeps
// one active admin (the last one cannot be demoted, disabled or deleted: 409 CONFLICT).
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { AppError } from '../../http/app-error.js';
import type { Logger } from '../../lib/logger.js';
import type { DbOrTx } from './registration.js';

export const lastAdminError = () =>
  new AppError('CONFLICT', 'This is the last active administrator: promote another user first');

/** Makes these users admins (usernames any case). Returns the names not found. */
export async function promoteUsers(db: Db, usernames: string[]): Promise<{ promoted: string[]; missing: string[] }> {
  if (usernames.length === 0) return { promoted: [], missing: [] };
  const lowered = usernames.map((u) => u.toLowerCase());
  const res = await db.execute<{ username: string }>(sql`
    update users set role = 'admin'
    where lower(username) = any(${sql.param(lowered)}::text[])
    returning username`);
  const found = new Set(res.rows.map((r) => r.username.toLowerCase()));
  return { promoted: res.rows.map((r) => r.username), missing: usernames.filter((u) => !found.has(u.toLowerCase())) };
}

/** ADMIN_USERNAMES at start: each existing account named becomes an admin; names not found are logged. */
export async function promoteConfiguredAdmins(db: Db, usernames: string[], log: Logger): Promise<void> {
  if (usernames.length === 0) return;
  const { promoted, missing } = await promoteUsers(db, usernames);
  if (promoted.length) log.info({ usernames: promoted }, 'ADMIN_USERNAMES: promoted to admin');
  if (missing.length) log.warn({ usernames: missing }, 'ADMIN_USERNAMES: no such account (yet)');
}

/**
 * Inside a transaction about to change user `userId`: locks every active admin row, and refuses (409) when the
 * change would leave none. Two admins demoting each other at once: the second waits for the first and is refused.
 */
export async function guardLastAdmin(tx: DbOrTx, userId: number, losesAdmin: boolean): Promise<void> {
  if (!losesAdmin) return;
  const res = await tx.execute<{ id: number }>(
    sql`select id from users where role = 'admin' and is_active order by id for update`,
  );
  const ids = res.rows.map((r) => Number(r.id));
  if (ids.includes(userId) && ids.length <= 1) throw lastAdminError();
}
