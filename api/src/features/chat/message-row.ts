// A message row as chat and stream read it: the one list of its columns (drizzle and raw SQL) and the raw row's mapper.
import type { MessageSource } from '@chatbot/shared';
import { sql } from 'drizzle-orm';
import { messages } from '../../db/schema/index.js';

// Explicit columns: the table also holds a search vector, which nothing here reads back.
export const messageColumns = {
  id: messages.id,
  sessionId: messages.sessionId,
  role: messages.role,
  content: messages.content,
  status: messages.status,
  model: messages.model,
  promptTokens: messages.promptTokens,
  completionTokens: messages.completionTokens,
  createdAt: messages.createdAt,
  updatedAt: messages.updatedAt,
  parentId: messages.parentId,
  sources: messages.sources,
};

export type MessageRow = Pick<typeof messages.$inferSelect, keyof typeof messageColumns>;

const COLUMN_NAMES = Object.values(messageColumns).map((c) => c.name);

/** `id, session_id, …` for plain pg queries (the stream's hot path). */
export const MESSAGE_COLUMN_LIST = COLUMN_NAMES.join(', ');

/** The same columns as a drizzle SQL fragment, optionally qualified by a table alias (`m.id, m.session_id, …`). */
export function messageSqlColumns(alias?: string) {
  return sql.raw(alias ? COLUMN_NAMES.map((n) => `${alias}.${n}`).join(', ') : MESSAGE_COLUMN_LIST);
}

/** A message row as raw SQL (or row_to_json) returns it. */
export type MessageSqlRow = {
  id: number;
  session_id: number;
  role: string;
  content: string;
  status: string;
  model: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  created_at: string | Date;
  updated_at: string | Date;
  parent_id: number | null;
  sources: MessageSource[] | null;
};

export function fromSqlRow(r: MessageSqlRow): MessageRow {
  return {
    id: r.id,
    sessionId: r.session_id,
    role: r.role,
    content: r.content,
    status: r.status,
    model: r.model,
    promptTokens: r.prompt_tokens,
    completionTokens: r.completion_tokens,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    parentId: r.parent_id,
    sources: r.sources ?? null,
  };
}
