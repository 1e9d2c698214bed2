// TEMPORARY (swap for identity's `issuePasswordReset(db, userId, createdBy)` from features/auth once it is on main):
// a password-reset link an admin hands over. Same table, token form and lifetime as the identity issue describes,
// so the identity feature's reset route accepts these tokens unchanged.
import { randomBytes } from 'node:crypto';
import type { PasswordResetLink } from '@chatbot/shared';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { hashSecret } from '../auth/api-key.js';

/** Reset tokens live 30 minutes (CONTRACT.md, Identity). */
const RESET_MINUTES = 30;

export async function issuePasswordResetLocal(
  db: Db,
  userId: number,
  createdBy: number,
  publicUrl: string,
): Promise<PasswordResetLink> {
  const token = randomBytes(32).toString('base64url');
  const res = await db.execute<{ expires_at: string | Date }>(sql`
    insert into password_resets (token_hash, user_id, created_by, expires_at)
    values (${hashSecret(token)}, ${userId}, ${createdBy}, now() + make_interval(mins => ${RESET_MINUTES}))
    returning expires_at`);
  return {
    token,
    url: `${publicUrl}/reset-password?token=${encodeURIComponent(token)}`,
    expiresAt: new Date(res.rows[0]!.expires_at).toISOString(),
  };
}
