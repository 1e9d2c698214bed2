// The ingestion worker every API process runs: claims a file's job (FOR UPDATE SKIP LOCKED, under a lease it renews
// while working), extracts, chunks and embeds the text, and stores it all in one transaction while the claim is
// still its own. A process that dies stops renewing: its job's lease runs out and another process takes it over.
import type { PgListener } from '../../db/listener.js';
import type { Logger } from '../../lib/logger.js';
import { countTokens } from '../../llm/token-counter.js';
import { chunkDocument } from './chunk.js';
import type { Embedder } from './embeddings.js';
import { ExtractionError, extractText } from './extract.js';
import { type ClaimedJob, FILE_JOBS_CHANNEL, type FilesRepo } from './files.repo.js';

export interface FileWorkerTimings {
  /** How long a claim holds without renewal: a dead worker's job is free after this (well within 60 s). */
  leaseMs: number;
  /** How often a worker renews the lease of the job it is working on. */
  renewMs: number;
  /** How often an idle worker looks for work (an upload's NOTIFY wakes it sooner). */
  pollMs: number;
  /** Tries before a file is marked failed (a file that keeps killing its worker does not loop forever). */
  maxAttempts: number;
  /** Wait before a job that failed for a passing reason is tried again. */
  retryMs: number;
}

export const DEFAULT_WORKER_TIMINGS: FileWorkerTimings = {
  leaseMs: 30_000,
  renewMs: 5_000,
  pollMs: 2_000,
  maxAttempts: 3,
  retryMs: 5_000,
};

export interface FileWorkerDeps {
  repo: FilesRepo;
  logger: Logger;
  embedder: Embedder | null;
  /** Wakes the worker on new uploads; optional (polling alone works). */
  listener?: PgListener;
  timings?: Partial<FileWorkerTimings>;
}

export class FileWorker {
  private readonly t: FileWorkerTimings;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private unlisten: (() => void) | undefined;
  private closed = false;
  private again = false;

  constructor(private readonly deps: FileWorkerDeps) {
    this.t = { ...DEFAULT_WORKER_TIMINGS, ...deps.timings };
  }

  /** Starts polling (and listening for uploads). */
  start(): this {
    this.unlisten = this.deps.listener?.listen(FILE_JOBS_CHANNEL, () => this.kick());
    this.timer = setInterval(() => this.kick(), this.t.pollMs);
    this.timer.unref();
    this.kick();
    return this;
  }

  /** Runs jobs until none is free; one at a time per process (extraction is CPU work). */
  private kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        while (!this.closed && (await this.runOnce().catch(() => false)));
      } while (this.again && !this.closed);
    })().finally(() => {
      this.running = undefined;
    });
  }

  /** Claims and processes one job; false when there was none to claim. */
  async runOnce(): Promise<boolean> {
    let job: ClaimedJob | null;
    try {
      job = await this.deps.repo.claim(this.t.leaseMs);
    } catch (err) {
      this.deps.logger.warn({ err: { message: (err as Error).message } }, 'could not claim a file job');
      return false;
    }
    if (!job) return false;
    await this.process(job);
    return true;
  }

  /** Processes a job this worker holds, renewing its lease meanwhile. */
  async process(job: ClaimedJob): Promise<void> {
    const { repo, logger } = this.deps;
    const log = logger.child({ fileId: job.fileId, attempt: job.attempt });
    let lost = false;
    const renew = setInterval(() => {
      repo
        .renew(job, this.t.leaseMs)
        .then((ok) => {
          if (!ok) lost = true;
        })
        .catch(() => {});
    }, this.t.renewMs);
    renew.unref();
    const started = performance.now();
    try {
      if (job.attempt > this.t.maxAttempts) {
        await repo.fail(job, `The file could not be processed after ${this.t.maxAttempts} attempts`);
        return;
      }
      const file = await repo.content(job.fileId);
      if (!file?.content) return; // deleted meanwhile (its job went with it)
      const doc = await extractText(file.content, file.mime_type);
      const chunks = await chunkDocument(doc);
      const embeddings = this.deps.embedder ? await this.deps.embedder.embedDocuments(chunks.map((c) => c.text)) : null;
      const text = doc.segments.map((s) => s.text).join('\n\n');
      if (lost) return;
      const stored = await repo.complete(job, file.user_id, {
        chunks: chunks.map((c, i) => ({ ...c, embedding: embeddings?.[i] ?? null })),
        pages: doc.pages,
        tokens: countTokens(text),
        text,
      });
      log.info(
        { chunks: chunks.length, pages: doc.pages, ms: Math.round(performance.now() - started), stored },
        stored ? 'file ingested' : 'file ingested, but its job was taken over meanwhile; dropped',
      );
    } catch (err) {
      if (err instanceof ExtractionError) {
        log.info({ reason: err.message }, 'file could not be read');
        await repo.fail(job, err.message).catch(() => {});
        return;
      }
      log.warn({ err: { message: (err as Error).message } }, 'file ingestion failed; it will be tried again');
      if (job.attempt >= this.t.maxAttempts) {
        await repo.fail(job, 'The file could not be processed').catch(() => {});
      } else {
        await repo.release(job, this.t.retryMs).catch(() => {});
      }
    } finally {
      clearInterval(renew);
    }
  }

  /** Stops taking jobs and waits (bounded) for the one in progress; an unfinished one is taken over later. */
  async close(timeoutMs = 5_000): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.unlisten?.();
    if (this.running) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([this.running, new Promise<void>((r) => (t = setTimeout(r, timeoutMs)))]);
      clearTimeout(t);
    }
  }
}
