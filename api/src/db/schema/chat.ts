// Conversations, their messages, and the chunk log of answers being generated.
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';
import { users } from './users.js';

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
  },
  (t) => [
    index('chat_sessions_user_updated_idx').on(t.userId, t.updatedAt.desc()),
    index('chat_sessions_user_created_idx').on(t.userId, t.createdAt.desc()),
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
  },
  (t) => [
    index('messages_session_id_idx').on(t.sessionId, t.id),
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
