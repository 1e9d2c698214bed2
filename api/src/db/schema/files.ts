// Files a user uploaded (documents and images), their chunks for retrieval, and the ingestion jobs that make them.
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  customType,
  index,
  integer,
  pgTable,
  real,
  text,
  timestamp,
  varchar,
} from 'drizzle-orm/pg-core';
import { chatSessions } from './chat.js';
import { users } from './users.js';

/** PostgreSQL's tsvector, only ever written by the database itself (a generated column). */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });
/** Raw bytes. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

export const files = pgTable(
  'files',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The conversation the file is attached to (its ready files are used for every answer there). */
    sessionId: integer('session_id').references(() => chatSessions.id, { onDelete: 'set null' }),
    name: varchar('name', { length: 255 }).notNull(),
    mimeType: varchar('mime_type', { length: 100 }).notNull(),
    /** The file's own bytes (FILE_MAX_BYTES counts these). */
    size: integer('size').notNull(),
    status: varchar('status', { length: 16 }).notNull().default('processing'),
    /** Why ingestion failed, in plain words. */
    error: text('error'),
    pages: integer('pages'),
    chunks: integer('chunks').notNull().default(0),
    /** Tokens of the extracted text (the history token counter): small files are sent whole. */
    tokens: integer('tokens'),
    /** The uploaded bytes: kept for images (sent to vision models); dropped for documents once extracted. */
    content: bytea('content'),
    /** The extracted text (documents), what "full document" mode sends. */
    text: text('text'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('files_user_created_idx').on(t.userId, t.createdAt.desc()),
    index('files_session_idx').on(t.sessionId),
    check('files_status_check', sql`${t.status} in ('processing', 'ready', 'failed')`),
  ],
);

export const fileChunks = pgTable(
  'file_chunks',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    fileId: integer('file_id')
      .notNull()
      .references(() => files.id, { onDelete: 'cascade' }),
    /** Denormalised owner, so retrieval filters by user without a join. */
    userId: integer('user_id').notNull(),
    /** Order in the file, from 0. */
    n: integer('n').notNull(),
    page: integer('page'),
    section: text('section'),
    text: text('text').notNull(),
    /** Full-text search ('simple': no stemming, any language), section words weighted above body words. */
    tsv: tsvector('tsv').generatedAlwaysAs(
      sql`setweight(to_tsvector('simple'::regconfig, coalesce(section, '')), 'B') || to_tsvector('simple'::regconfig, text)`,
    ),
    /** The chunk's embedding (OPENAI_EMBEDDINGS_MODEL); null when none is configured. */
    embedding: real('embedding').array(),
  },
  (t) => [
    index('file_chunks_file_idx').on(t.fileId, t.n),
    index('file_chunks_user_idx').on(t.userId),
    index('file_chunks_tsv_idx').using('gin', t.tsv),
  ],
);

/** Ingestion work: claimed with FOR UPDATE SKIP LOCKED under a lease its worker renews; an expired lease is free. */
export const fileJobs = pgTable(
  'file_jobs',
  {
    fileId: integer('file_id')
      .primaryKey()
      .references(() => files.id, { onDelete: 'cascade' }),
    leaseUntil: timestamp('lease_until', { withTimezone: true }).notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('file_jobs_lease_idx').on(t.leaseUntil)],
);
