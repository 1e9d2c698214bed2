import { eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { chatSessions } from '../../db/schema/index.js';
import type { DbOrTx } from './chat.repo.js';
import { fromSqlRow, type MessageRow, type MessageSqlRow, messageSqlColumns } from './message-row.js';

const MAX_INT = 2_147_483_647;

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

export function createTurnRepo(db: Db) {
  return {
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
      /** The API key the turn was sent with (its ledger row records it); null for an access token. */
      apiKeyId: number | null;
      sessionId: number;
      content: string;
      /** Already checked against the offered models (null: none asked for). */
      requestedModel: string | null;
      models: string[];
      defaultModel: string;
      titleIfUntitled: string | null;
      historyLimit: number;
      /** Each history row's text is read only this far (what the token budget could hold); default: whole. */
      historyContentChars?: number;
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
          insert into usage_ledger (user_id, api_key_id, session_id, message_id, kind, model)
          select ${t.userId}, ${t.apiKeyId}::int, a.session_id, a.id, 'answer', a.model from a
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
             select id, role, left(content, ${t.historyContentChars ?? MAX_INT}::int) as content, parent_id from b
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
