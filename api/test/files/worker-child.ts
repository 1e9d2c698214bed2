// A file worker as a process of its own, for the test that kills it mid-ingestion: it claims the job and hangs in
// the embedding step (renewing its lease) until it is killed.
import { connectDatabase } from '../../src/db/client.js';
import type { Embedder } from '../../src/features/files/embeddings.js';
import { createFilesRepo } from '../../src/features/files/files.repo.js';
import { FileWorker } from '../../src/features/files/ingest.worker.js';
import { createLogger } from '../../src/lib/logger.js';

const database = connectDatabase(process.env.DATABASE_URL!, { max: 2 });
const hang: Embedder = {
  model: 'hang',
  embedDocuments: () => new Promise<number[][]>(() => {}),
  embedQuery: () => new Promise<number[]>(() => {}),
};
new FileWorker({
  repo: createFilesRepo(database.db),
  logger: createLogger('silent'),
  embedder: hang,
  timings: { leaseMs: Number(process.env.LEASE_MS), renewMs: 200, pollMs: 100 },
}).start();
// Keeps the process alive (the worker's timers are unref'd).
setInterval(() => {}, 1_000);
