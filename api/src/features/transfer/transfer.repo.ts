// SQL for export and import: a user's sessions with their messages, read in two queries and written in one transaction.
import type { MessageSource, TransferFile, TransferMessage, TransferSession } from '@chatbot/shared';
import { DEFAULT_SESSION_TITLE } from '@chatbot/shared';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { chatSessions, messages } from '../../db/schema/index.js';
import { checkSessionLimit } from '../chat/session-limit.js';
import { checkStorageLimit } from '../chat/storage-limit.js';

// 10 values per message row; PostgreSQL allows 65,535 parameters per statement.
const MESSAGE_INSERT_BATCH = 5_000;

/** drizzle's pg driver hands timestamps of raw queries over as text ("2026-01-02 03:04:05.678+00"). */
const iso = (v: Date | string) => new Date(v).toISOString();

/** A session as GET /api/export pages through them (its messages are read separately, a page at a time). */
export interface SessionHead {
  id: number;
  title: string;
  createdAt: string;
  updatedAt: string;
  /** The next page starts after this one (its creation time at full precision, microseconds included). */
  cursor: SessionCursor;
}

/** Where a page of sessions or messages resumes: after this one in the export's order. */
export interface SessionCursor {
  createdAt: string;
  id: number;
}

export interface TransferRepo {
  /** A page of the user's sessions, oldest first (created_at, id), after `cursor`. */
  sessionPage(userId: number, after: SessionCursor | null, limit: number): Promise<SessionHead[]>;
  /** A page of a session's messages, oldest first, after message id `afterId`; `lastId` resumes the next page. */
  messagePage(
    sessionId: number,
    afterId: number,
    limit: number,
  ): Promise<{ messages: TransferMessage[]; lastId: number }>;
  /** The user's sessions (all, or the one given), oldest first, each with its messages oldest first. */
  loadSessions(userId: number, sessionId?: number): Promise<TransferSession[]>;
  /**
   * Creates every session of the file for the user, all or none. Returns the new ids in the file's order.
   * `maxSessions` (0 = none): 409 LIMIT_REACHED when the user would have more, checked under the user's lock.
   */
  insertSessions(
    userId: number,
    sessions: TransferFile['sessions'],
    limits: { maxSessions: number; maxStorageBytes: number },
  ): Promise<number[]>;
}

type MessageRowOut = {
  role: 'user' | 'assistant';
  content: string;
  status: 'complete' | 'stopped' | 'error';
  created_at: Date | string;
  model: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  sources: MessageSource[] | null;
};

// An answer still being generated has its text so far only in stream_chunks: export that, as stopped.
const MESSAGE_COLUMNS = sql.raw(`m.role,
  case when m.status = 'streaming'
    then coalesce((select string_agg(c.content, '' order by c.seq) from stream_chunks c
                   where c.message_id = m.id), m.content)
    else m.content end as content,
  case when m.status = 'streaming' then 'stopped' else m.status end as status,
  m.created_at, m.model, m.prompt_tokens, m.completion_tokens, m.sources`);

function toTransferMessage(m: MessageRowOut): TransferMessage {
  return {
    role: m.role,
    content: m.content,
    status: m.status,
    createdAt: iso(m.created_at),
    model: m.model,
    usage:
      m.prompt_tokens === null || m.completion_tokens === null
        ? null
        : {
            promptTokens: m.prompt_tokens,
            completionTokens: m.completion_tokens,
            totalTokens: m.prompt_tokens + m.completion_tokens,
          },
    ...(m.sources ? { sources: m.sources } : {}),
  };
}

