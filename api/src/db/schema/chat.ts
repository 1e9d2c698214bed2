// Conversations, their messages, and the chunk log of answers being generated.

import type { MessageSource } from '@chatbot/shared';
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';
import { users } from './users.js';

/** PostgreSQL's tsvector (full-text search); only ever written by the database itself, as a generated column. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const chatSessions = pgTable(
  'chat_sessions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: varchar('title', { length: 255 }).notNull(),
    /** False while the title is the default one, so the first message may name the session. */
    titled: boolean('titled').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** Search: the title's words, weighted A so a title match outranks a message match ('simple': no stemming, any language). */
    titleSearch: tsvector('title_search').generatedAlwaysAs(
      sql`setweight(to_tsvector('simple'::regconfig, title), 'A')`,
    ),
    /** The last message of the branch being shown and continued; null until the first message. */
    currentLeafId: integer('current_leaf_id').references((): AnyPgColumn => messages.id, { onDelete: 'set null' }),
    /** Per-session settings; null means the server's default (SYSTEM_PROMPT, OPENAI_MODEL, OPENAI_TEMPERATURE). */
    systemPrompt: text('system_prompt'),
    model: text('model'),
    temperature: real('temperature'),
    /** Pinned sessions come first in the list. */
    pinned: boolean('pinned').notNull().default(false),
  },
  (t) => [
    index('chat_sessions_user_updated_idx').on(t.userId, t.updatedAt.desc()),
    index('chat_sessions_user_created_idx').on(t.userId, t.createdAt.desc()),
    index('chat_sessions_title_search_idx').using('gin', t.titleSearch),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    sessionId: integer('session_id')
      .notNull()
      .references(() => chatSessions.id, { onDelete: 'cascade' }),
    role: varchar('role', { length: 16 }).notNull(),
    content: text('content').notNull(),
    status: varchar('status', { length: 16 }).notNull().default('complete'),
    model: text('model'),
    promptTokens: integer('prompt_tokens'),
    completionTokens: integer('completion_tokens'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** Search: the message's words, computed by PostgreSQL on every write ('simple': no stemming, any language). */
    searchVector: tsvector('search_vector').generatedAlwaysAs(sql`to_tsvector('simple'::regconfig, content)`),
    /** The message this one follows in the conversation tree; null for a first message (a root). */
    parentId: integer('parent_id').references((): AnyPgColumn => messages.id, { onDelete: 'cascade' }),
    /** An answer's sources (features/files): every passage or whole file its prompt carried, numbered as cited. */
    sources: jsonb('sources').$type<MessageSource[]>(),
    /** The files sent with a user message (`fileIds`), so a regeneration sends them again. */
    fileIds: integer('file_ids').array(),
  },
  (t) => [
    index('messages_session_id_idx').on(t.sessionId, t.id),
    index('messages_search_idx').using('gin', t.searchVector),
    // Children of a message (siblings, switching branches) and the cascade when a parent goes.
    index('messages_parent_id_idx').on(t.parentId),
    // Lets startup find answers a crash left as `streaming` without scanning every message.
    index('messages_streaming_idx').on(t.status).where(sql`${t.status} = 'streaming'`),
    // One answer at a time per session, enforced by the database for every API process.
    uniqueIndex('messages_one_streaming_per_session').on(t.sessionId).where(sql`${t.status} = 'streaming'`),
    check('messages_role_check', sql`${t.role} in ('user', 'assistant')`),
    check('messages_status_check', sql`${t.status} in ('complete', 'stopped', 'error', 'streaming')`),
  ],
);

/**
 * The chunks of an answer while it is being generated, so any API process can replay
 * them to a client that resumes; deleted once the answer is stored in `messages`.
 */
export const streamChunks = pgTable(
  'stream_chunks',
  {
    messageId: integer('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    content: text('content').notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.seq] })],
);
