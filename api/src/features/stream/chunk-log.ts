// The chunk log's one batched writer per process: pending chunks of every answer go out in one INSERT + NOTIFY per
// tick; answers in progress are marked alive (heartbeat); logs of stored answers are deleted after a grace period.

import { loggableError } from '../../http/error-handler.js';
import type { Logger } from '../../lib/logger.js';
import type { ChunkRow, StreamRepo } from './stream.repo.js';

export interface ChunkLogOptions {
  repo: Pick<StreamRepo, 'appendChunks' | 'heartbeat' | 'deleteChunks'>;
  logger: Logger;
  /** How often pending chunks are written. */
  flushMs: number;
  /** How often answers in progress mark their row as alive. */
  heartbeatMs: number;
  /** How long a stored answer's log is kept for followers in other processes that are catching up. */
  retentionMs: number;
  /** The answers in progress in this process (their rows get the heartbeat). */
  alive(): number[];
}

const warn = (logger: Logger, err: unknown, msg: string) => logger.warn({ err: loggableError(err) }, msg);

export class ChunkLog {
  private pending: ChunkRow[] = [];
  private failedFlushes = 0;
  private flushChain: Promise<void> = Promise.resolve();
  private flushing = false;
  private deletions: { messageId: number; at: number }[] = [];
  private lastHeartbeat = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: ChunkLogOptions) {
    this.timer = setInterval(() => this.tick(), opts.flushMs);
    this.timer.unref();
  }

  append(row: ChunkRow) {
    this.pending.push(row);
  }

  /** The answer is stored: its log is deleted once followers elsewhere had time to catch up. */
  retire(messageId: number) {
    this.deletions.push({ messageId, at: Date.now() + this.opts.retentionMs });
  }

  /** Writes every pending chunk; resolves once all chunks appended before the call are in the log. */
  flush(): Promise<void> {
    const next = this.flushChain.then(async () => {
      if (!this.pending.length) return;
      const batch = this.pending;
      this.pending = [];
      try {
        await this.opts.repo.appendChunks(batch);
        this.failedFlushes = 0;
      } catch (err) {
        // Kept, in order, for the next flush: followers elsewhere lag while the database is away, and catch up
        // once it is back; a chunk of a live answer is never dropped (a sweep elsewhere rebuilds text from the log).
        this.pending = batch.concat(this.pending);
        if (++this.failedFlushes % 50 === 1) {
          const info = {
            err: loggableError(err),
            rows: this.pending.length,
            failures: this.failedFlushes,
          };
          this.opts.logger.warn(info, 'chunk log behind; rows kept');
        }
        throw err;
      }
    });
    this.flushChain = next.catch(() => {});
    return next;
  }

  /** Shutdown: no more ticks; the last chunks are written and the retained logs deleted (best effort). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    try {
      await this.flush();
      await this.opts.repo.deleteChunks(this.deletions.map((d) => d.messageId));
    } catch (err) {
      warn(this.opts.logger, err, 'final chunk flush failed');
    }
    this.deletions = [];
  }

  private tick() {
    if (!this.flushing && this.pending.length) {
      this.flushing = true;
      this.flush()
        .catch(() => {
          // Logged by flush(); the rows are kept for the next tick.
        })
        .finally(() => {
          this.flushing = false;
        });
    }
    const now = Date.now();
    const alive = now - this.lastHeartbeat >= this.opts.heartbeatMs ? this.opts.alive() : [];
    if (alive.length) {
      this.lastHeartbeat = now;
      this.opts.repo.heartbeat(alive).catch((err) => warn(this.opts.logger, err, 'stream heartbeat failed'));
    }
    if (this.deletions.length && this.deletions[0]!.at <= now) {
      const due = this.deletions.filter((d) => d.at <= now);
      this.deletions = this.deletions.filter((d) => d.at > now);
      this.opts.repo.deleteChunks(due.map((d) => d.messageId)).catch(() => {
        // Left for the sweep, which deletes the logs of stored answers.
      });
    }
  }
}
