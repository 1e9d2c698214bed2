// A worker process killed (SIGKILL) in the middle of an ingestion: its lease, renewed while it lived, runs out, and a
// worker in another process takes the job over and finishes the file.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFilesRepo } from '../../src/features/files/files.repo.js';
import { FileWorker } from '../../src/features/files/ingest.worker.js';
import { createLogger } from '../../src/lib/logger.js';
import { createTestDatabase, type TestDatabase } from '../harness.js';
import { waitFor } from '../stream/stream-helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const LEASE_MS = 1_500;

describe('a worker process killed mid-ingestion', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => tdb.drop());

  it('leaves its job to another process once its lease runs out', async () => {
    const pool = tdb.database.pool;
    const user = await pool.query<{ id: number }>(
      `insert into users (username, email, password_hash) values ('kill', 'kill@example.com', 'x') returning id`,
    );
    const repo = createFilesRepo(tdb.database.db);
    const file = await repo.insert(
      {
        userId: user.rows[0]!.id,
        sessionId: null,
        name: 'doc.md',
        mimeType: 'text/markdown',
        size: 30,
        content: Buffer.from('# Doc\n\nSurvives a killed worker.'),
        status: 'processing',
      },
      100,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/test/files/worker-child.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: tdb.url, LEASE_MS: String(LEASE_MS) },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, s) => r(s)));
    try {
      const job = async () =>
        (
          await pool.query<{ attempts: number; left_ms: number }>(
            `select attempts, (extract(epoch from lease_until - now()) * 1000)::float8 as left_ms from file_jobs where file_id = $1`,
            [file!.id],
          )
        ).rows[0];
      await waitFor(async () => (await job())?.attempts === 1, 20_000, 'the child to claim the job');
      // Alive, it renews: twice the lease later the claim still holds.
      await new Promise((r) => setTimeout(r, LEASE_MS * 2));
      expect((await job())!.left_ms).toBeGreaterThan(0);
      const other = new FileWorker({ repo, logger: createLogger('silent'), embedder: null });
      expect(await other.runOnce()).toBe(false);

      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const killedAt = Date.now();
      await waitFor(() => other.runOnce(), LEASE_MS + 5_000, 'another worker to take the job over');
      expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + 5_000);
      const row = await pool.query('select status, chunks from files where id = $1', [file!.id]);
      expect(row.rows[0]).toEqual({ status: 'ready', chunks: 1 });
      expect(await job()).toBeUndefined();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
