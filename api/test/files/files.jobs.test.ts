// The ingestion job table: a claim is a lease (FOR UPDATE SKIP LOCKED), renewed while working; a worker that dies
// stops renewing and another takes the job over once the lease runs out; a worker that lost its claim stores nothing.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/features/files/embeddings.js';
import { createFilesRepo, type FilesRepo } from '../../src/features/files/files.repo.js';
import { FileWorker } from '../../src/features/files/ingest.worker.js';
import { hybridSearch } from '../../src/features/files/retrieval.js';
import { createLogger } from '../../src/lib/logger.js';
import { fakeEmbedding } from '../fake-openai.js';
import { createTestDatabase, type TestDatabase } from '../harness.js';

const logger = createLogger('silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('file jobs', () => {
  let tdb: TestDatabase;
  let repo: FilesRepo;
  let userId: number;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    repo = createFilesRepo(tdb.database.db);
    const res = await tdb.database.pool.query<{ id: number }>(
      `insert into users (username, email, password_hash) values ('jobs', 'jobs@example.com', 'x') returning id`,
    );
    userId = res.rows[0]!.id;
  });
  afterAll(async () => tdb.drop());

  const newDoc = async (text: string) => {
    const f = await repo.insert(
      {
        userId,
        sessionId: null,
        name: 'doc.txt',
        mimeType: 'text/plain',
        size: text.length,
        content: Buffer.from(text),
        status: 'processing',
      },
      1000,
    );
    return f!.id;
  };
  const status = async (id: number) =>
    (
      await tdb.database.pool.query<{ status: string; error: string | null; chunks: number }>(
        'select status, error, chunks from files where id = $1',
        [id],
      )
    ).rows[0]!;

  it('leaves a claimed job alone while its lease holds, then lets another worker take it over', async () => {
    const id = await newDoc('The orphaned job is finished by the second worker.');
    // Worker A claims the job and dies at once (never renews, never finishes).
    const dead = await repo.claim(400);
    expect(dead).toEqual({ fileId: id, attempt: 1 });
    const b = new FileWorker({ repo, logger, embedder: null, timings: { leaseMs: 400, renewMs: 100 } });
    expect(await b.runOnce()).toBe(false);
    expect((await status(id)).status).toBe('processing');
    await sleep(500);
    expect(await b.runOnce()).toBe(true);
    expect(await status(id)).toMatchObject({ status: 'ready', error: null, chunks: 1 });
    // A's claim is gone: if it came back to life, it could store nothing.
    expect(await repo.renew(dead!, 400)).toBe(false);
    expect(await repo.complete(dead!, userId, { chunks: [], pages: null, tokens: 0, text: '' })).toBe(false);
    expect((await status(id)).chunks).toBe(1);
  });

  it('renews the lease while working, so a slow job is not taken over', async () => {
    const id = await newDoc('A slow embedding keeps this worker busy for longer than its lease.');
    let embedded = 0;
    const slow: Embedder = {
      model: 'slow',
      async embedDocuments(texts) {
        await sleep(900);
        embedded++;
        return texts.map((t) => fakeEmbedding(t));
      },
      async embedQuery(text) {
        return fakeEmbedding(text);
      },
    };
    const a = new FileWorker({ repo, logger, embedder: slow, timings: { leaseMs: 300, renewMs: 50 } });
    const b = new FileWorker({ repo, logger, embedder: slow, timings: { leaseMs: 300, renewMs: 50 } });
    const working = a.runOnce();
    await sleep(600); // twice the lease
    expect(await b.runOnce()).toBe(false);
    expect(await working).toBe(true);
    expect(embedded).toBe(1);
    expect((await status(id)).status).toBe('ready');
  });

  it('marks a file failed after the last attempt (a file that keeps killing its worker does not loop)', async () => {
    const id = await newDoc('Poison.');
    await tdb.database.pool.query('update file_jobs set attempts = 3 where file_id = $1', [id]);
    const w = new FileWorker({ repo, logger, embedder: null, timings: { maxAttempts: 3 } });
    expect(await w.runOnce()).toBe(true);
    expect(await status(id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/after 3 attempts/) });
    const left = await tdb.database.db.execute(sql`select 1 from file_jobs where file_id = ${id}`);
    expect(left.rows).toEqual([]);
  });

  it('retrieves by full-text alone when the embeddings server fails at question time', async () => {
    const id = await newDoc('The lighthouse keeper of Brenmoor feeds seventeen cats.');
    const w = new FileWorker({ repo, logger, embedder: null });
    expect(await w.runOnce()).toBe(true);
    const failures: unknown[] = [];
    const down: Embedder = {
      model: 'down',
      embedDocuments: () => Promise.reject(new Error('connection refused')),
      embedQuery: () => Promise.reject(new Error('connection refused')),
    };
    const hits = await hybridSearch(tdb.database.db, down, [id], 'How many cats in Brenmoor?', 3, (e) =>
      failures.push(e),
    );
    expect(hits.map((h) => h.fileId)).toEqual([id]);
    expect(failures).toHaveLength(1);
  });

  it('deleting files while they are being ingested never deadlocks, and leaves nothing behind', async () => {
    const text = Array.from({ length: 400 }, (_v, i) => `Paragraph ${i} of a longer document.`).join('\n\n');
    const ids = await Promise.all(Array.from({ length: 20 }, () => newDoc(text)));
    const workers = [1, 2].map(() => new FileWorker({ repo, logger, embedder: null, timings: { pollMs: 20 } }).start());
    try {
      for (const id of ids) {
        await sleep(Math.floor(Math.random() * 15));
        expect(await repo.delete(userId, id)).toBe(true);
      }
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
    const left = await tdb.database.pool.query(
      'select count(*)::int as n from file_chunks where file_id = any($1::int[])',
      [ids],
    );
    expect(left.rows[0].n).toBe(0);
  });

  it('two workers racing for jobs each take different ones (SKIP LOCKED)', async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => newDoc(`Document number ${i}.`)));
    const claims = await Promise.all(ids.map(() => repo.claim(60_000)));
    const claimed = claims.filter((c) => c !== null).map((c) => c!.fileId);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort()).toEqual([...ids].sort());
    // Release them for the worker (lease back to now) and let one worker drain the queue.
    await tdb.database.pool.query('update file_jobs set lease_until = now()');
    const w = new FileWorker({ repo, logger, embedder: null });
    while (await w.runOnce()) {}
    for (const id of ids) expect((await status(id)).status).toBe('ready');
  });
});
