import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { chatSessions, messages } from '../../db/schema/index.js';
import type { DbOrTx } from './chat.repo.js';
import { fromSqlRow, type MessageRow, type MessageSqlRow, messageColumns, messageSqlColumns } from './message-row.js';

export function createMessageTreeRepo(db: Db) {
  return {
    /** Locks the session row for this transaction (one tree change at a time) and reads its current leaf. */
    async lockSession(tx: DbOrTx, sessionId: number): Promise<{ currentLeafId: number | null } | undefined> {
      const [row] = await tx
        .select({ currentLeafId: chatSessions.currentLeafId })
        .from(chatSessions)
        .where(eq(chatSessions.id, sessionId))
        .for('update');
      return row;
    },

    async setLeaf(tx: DbOrTx, sessionId: number, leafId: number): Promise<void> {
      await tx.update(chatSessions).set({ currentLeafId: leafId }).where(eq(chatSessions.id, sessionId));
    },

    /**
     * A session with no current leaf has never been part of the tree (messages written without parents, e.g. by
     * an import): chains its messages by id into one branch, as the migration did, and returns its new leaf.
     */
    async linkLinearHistory(tx: DbOrTx, sessionId: number): Promise<number | null> {
      await tx.execute(sql`
        update messages m set parent_id = p.prev_id
        from (select id, lag(id) over (order by id) as prev_id from messages where session_id = ${sessionId}) p
        where p.id = m.id and p.prev_id is not null and m.parent_id is null`);
      const res = await tx.execute<{ leaf: number | null }>(sql`
        update chat_sessions set current_leaf_id = (select max(id) from messages where session_id = ${sessionId})
        where id = ${sessionId} and current_leaf_id is null
          and exists (select 1 from messages where session_id = ${sessionId})
        returning current_leaf_id as leaf`);
      return res.rows[0]?.leaf ?? null;
    },

    async findMessage(messageId: number): Promise<MessageRow | undefined> {
      const [row] = await db.select(messageColumns).from(messages).where(eq(messages.id, messageId));
      return row;
    },

    /**
     * The branch ending at `leafId`, walked towards the root: the newest `limit` messages older than `before` (when
     * given), newest first, plus one to tell if more exist. Ancestors always have smaller ids than descendants.
     */
    async pageBranch(leafId: number, q: { limit: number; before?: number }): Promise<MessageRow[]> {
      const res = await db.execute<MessageSqlRow>(sql`
        with recursive b as (
          select ${messageSqlColumns()} from messages where id = ${leafId}
          union all
          select ${messageSqlColumns('m')} from messages m join b on m.id = b.parent_id
        )
        select ${messageSqlColumns()} from b
        ${q.before === undefined ? sql`` : sql`where id < ${q.before}`}
        limit ${q.limit + 1}`);
      return res.rows.map(fromSqlRow);
    },

    /** For each message, the ids sharing its parent (the roots of its session for a root), oldest first. */
    async siblingIds(sessionId: number, messageIds: number[]): Promise<Map<number, number[]>> {
      if (messageIds.length === 0) return new Map();
      const res = await db.execute<{ id: number; ids: number[] }>(sql`
        select m.id, case when m.parent_id is null
          then (select array_agg(s.id order by s.id) from messages s where s.session_id = ${sessionId} and s.parent_id is null)
          else (select array_agg(s.id order by s.id) from messages s where s.parent_id = m.parent_id)
        end as ids
        from messages m
        where m.id in (${sql.join(
          messageIds.map((i) => sql`${i}`),
          sql`, `,
        )})`);
      return new Map(res.rows.map((r) => [r.id, r.ids.map(Number)]));
    },

    /** From a message down to the end of its latest branch: at each step the newest child. */
    async latestDescendant(messageId: number): Promise<number> {
      const res = await db.execute<{ id: number }>(sql`
        with recursive d as (
          select ${messageId}::int as id, 0 as depth
          union all
          select c.id, d.depth + 1 from d
          cross join lateral (select id from messages where parent_id = d.id order by id desc limit 1) c
        )
        select id from d order by depth desc limit 1`);
      return res.rows[0]?.id ?? messageId;
    },

    /** True while the session has an answer being generated. */
    async hasStreaming(sessionId: number): Promise<boolean> {
      const [row] = await db
        .select({ id: messages.id })
        .from(messages)
        .where(and(eq(messages.sessionId, sessionId), eq(messages.status, 'streaming')))
        .limit(1);
      return row !== undefined;
    },

    /**
     * The history an answer may see along its branch: the final, non-empty ancestors of `fromId` (itself included
     * when final), newest first, at most `limit`, each with its parent so the next page starts there.
     */
    /** Newest first from `fromId`; each text read only `contentChars` far (what a token budget could hold). */
    async branchHistory(
      fromId: number,
      limit: number,
      contentChars = 2_147_483_647,
    ): Promise<{ id: number; role: string; content: string; parentId: number | null }[]> {
      const res = await db.execute<{ id: number; role: string; content: string; parent_id: number | null }>(sql`
        with recursive b as (
          select id, role, content, status, parent_id from messages where id = ${fromId}
          union all
          select m.id, m.role, m.content, m.status, m.parent_id from messages m join b on m.id = b.parent_id
        )
        select id, role, left(content, ${contentChars}::int) as content, parent_id from b
        where status in ('complete', 'stopped') and content <> ''
        limit ${limit}`);
      return res.rows.map((r) => ({ id: r.id, role: r.role, content: r.content, parentId: r.parent_id }));
    },

    async insertMessage(
      tx: DbOrTx,
      m: {
        sessionId: number;
        role: 'user' | 'assistant';
        content: string;
        status: MessageRow['status'];
        model?: string;
        parentId?: number | null;
      },
    ): Promise<MessageRow> {
      const [row] = await tx
        .insert(messages)
        .values({
          sessionId: m.sessionId,
          role: m.role,
          content: m.content,
          status: m.status,
          model: m.model ?? null,
          parentId: m.parentId ?? null,
        })
        .returning(messageColumns);
      return row!;
    },
  };
}
