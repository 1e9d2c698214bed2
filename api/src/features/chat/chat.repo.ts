// SQL for chat sessions; the message tree and the turn statements are in their own files. No business rules here:
// the service decides, the repo reads and writes.
import type { SessionSort } from '@chatbot/shared';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { chatSessions } from '../../db/schema/index.js';
import { createMessageTreeRepo } from './message-tree.repo.js';
import { createTurnRepo } from './turn.repo.js';

// Explicit columns: the table also holds a search vector, which chat never needs to read back.
const sessionColumns = {
  id: chatSessions.id,
  userId: chatSessions.userId,
  title: chatSessions.title,
  titled: chatSessions.titled,
  createdAt: chatSessions.createdAt,
  updatedAt: chatSessions.updatedAt,
  currentLeafId: chatSessions.currentLeafId,
  systemPrompt: chatSessions.systemPrompt,
  model: chatSessions.model,
  temperature: chatSessions.temperature,
  pinned: chatSessions.pinned,
};
export type SessionRow = Pick<typeof chatSessions.$inferSelect, keyof typeof sessionColumns>;
/** A database handle or an open transaction. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

export interface SessionListRow {
  id: number;
  title: string;
  /** ISO 8601 in UTC with milliseconds, as `Date#toISOString` writes it (formatted by PostgreSQL, see below). */
  createdAt: string;
  updatedAt: string;
  messageCount: number;
  pinned: boolean;
}

/** The settings PATCH may change; undefined leaves one as it is, null clears it. */
export interface SessionPatch {
  title?: string;
  systemPrompt?: string | null;
  model?: string | null;
  temperature?: number | null;
  pinned?: boolean;
}

// Pinned sessions first, whatever the sort; the id breaks ties, so paging is stable when two sessions share a timestamp.
const ORDER_BY: Record<SessionSort, string> = {
  updated_at_desc: 'p.pinned desc, p.updated_at desc, p.id desc',
  updated_at_asc: 'p.pinned desc, p.updated_at asc, p.id asc',
  created_at_desc: 'p.pinned desc, p.created_at desc, p.id desc',
  created_at_asc: 'p.pinned desc, p.created_at asc, p.id asc',
};

/**
 * The session list, one named (prepared) statement per sort: the most frequent read is parsed and planned once per
 * connection instead of on every call. One query: the page of sessions, each one's message count (a lateral count
 * over the session's index), and the user's total, which is there even when the page is empty (offset past the end).
 * The timestamps come back already written as the API writes them: parsing 40 timestamps per page into Dates (a
 * regex each) and writing them back out was ~9% of the app's CPU under the reads benchmark.
 */
const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const LIST_SESSIONS = Object.fromEntries(
  Object.entries(ORDER_BY).map(([sort, order]) => [
    sort,
    {
      name: `chat.listSessions.${sort}`,
      text: `
        with t as (select count(*)::int as total from chat_sessions where user_id = $1),
        p as (
          select id, title, created_at, updated_at, pinned from chat_sessions p
          where user_id = $1
          order by ${order}
          limit $2 offset $3
        )
        select t.total, p.id, p.title, p.pinned, c.message_count,
          to_char(p.created_at at time zone 'UTC', ${ISO_UTC}) as created_at,
          to_char(p.updated_at at time zone 'UTC', ${ISO_UTC}) as updated_at
        from t
        left join p on true
        left join lateral (
          select count(*)::int as message_count from messages m where m.session_id = p.id
        ) c on p.id is not null
        order by ${order}`,
    },
  ]),
) as Record<SessionSort, { name: string; text: string }>;

export function createChatRepo(db: Db) {
  return {
    ...createMessageTreeRepo(db),
    ...createTurnRepo(db),
    async listSessions(
      userId: number,
      q: { limit: number; offset: number; sort: SessionSort },
    ): Promise<{ rows: SessionListRow[]; total: number }> {
      const result = await db.$client.query<{
        total: number;
        id: number | null;
        title: string | null;
        created_at: string | null;
        updated_at: string | null;
        pinned: boolean | null;
        message_count: number | null;
      }>({ ...LIST_SESSIONS[q.sort], values: [userId, q.limit, q.offset] });
      const total = Number(result.rows[0]?.total ?? 0);
      const rows = result.rows
        .filter((r) => r.id !== null)
        .map((r) => ({
          id: r.id!,
          title: r.title!,
          createdAt: r.created_at!,
          updatedAt: r.updated_at!,
          messageCount: Number(r.message_count ?? 0),
          pinned: r.pinned === true,
        }));
      return { rows, total };
    },

    async insertSession(userId: number, title: string, titled: boolean, tx: DbOrTx = db): Promise<SessionRow> {
      const [row] = await tx.insert(chatSessions).values({ userId, title, titled }).returning(sessionColumns);
      return row!;
    },

    async findSession(sessionId: number): Promise<SessionRow | undefined> {
      const [row] = await db.select(sessionColumns).from(chatSessions).where(eq(chatSessions.id, sessionId));
      return row;
    },

    /**
     * Changes only the fields given; a new title also marks the session as named by its user. Only a rename counts
     * as activity (updatedAt): pinning or a settings change must not reorder the list by recency.
     */
    async updateSession(sessionId: number, patch: SessionPatch): Promise<SessionRow> {
      const set: Partial<typeof chatSessions.$inferInsert> = {};
      if (patch.title !== undefined) Object.assign(set, { title: patch.title, titled: true });
      if (patch.systemPrompt !== undefined) set.systemPrompt = patch.systemPrompt;
      if (patch.model !== undefined) set.model = patch.model;
      if (patch.temperature !== undefined) set.temperature = patch.temperature;
      if (patch.pinned !== undefined) set.pinned = patch.pinned;
      const [row] = await db
        .update(chatSessions)
        .set(patch.title !== undefined ? { ...set, updatedAt: sql`now()` } : set)
        .where(eq(chatSessions.id, sessionId))
        .returning(sessionColumns);
      return row!;
    },

    /** Its messages (and their chunk logs) go with it: the foreign keys cascade. */
    async deleteSession(sessionId: number): Promise<boolean> {
      const rows = await db
        .delete(chatSessions)
        .where(eq(chatSessions.id, sessionId))
        .returning({ id: chatSessions.id });
      return rows.length > 0;
    },
  };
}

export type ChatRepo = ReturnType<typeof createChatRepo>;
