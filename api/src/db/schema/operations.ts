// What the operator of an install reads: the usage ledger (one row per model call), the per-user daily counters
// quotas are checked against, and the audit log.
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  varchar,
} from 'drizzle-orm/pg-core';
import { chatSessions, messages } from './chat.js';
import { apiKeys, users } from './users.js';

/**
 * One row per model call (an answer to a send, a regeneration or an edit; a title call). Written when the call
 * starts (outcome `streaming`) and completed when it ends, in the same statements that store the answer. It outlives
 * the chat and the user: their ids are set to null when those are deleted.
 */
export const usageLedger = pgTable(
  'usage_ledger',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    sessionId: integer('session_id').references(() => chatSessions.id, { onDelete: 'set null' }),
    messageId: integer('message_id').references(() => messages.id, { onDelete: 'set null' }),
    apiKeyId: integer('api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    /** 'answer' (send, regenerate, edit) or 'title'. Only answers count against messagesPerDay. */
    kind: varchar('kind', { length: 16 }).notNull().default('answer'),
    model: text('model').notNull(),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    /** Time to the first chunk and to the end of the answer, in milliseconds (null while unknown). */
    ttftMs: integer('ttft_ms'),
    totalMs: integer('total_ms'),
    outcome: varchar('outcome', { length: 16 }).notNull().default('streaming'),
    errorCode: varchar('error_code', { length: 64 }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('usage_ledger_user_created_idx').on(t.userId, t.createdAt),
    index('usage_ledger_created_idx').on(t.createdAt),
    index('usage_ledger_message_idx').on(t.messageId),
    check('usage_ledger_outcome_check', sql`${t.outcome} in ('streaming', 'complete', 'stopped', 'error')`),
    check('usage_ledger_kind_check', sql`${t.kind} in ('answer', 'title')`),
  ],
);

/**
 * Per user and UTC day: answers started and tokens used. A send reserves its message here with one atomic
 * increment that refuses past the limit (ON CONFLICT … WHERE re-checks the latest row), so two processes sending
 * at once cannot both take the last message of the day; tokens are added when an answer ends.
 */
export const usageDaily = pgTable(
  'usage_daily',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    messages: integer('messages').notNull().default(0),
    tokens: bigint('tokens', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);

/** Who did what: logins, logouts, password and key changes, and every admin action. Never a password or a token. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    action: varchar('action', { length: 64 }).notNull(),
    /** Kept as a name too, so the entry still says who when the account is gone. */
    actorId: integer('actor_id').references(() => users.id, { onDelete: 'set null' }),
    actorName: varchar('actor_name', { length: 255 }),
    /** The account acted on (no foreign key: the entry about a deleted user stays). */
    targetId: integer('target_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at.desc()),
    index('audit_log_action_at_idx').on(t.action, t.at.desc()),
    index('audit_log_actor_idx').on(t.actorId),
    index('audit_log_target_idx').on(t.targetId),
  ],
);
