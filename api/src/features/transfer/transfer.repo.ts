// SQL for export and import: a user's sessions with their messages, read in two queries and written in one transaction.
import type { MessageSource, TransferFile, TransferMessage, TransferSession } from '@chatbot/shared';
import { DEFAULT_SESSION_TITLE } from '@chatbot/shared';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { chatSessions, messages } from '../../db/schema/index.js';

// 10 values per message row; PostgreSQL allows 65,535 parameters per statement.
const MESSAGE_INSERT_BATCH = 5_000;

/** drizzle's pg driver hands timestamps of raw queries over as text ("2026-01-02 03:04:05.678+00"). */
const iso = (v: Date | string) => new Date(v).toISOString();

export interface TransferRepo {
  /** The user's sessions (all, or the one given), oldest first, each with its messages oldest first. */
  loadSessions(userId: number, sessionId?: number): Promise<TransferSession[]>;
  /** Creates every session of the file for the user, all or none. Returns the new ids in the file's order. */
  insertSessions(userId: number, sessions: TransferFile['sessions']): Promise<number[]>;
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
      const messageRows = await db.execute<{
        session_id: number;
        role: 'user' | 'assistant';
        content: string;
        status: 'complete' | 'stopped' | 'error';
        created_at: Date | string;
        model: string | null;
        prompt_tokens: number | null;
        completion_tokens: number | null;
        sources: MessageSource[] | null;
      }>(sql`
        select m.session_id, m.role,
               case when m.status = 'streaming'
                 then coalesce((select string_agg(c.content, '' order by c.seq) from stream_chunks c
                                where c.message_id = m.id), m.content)
                 else m.content end as content,
               case when m.status = 'streaming' then 'stopped' else m.status end as status,
               m.created_at, m.model, m.prompt_tokens, m.completion_tokens, m.sources
        from messages m join chat_sessions s on s.id = m.session_id
        where s.user_id = ${userId}${only}
        order by m.session_id, m.id`);
      const bySession = new Map<number, TransferMessage[]>();
      for (const m of messageRows.rows) {
        const list = bySession.get(m.session_id) ?? [];
        list.push({
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
        });
        bySession.set(m.session_id, list);
      }
      return sessionRows.rows.map((s) => ({
        title: s.title,
        createdAt: iso(s.created_at),
        updatedAt: iso(s.updated_at),
        messages: bySession.get(s.id) ?? [],
      }));
    },

    async insertSessions(userId, sessions) {
      return db.transaction(async (tx) => {
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