export function createTransferRepo(db: Db): TransferRepo {
  return {
    async loadSessions(userId, sessionId) {
      const only = sessionId === undefined ? sql`` : sql` and s.id = ${sessionId}`;
      const sessionRows = await db.execute<{
        id: number;
        title: string;
        created_at: Date | string;
        updated_at: Date | string;
      }>(sql`
        select s.id, s.title, s.created_at, s.updated_at from chat_sessions s
        where s.user_id = ${userId}${only}
        order by s.created_at, s.id`);
      // An answer still being generated has its text so far only in stream_chunks: export that, as stopped.
      const messageRows = await db.execute<MessageRowOut & { session_id: number }>(sql`
        select m.session_id, ${MESSAGE_COLUMNS}
        from messages m join chat_sessions s on s.id = m.session_id
        where s.user_id = ${userId}${only}
        order by m.session_id, m.id`);
      const bySession = new Map<number, TransferMessage[]>();
      for (const m of messageRows.rows) {
        const list = bySession.get(m.session_id) ?? [];
        list.push(toTransferMessage(m));
        bySession.set(m.session_id, list);
      }
      return sessionRows.rows.map((s) => ({
        title: s.title,
        createdAt: iso(s.created_at),
        updatedAt: iso(s.updated_at),
        messages: bySession.get(s.id) ?? [],
      }));
    },

    async sessionPage(userId, after, limit) {
      const from = after ? sql` and (s.created_at, s.id) > (${after.createdAt}::timestamptz, ${after.id})` : sql``;
      const res = await db.execute<{
        id: number;
        title: string;
        created_at: Date | string;
        updated_at: Date | string;
        created_key: string;
      }>(sql`
        select s.id, s.title, s.created_at, s.updated_at, s.created_at::text as created_key from chat_sessions s
        where s.user_id = ${userId}${from}
        order by s.created_at, s.id
        limit ${limit}`);
      return res.rows.map((r) => ({
        id: r.id,
        title: r.title,
        createdAt: iso(r.created_at),
        updatedAt: iso(r.updated_at),
        cursor: { createdAt: r.created_key, id: r.id },
      }));
    },

    async messagePage(sessionId, afterId, limit) {
      const res = await db.execute<MessageRowOut & { id: number }>(sql`
        select m.id, ${MESSAGE_COLUMNS}
        from messages m
        where m.session_id = ${sessionId} and m.id > ${afterId}
        order by m.id
        limit ${limit}`);
      return { messages: res.rows.map(toTransferMessage), lastId: res.rows.at(-1)?.id ?? afterId };
    },

    async insertSessions(userId, sessions, limits) {
      return db.transaction(async (tx) => {
        await checkSessionLimit(tx, userId, sessions.length, limits.maxSessions);
        // Under the same per-user lock: two imports cannot both take the last free space.
        const bytes = sessions.reduce(
          (n, s) => n + s.messages.reduce((m, msg) => m + Buffer.byteLength(msg.content, 'utf8'), 0),
          0,
        );
        await checkStorageLimit(tx, userId, bytes, limits.maxStorageBytes);
        const ids: number[] = [];
        for (const s of sessions) {
          const [row] = await tx
            .insert(chatSessions)
            .values({
              userId,
              title: s.title,
              // A session with a real title or any message must not be renamed by its next message.
              titled: s.title !== DEFAULT_SESSION_TITLE || s.messages.length > 0,
              createdAt: new Date(s.createdAt),
              updatedAt: new Date(s.updatedAt),
            })
            .returning({ id: chatSessions.id });
          const sessionId = row!.id;
          ids.push(sessionId);
          for (let i = 0; i < s.messages.length; i += MESSAGE_INSERT_BATCH) {
            await tx.insert(messages).values(
              s.messages.slice(i, i + MESSAGE_INSERT_BATCH).map((m) => ({
                sessionId,
                role: m.role,
                content: m.content,
                status: m.status,
                model: m.model ?? null,
                promptTokens: m.usage?.promptTokens ?? null,
                completionTokens: m.usage?.completionTokens ?? null,
                sources: m.role === 'assistant' && m.sources ? m.sources : null,
                createdAt: new Date(m.createdAt),
                updatedAt: new Date(m.createdAt),
              })),
            );
          }
        }
        return ids;
      });
    },
  };
}
