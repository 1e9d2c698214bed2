// The one owned-session check: every chat, stream and transfer route asks it before touching a session.
import type { Db } from '../../db/client.js';
import { errors } from '../../http/app-error.js';
import { createChatRepo, type SessionRow } from './chat.repo.js';

/** The session row when `userId` owns it; 404 NOT_FOUND when missing, 403 FORBIDDEN when it is another user's. */
export async function requireOwnedSession(
  db: Db,
  userId: number,
  sessionId: number,
  repo = createChatRepo(db),
): Promise<SessionRow> {
  const row = await repo.findSession(sessionId);
  if (!row) throw errors.notFound('Session');
  if (row.userId !== userId) throw errors.forbidden();
  return row;
}
