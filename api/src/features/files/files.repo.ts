// SQL of files, their passages and their ingestion jobs. Every read and write of a file names its owner, so another
// user's file is simply not found.
import type { FileInfo } from '@chatbot/shared';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { checkStorageLimit } from '../chat/storage-limit.js';
import type { Chunk } from './chunk.js';

/** The channel an upload notifies so an idle worker starts at once rather than at its next poll. */
export const FILE_JOBS_CHANNEL = 'file_jobs';

/** Chunks written per INSERT (7 values each; PostgreSQL allows 65,535 parameters per statement). */
const CHUNK_INSERT_BATCH = 1_000;

type FileSqlRow = {
  id: number;
  name: string;
  mime_type: string;
  size: number;
  status: FileInfo['status'];
  error: string | null;
  session_id: number | null;
  pages: number | null;
  chunks: number;
  created_at: string | Date;
};

const FILE_COLUMNS = sql.raw('id, name, mime_type, size, status, error, session_id, pages, chunks, created_at');

export function toFileInfo(r: FileSqlRow): FileInfo {
  return {
    id: r.id,
    name: r.name,
    mimeType: r.mime_type,
    size: r.size,
    status: r.status,
    error: r.error,
    sessionId: r.session_id,
    pages: r.pages,
    chunks: r.chunks,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export interface NewFile {
  userId: number;
  sessionId: number | null;
  name: string;
  mimeType: string;
  size: number;
  content: Buffer;
  /** Images are ready at once; documents wait for their job. */
  status: 'processing' | 'ready';
}

/** A claimed job: the file and the attempt number that proves the claim is still this worker's. */
export interface ClaimedJob {
  fileId: number;
  attempt: number;
}

/** What an ingestion stored: the passages (with embeddings when made) and the file's summary. */
export interface IngestResult {
  chunks: (Chunk & { embedding: number[] | null })[];
  pages: number | null;
  tokens: number;
  text: string;
}

export function createFilesRepo(db: Db) {
  return {
    /**
     * Stores a file (and its job, for a document) unless the user already has `maxFiles`: the user's row is locked
     * for the count, so two uploads at once cannot both pass it. Returns null at the limit.
     */
    async insert(f: NewFile, maxFiles: number, maxStorageBytes = 0): Promise<FileInfo | null> {
      return db.transaction(async (tx) => {
        await tx.execute(sql`select 1 from users where id = ${f.userId} for update`);
        const count = await tx.execute<{ n: number }>(
          sql`select count(*)::int as n from files where user_id = ${f.userId}`,
        );
        if ((count.rows[0]?.n ?? 0) >= maxFiles) return null;
        // Under the user's row lock: two uploads cannot both take the last free space (409 LIMIT_REACHED).
        await checkStorageLimit(tx, f.userId, f.size, maxStorageBytes);
        const res = await tx.execute<FileSqlRow>(sql`
          insert into files (user_id, session_id, name, mime_type, size, status, content)
          values (${f.userId}, ${f.sessionId}, ${f.name}, ${f.mimeType}, ${f.size}, ${f.status}, ${f.content})
          returning ${FILE_COLUMNS}`);
        const row = res.rows[0]!;
        if (f.status === 'processing') {
          await tx.execute(sql`insert into file_jobs (file_id) values (${row.id})`);
          await tx.execute(sql`select pg_notify(${FILE_JOBS_CHANNEL}, ${String(row.id)})`);
        }
        return toFileInfo(row);
      });
    },

    async list(userId: number, q: { sessionId?: number; q?: string; limit: number; offset: number }) {
      const like = q.q === undefined ? null : `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const only = sql.join(
        [
          q.sessionId === undefined ? sql`` : sql` and session_id = ${q.sessionId}`,
          like === null ? sql`` : sql` and name ilike ${like}`,
        ],
        sql``,
      );
      const res = await db.execute<FileSqlRow & { total: number }>(sql`
        select ${FILE_COLUMNS}, count(*) over ()::int as total from files
        where user_id = ${userId}${only}
        order by created_at desc, id desc limit ${q.limit} offset ${q.offset}`);
      let total = res.rows[0]?.total;
      if (total === undefined) {
        // An offset past the end: the count alone.
        const c = await db.execute<{ n: number }>(
          sql`select count(*)::int as n from files where user_id = ${userId}${only}`,
        );
        total = c.rows[0]?.n ?? 0;
      }
      return { files: res.rows.map(toFileInfo), total };
    },

    async get(userId: number, id: number): Promise<FileInfo | undefined> {
      const res = await db.execute<FileSqlRow>(
        sql`select ${FILE_COLUMNS} from files where id = ${id} and user_id = ${userId}`,
      );
      return res.rows[0] ? toFileInfo(res.rows[0]) : undefined;
    },

    async setSession(userId: number, id: number, sessionId: number | null): Promise<FileInfo | undefined> {
      const res = await db.execute<FileSqlRow>(sql`
        update files set session_id = ${sessionId}, updated_at = now()
        where id = ${id} and user_id = ${userId} returning ${FILE_COLUMNS}`);
      return res.rows[0] ? toFileInfo(res.rows[0]) : undefined;
    },

    /** Deletes the file; its passages and job go with it (foreign keys). */
    async delete(userId: number, id: number): Promise<boolean> {
      const res = await db.execute(sql`delete from files where id = ${id} and user_id = ${userId} returning id`);
      return res.rows.length > 0;
    },

    /** The given files of this user, in one read (ownership of a message's `fileIds`). */
    async owned(userId: number, ids: number[]) {
      if (ids.length === 0) return [];
      const res = await db.execute<{ id: number; name: string; mime_type: string; status: FileInfo['status'] }>(sql`
        select id, name, mime_type, status from files
        where user_id = ${userId} and id = any(${sql.param(ids)}::int[])`);
      return res.rows;
    },

    // ——— ingestion jobs ———

    /**
     * Claims the oldest job whose lease is free (never claimed, or its worker stopped renewing it): one statement,
     * `FOR UPDATE SKIP LOCKED`, so concurrent workers in any process never take the same one.
     */
    async claim(leaseMs: number): Promise<ClaimedJob | null> {
      const res = await db.execute<{ file_id: number; attempts: number }>(sql`
        with j as (
          select file_id from file_jobs where lease_until <= now()
          order by created_at, file_id limit 1 for update skip locked
        )
        update file_jobs f set lease_until = now() + ${leaseMs} * interval '1 millisecond', attempts = f.attempts + 1
        from j where f.file_id = j.file_id
        returning f.file_id, f.attempts`);
      const row = res.rows[0];
      return row ? { fileId: row.file_id, attempt: row.attempts } : null;
    },

    /** Extends a claimed job's lease; false when the claim is lost (taken over, or the file deleted). */
    async renew(job: ClaimedJob, leaseMs: number): Promise<boolean> {
      const res = await db.execute(sql`
        update file_jobs set lease_until = now() + ${leaseMs} * interval '1 millisecond'
        where file_id = ${job.fileId} and attempts = ${job.attempt} returning 1`);
      return res.rows.length > 0;
    },

    async content(fileId: number) {
      const res = await db.execute<{ user_id: number; mime_type: string; content: Buffer | null }>(
        sql`select user_id, mime_type, content from files where id = ${fileId}`,
      );
      return res.rows[0];
    },

    /**
     * Stores a finished ingestion in one transaction, only while the claim is still this worker's (the job row with
     * this attempt is deleted first): a worker that lost its lease stores nothing. Documents drop their bytes.
     */
    async complete(job: ClaimedJob, userId: number, r: IngestResult): Promise<boolean> {
      return db.transaction(async (tx) => {
        // The file's row first, as a DELETE of the file locks it before cascading to the job: the same order, so a
        // deletion during the ingestion waits for it (or wins) instead of deadlocking with it.
        const file = await tx.execute(sql`select 1 from files where id = ${job.fileId} for update`);
        if (file.rows.length === 0) return false;
        const mine = await tx.execute(
          sql`delete from file_jobs where file_id = ${job.fileId} and attempts = ${job.attempt} returning 1`,
        );
        if (mine.rows.length === 0) return false;
        await tx.execute(sql`delete from file_chunks where file_id = ${job.fileId}`);
        for (let i = 0; i < r.chunks.length; i += CHUNK_INSERT_BATCH) {
          const batch = r.chunks.slice(i, i + CHUNK_INSERT_BATCH);
          const values = sql.join(
            batch.map(
              (c) =>
                sql`(${job.fileId}, ${userId}, ${c.n}, ${c.page}, ${c.section}, ${c.text}, ${c.embedding ? sql`${sql.param(c.embedding)}::real[]` : sql`null`})`,
            ),
            sql`, `,
          );
          await tx.execute(
            sql`insert into file_chunks (file_id, user_id, n, page, section, text, embedding) values ${values}`,
          );
        }
        await tx.execute(sql`
          update files set status = 'ready', error = null, pages = ${r.pages}, chunks = ${r.chunks.length},
            tokens = ${r.tokens}, text = ${r.text}, content = null, updated_at = now()
          where id = ${job.fileId}`);
        return true;
      });
    },

    /** Marks the file failed with a plain reason, drops its bytes and ends its job (while the claim is this worker's). */
    async fail(job: ClaimedJob, reason: string): Promise<void> {
      await db.transaction(async (tx) => {
        const file = await tx.execute(sql`select 1 from files where id = ${job.fileId} for update`);
        if (file.rows.length === 0) return;
        const mine = await tx.execute(
          sql`delete from file_jobs where file_id = ${job.fileId} and attempts = ${job.attempt} returning 1`,
        );
        if (mine.rows.length === 0) return;
        await tx.execute(
          // The bytes go too: a failed document is kept only to say why (upload it again to retry).
          sql`update files set status = 'failed', error = ${reason}, content = null, updated_at = now() where id = ${job.fileId}`,
        );
      });
    },

    /** Gives a job back for a later try (a passing failure: the database, the embeddings server). */
    async release(job: ClaimedJob, retryInMs: number): Promise<void> {
      await db.execute(sql`
        update file_jobs set lease_until = now() + ${retryInMs} * interval '1 millisecond'
        where file_id = ${job.fileId} and attempts = ${job.attempt}`);
    },
  };
}

export type FilesRepo = ReturnType<typeof createFilesRepo>;
