// SQL of the streaming feature: the chunk log (stream_chunks), heartbeats, stop/progress notifications, recovery.
import type { Message } from '@chatbot/shared';
import type pg from 'pg';
import { toMessage } from '../chat/chat.mappers.js';
import { fromSqlRow, MESSAGE_COLUMN_LIST, type MessageSqlRow } from '../chat/message-row.js';

/** PostgreSQL channels: new chunks of answers in progress, and stop requests for whichever process owns an answer. */
export const STREAM_CHANNEL = 'chat_stream';
export const STOP_CHANNEL = 'chat_stop';

/** Appended to an answer recovered from a chunk log with a gap (the text after the gap is not kept). */
export const LOST_PART_NOTE = '\n\n[Part of this answer was lost when its server stopped.]';

/** NOTIFY payloads are limited to 8000 bytes; this many [id, seq] pairs stay well below it. */
const NOTIFY_BATCH = 300;

export interface ChunkRow {
  messageId: number;
  seq: number;
  content: string;
}

// Plain pg queries: arrays travel as one parameter each, and this is the hot path of every stream.
export function createStreamRepo(pool: pg.Pool) {
  return {
    /**
     * Appends chunks of every active answer in one INSERT and announces them (one NOTIFY per
     * NOTIFY_BATCH answers) in the same statement, so followers never hear of a chunk not yet readable.
     */
    async appendChunks(rows: ChunkRow[]): Promise<void> {
      if (rows.length === 0) return;
      const latest = new Map<number, number>();
      for (const r of rows) latest.set(r.messageId, Math.max(latest.get(r.messageId) ?? 0, r.seq));
      const pairs = [...latest];
      const payloads: string[] = [];
      for (let i = 0; i < pairs.length; i += NOTIFY_BATCH)
        payloads.push(JSON.stringify(pairs.slice(i, i + NOTIFY_BATCH)));
      await pool.query(
        `with ins as (
           insert into stream_chunks (message_id, seq, content)
           select u.* from unnest($1::int[], $2::int[], $3::text[]) as u(message_id, seq, content)
           -- An answer whose session was deleted meanwhile must not fail the batch of every other answer.
           where exists (select 1 from messages m where m.id = u.message_id)
           on conflict do nothing
           returning 1
         )
         select pg_notify($4, p), (select count(*) from ins) from unnest($5::text[]) p`,
        [rows.map((r) => r.messageId), rows.map((r) => r.seq), rows.map((r) => r.content), STREAM_CHANNEL, payloads],
      );
    },

    /** Announces that answers ended (their final row is stored), so followers elsewhere stop waiting. */
    async notifyEnded(messageIds: number[]): Promise<void> {
      if (messageIds.length === 0) return;
      await pool.query('select pg_notify($1, $2)', [STREAM_CHANNEL, JSON.stringify(messageIds.map((id) => [id, -1]))]);
    },

    async requestStop(messageId: number): Promise<void> {
      await pool.query('select pg_notify($1, $2)', [STOP_CHANNEL, String(messageId)]);
    },

    async chunksAfter(messageId: number, after: number): Promise<{ seq: number; content: string }[]> {
      const res = await pool.query<{ seq: number; content: string }>(
        'select seq, content from stream_chunks where message_id = $1 and seq > $2 order by seq',
        [messageId, after],
      );
      return res.rows;
    },

    async deleteChunks(messageIds: number[]): Promise<void> {
      if (messageIds.length === 0) return;
      await pool.query('delete from stream_chunks where message_id = any($1::int[])', [messageIds]);
    },

    /** Marks answers as alive, so no other process's recovery sweep takes them for orphans. */
    async heartbeat(messageIds: number[]): Promise<void> {
      if (messageIds.length === 0) return;
      await pool.query("update messages set updated_at = now() where id = any($1::int[]) and status = 'streaming'", [
        messageIds,
      ]);
    },

    async getMessage(messageId: number): Promise<Message | undefined> {
      const res = await pool.query<MessageSqlRow>(`select ${MESSAGE_COLUMN_LIST} from messages where id = $1`, [
        messageId,
      ]);
      return res.rows[0] ? toMessage(fromSqlRow(res.rows[0])) : undefined;
    },

    async streamingMessageId(sessionId: number): Promise<number | undefined> {
      const res = await pool.query<{ id: number }>(
        "select id from messages where session_id = $1 and status = 'streaming' limit 1",
        [sessionId],
      );
      return res.rows[0]?.id;
    },

    async latestAssistantMessage(sessionId: number): Promise<Message | undefined> {
      const res = await pool.query<MessageSqlRow>(
        `select ${MESSAGE_COLUMN_LIST} from messages where session_id = $1 and role = 'assistant' order by id desc limit 1`,
        [sessionId],
      );
      return res.rows[0] ? toMessage(fromSqlRow(res.rows[0])) : undefined;
    },

    /**
     * Answers left 'streaming' by a process that is gone (no heartbeat for `staleMs`) become 'stopped' with the text
     * their chunk log holds; their chunks are then deleted. A log with a gap (a chunk that never got written) would
     * give garbled text: such an answer keeps the text up to the gap, says part was lost, and is marked 'error'.
     */
    async recoverOrphans(staleMs: number): Promise<{ id: number; status: 'stopped' | 'error' }[]> {
      const res = await pool.query<{ id: number; status: 'stopped' | 'error' }>(
        `with orphans as (
           select id from messages
           where status = 'streaming' and updated_at < now() - make_interval(secs => $1)
           for update skip locked
         ), numbered as (
           -- seq runs 1, 2, 3… with no gap exactly while it equals its row number.
           select c.message_id, c.seq, c.content, row_number() over (partition by c.message_id order by c.seq) as rn
           from stream_chunks c join orphans o on o.id = c.message_id
         ), logs as (
           select message_id, bool_or(seq <> rn) as gap,
                  coalesce(string_agg(content, '' order by seq) filter (where seq = rn), '') as text
           from numbered group by message_id
         ), recovered as (
           update messages m set
             status = case when l.gap then 'error' else 'stopped' end,
             updated_at = now(),
             content = case when l.gap then l.text || $2 else coalesce(l.text, '') end
           from orphans o left join logs l on l.message_id = o.id
           where m.id = o.id
           returning m.id, m.status
         ), gone as (
           delete from stream_chunks c using recovered r where c.message_id = r.id
         ), led as (
           -- The usage ledger row of the call the dead process made ends with its answer (never left 'streaming').
           update usage_ledger u set outcome = r.status, finished_at = now()
           from recovered r where u.message_id = r.id and u.outcome = 'streaming'
         )
         select id, status from recovered`,
        [staleMs / 1000, LOST_PART_NOTE],
      );
      return res.rows;
    },

    /** Chunk logs of answers already stored, left behind when a process stopped before cleaning up. */
    async deleteFinishedChunks(): Promise<void> {
      await pool.query(
        `delete from stream_chunks c using messages m
         where m.id = c.message_id and m.status <> 'streaming' and m.updated_at < now() - interval '1 minute'`,
      );
    },
  };
}

export type StreamRepo = ReturnType<typeof createStreamRepo>;
