// SQL for chat sessions and messages. No business rules here: the service decides, the repo reads and writes.
import type { SessionSort } from '@chatbot/shared';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { chatSessions, messages } from '../../db/schema/index.js';
import { fromSqlRow, type MessageRow, type MessageSqlRow, messageColumns, messageSqlColumns } from './message-row.js';

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
  createdAt: Date;
  updatedAt: Date;
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
const ORDER_BY: Record<SessionSort, SQL> = {
  updated_at_desc: sql`p.pinned desc, p.updated_at desc, p.id desc`,
  updated_at_asc: sql`p.pinned desc, p.updated_at asc, p.id asc`,
  created_at_desc: sql`p.pinned desc, p.created_at desc, p.id desc`,
  created_at_asc: sql`p.pinned desc, p.created_at asc, p.id asc`,
};

/** A reservation that takes nothing: the CTE `quota` holds a row whenever the gate holds. */
const NO_RESERVATION = (gate: SQL) => sql`quota as (select 1 where ${gate})`;

/** What appendTurnChecked did: nothing (and why), or the stored turn with what its prompt needs. */
export type AppendOutcome =
  | { kind: 'missing' | 'foreign' | 'needs-tree' | 'quota' }
  | {
      kind: 'stored';
      user: MessageRow;
      assistant: MessageRow;
      temperature: number | null;
      systemPrompt: string | null;
      history: { id: number; role: string; content: string; parentId: number | null }[];
    };

