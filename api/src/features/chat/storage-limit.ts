// MAX_STORAGE_BYTES_PER_USER: how much one user may keep, counted as the bytes of their messages' text and of their
// uploaded files. Checked where data arrives in bulk (an import, a file upload) inside the transaction that stores
// it, after the lock that serialises that user's writes of that kind. Typed messages are not checked one by one:
// each is capped at MESSAGE_MAX_LENGTH, rate-limited and counted by the quotas, so they cannot jump past it.
import { sql } from 'drizzle-orm';
import { AppError } from '../../http/app-error.js';
import type { DbOrTx } from './chat.repo.js';

const MB = 1024 * 1024;
const mb = (n: number) => `${(n / MB).toFixed(n < 10 * MB ? 1 : 0)} MB`;

/** The bytes a user keeps now: their messages' text and their files. */
export async function storedBytes(tx: DbOrTx, userId: number): Promise<number> {
  const res = await tx.execute<{ bytes: string | number }>(sql`
    select (select coalesce(sum(octet_length(m.content)), 0)
              from messages m join chat_sessions s on s.id = m.session_id where s.user_id = ${userId})
         + (select coalesce(sum(f.size), 0) from files f where f.user_id = ${userId}) as bytes`);
  return Number(res.rows[0]?.bytes ?? 0);
}

/** Throws 409 LIMIT_REACHED when `adding` bytes would take the user past `max` (0 = no limit). */
export async function checkStorageLimit(tx: DbOrTx, userId: number, adding: number, max: number): Promise<void> {
  if (max <= 0) return;
  const have = await storedBytes(tx, userId);
  if (have + adding > max) {
    throw new AppError(
      'LIMIT_REACHED',
      `This needs ${mb(adding)} and you keep ${mb(have)} of the ${mb(max)} allowed: delete conversations or files first`,
    );
  }
}