export function createChatRepo(db: Db) {
  return {
    /**
     * One query: the page of sessions, each one's message count (a lateral count over the session's index), and
     * the user's total, which is there even when the page is empty (offset past the end).
     */
    async listSessions(
      userId: number,
      q: { limit: number; offset: number; sort: SessionSort },
    ): Promise<{ rows: SessionListRow[]; total: number }> {
      const order = ORDER_BY[q.sort];
      const result = await db.execute<{
        total: number;
        id: number | null;
        title: string | null;
        created_at: string | Date | null;
        updated_at: string | Date | null;
        pinned: boolean | null;
        message_count: number | null;
      }>(sql`
        with t as (select count(*)::int as total from chat_sessions where user_id = ${userId}),
        p as (
          select id, title, created_at, updated_at, pinned from chat_sessions p
          where user_id = ${userId}
          order by ${order}
          limit ${q.limit} offset ${q.offset}
        )
        select t.total, p.id, p.title, p.created_at, p.updated_at, p.pinned, c.message_count
        from t
        left join p on true
        left join lateral (
          select count(*)::int as message_count from messages m where m.session_id = p.id
        ) c on p.id is not null
        order by ${order}`);
      const total = Number(result.rows[0]?.total ?? 0);
      const rows = result.rows
        .filter((r) => r.id !== null)
        .map((r) => ({
          id: r.id!,
          title: r.title!,
          createdAt: new Date(r.created_at!),
          updatedAt: new Date(r.updated_at!),
          messageCount: Number(r.message_count ?? 0),
          pinned: r.pinned === true,
        }));
      return { rows, total };
    },

    async insertSession(userId: number, title: string, titled: boolean): Promise<SessionRow> {
      const [row] = await db.insert(chatSessions).values({ userId, title, titled }).returning(sessionColumns);
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

    /** Its messages (and their chunk logs) go with it: the foreign keys cascade. */
    async deleteSession(sessionId: number): Promise<boolean> {
      const rows = await db
        .delete(chatSessions)
        .where(eq(chatSessions.id, sessionId))
        .returning({ id: chatSessions.id });
      return rows.length > 0;
    },

    /**
     * The history an answer may see along its branch: the final, non-empty ancestors of `fromId` (itself included
     * when final), newest first, at most `limit`, each with its parent so the next page starts there.
     */
    async branchHistory(
      fromId: number,
      limit: number,
    ): Promise<{ id: number; role: string; content: string; parentId: number | null }[]> {
      const res = await db.execute<{ id: number; role: string; content: string; parent_id: number | null }>(sql`
        with recursive b as (
          select id, role, content, status, parent_id from messages where id = ${fromId}
          union all
          select m.id, m.role, m.content, m.status, m.parent_id from messages m join b on m.id = b.parent_id
        )
        select id, role, content, parent_id from b
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

    /**
     * A new turn at the end of the current branch, checked and stored in one statement (its own transaction): the
     * hot path every streamed answer starts from, so one round trip instead of three. With the session row locked:
     * refuses (stores nothing) when the session is missing, someone else's, or has messages but no tree yet (the
     * caller repairs it and asks again); otherwise stores the user message under the current leaf and an empty
     * `streaming` answer under it (the model asked for, else the session's if still offered, else the default),
     * moves the leaf to the answer, bumps updatedAt, names an untitled session from `titleIfUntitled`, and returns
     * the branch the prompt continues (up to `historyLimit` messages with text, newest first, as branchHistory).
     */
    async appendTurnChecked(t: {
      userId: number;
      sessionId: number;
      content: string;
      /** Already checked against the offered models (null: none asked for). */
      requestedModel: string | null;
      models: string[];
      defaultModel: string;
      titleIfUntitled: string | null;
      historyLimit: number;
      /**
       * The quota reservation (features/usage: CTEs `qlim` and `quota`, gated on `s`): the turn is stored only when it
       * reserved the answer, and the answer's ledger row is written with it, so the check costs no round trip.
       * Without one, nothing is counted.
       */
      reservation?: (gate: SQL) => SQL;
    }): Promise<AppendOutcome> {
      const res = await db.execute<{
        reserved: number;
        session: { userId: number; needsTree: boolean; temperature: number | null; systemPrompt: string | null } | null;
        user: MessageSqlRow | null;
        assistant: MessageSqlRow | null;
        history: { id: number; role: string; content: string; parent_id: number | null }[] | null;
      }>(sql`
        with recursive s as (
          select c.id, c.user_id, c.current_leaf_id, c.model, c.temperature, c.system_prompt,
            c.current_leaf_id is null and exists (select 1 from messages m where m.session_id = c.id) as needs_tree
          from chat_sessions c where c.id = ${t.sessionId} for update
        ), ${(t.reservation ?? NO_RESERVATION)(sql`exists (select 1 from s where s.user_id = ${t.userId} and not s.needs_tree)`)}, ok as (
          select * from s where s.user_id = ${t.userId} and not s.needs_tree and exists (select 1 from quota)
        ), u as (
          insert into messages (session_id, role, content, status, parent_id)
          select ok.id, 'user', ${t.content}, 'complete', ok.current_leaf_id from ok
          returning ${messageSqlColumns()}
        ), a as (
          insert into messages (session_id, role, content, status, model, parent_id)
          select u.session_id, 'assistant', '', 'streaming',
            coalesce(${t.requestedModel}::text,
              case when ok.model = any(${sql.param(t.models)}::text[]) then ok.model end, ${t.defaultModel}::text),
            u.id
          from u cross join ok
          returning ${messageSqlColumns()}
        ), led as (
          insert into usage_ledger (user_id, session_id, message_id, kind, model)
          select ${t.userId}, a.session_id, a.id, 'answer', a.model from a
        ), moved as (
          update chat_sessions c set current_leaf_id = a.id, updated_at = now(),
            title = case when c.titled or ${t.titleIfUntitled}::text is null then c.title else ${t.titleIfUntitled}::text end,
            titled = c.titled or ${t.titleIfUntitled}::text is not null
          from a where c.id = a.session_id
        ), b as (
          -- The statement's snapshot: the branch as it was, up from the old leaf (the new rows are not in it).
          select id, role, content, status, parent_id from messages where id = (select current_leaf_id from ok)
          union all
          select m.id, m.role, m.content, m.status, m.parent_id from messages m join b on m.id = b.parent_id
        )
        select
          (select count(*) from quota)::int as reserved,
          (select json_build_object('userId', s.user_id, 'needsTree', s.needs_tree, 'temperature', s.temperature,
             'systemPrompt', s.system_prompt) from s) as session,
          (select row_to_json(u) from u) as "user",
          (select row_to_json(a) from a) as assistant,
          -- Recursion yields the branch newest first and stops once the limit is reached.
          (select json_agg(h) from (
             select id, role, content, parent_id from b
             where status in ('complete', 'stopped') and content <> ''
             limit ${t.historyLimit}) h) as history`);
      const row = res.rows[0];
      const session = row?.session;
      if (!session) return { kind: 'missing' };
      if (session.userId !== t.userId) return { kind: 'foreign' };
      if (session.needsTree) return { kind: 'needs-tree' };
      if (!row.reserved) return { kind: 'quota' };
      if (!row.user || !row.assistant) return { kind: 'needs-tree' };
      return {
        kind: 'stored',
        user: fromSqlRow(row.user),
        assistant: fromSqlRow(row.assistant),
        temperature: session.temperature,
        systemPrompt: session.systemPrompt,
        history: (row.history ?? []).map((h) => ({
          id: h.id,
          role: h.role,
          content: h.content,
          parentId: h.parent_id,
        })),
      };
    },

    /** Moves the session to the top of the list (most recent activity). */
    async touchSession(tx: DbOrTx, sessionId: number): Promise<void> {
      await tx.update(chatSessions).set({ updatedAt: sql`now()` }).where(eq(chatSessions.id, sessionId));
    },

    /** Stores an answer's final state and touches its session, in one statement. */
    async finishMessage(
      messageId: number,
      r: {
        content: string;
        status: MessageRow['status'];
        promptTokens: number | null;
        completionTokens: number | null;
      },
      /** Completes the answer's ledger row and adds its tokens to the day (features/usage), in this statement. */
      ledger: (stored: SQL) => SQL = () => sql``,
    ): Promise<MessageRow | undefined> {
      const result = await db.execute<MessageSqlRow>(sql`
        with m as (
          update messages set content = ${r.content}, status = ${r.status}, prompt_tokens = ${r.promptTokens},
            completion_tokens = ${r.completionTokens}, updated_at = now()
          where id = ${messageId}
          returning ${messageSqlColumns()}
        ), s as (
          update chat_sessions set updated_at = now() where id in (select session_id from m)
          returning id
        )${ledger(sql`exists (select 1 from s) and exists (select 1 from m)`)}
        select ${messageSqlColumns()} from m`);
      const row = result.rows[0];
      return row ? fromSqlRow(row) : undefined;
    },
  };
}

export type ChatRepo = ReturnType<typeof createChatRepo>;
