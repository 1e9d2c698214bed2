// Storing the end of an answer through a database that may blip: the chunk log first, then the final row, retried
// with backoff for a bounded time; an answer that still could not be stored stays in memory (its row kept alive)
// and is stored as `error` with exactly its text once the database is back.
import type { Message, TokenUsage } from '@chatbot/shared';
import { AppError } from '../../http/app-error.js';
import { loggableError } from '../../http/error-handler.js';
import type { Logger } from '../../lib/logger.js';
import type { ModelCallReport } from '../usage/ledger.js';
import type { ChunkLog } from './chunk-log.js';
import type { ChatTurns, FinalStatus } from './events.js';

export interface AnswerEnd {
  messageId: number;
  /** Exactly the text the answer's followers received. */
  content: string;
  status: FinalStatus;
  usage: TokenUsage | null;
  /** For the usage ledger and metrics. */
  call?: ModelCallReport;
}

/** How storing ended: the stored row, the answer gone with its conversation, or not stored (the database away). */
export type StoreResult = { kind: 'stored'; message: Message } | { kind: 'gone' } | { kind: 'unsaved' };

export interface AnswerStoreOptions {
  chat: Pick<ChatTurns, 'finishAnswer'>;
  log: Pick<ChunkLog, 'flush'>;
  logger: Logger;
  /** How long the end of an answer is retried before its followers are told it could not be stored. */
  retryMs: number;
  /** Answers kept in memory are stored by then (their followers elsewhere are told, their logs retired). */
  onKeptStored(messageIds: number[]): void;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;
/** How often answers kept through an outage are tried again (only while there are any). */
const KEPT_RETRY_MS = 1_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export class AnswerStore {
  private readonly unsaved = new Map<number, AnswerEnd>();
  private retrying = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: AnswerStoreOptions) {}

  /** Answers ended here but not stored yet: their rows must keep their heartbeat (no other process recovers them). */
  get pendingIds(): number[] {
    return [...this.unsaved.keys()];
  }

  /**
   * Stores the end of an answer, retrying with backoff for `retryMs`. Every chunk goes into the chunk log before
   * the row says 'not streaming' (a follower elsewhere reads the status first, the chunks second, so it never misses
   * the tail); if the log alone keeps failing, the row is stored anyway past half the bound: its text is what counts.
   */
  async finish(end: AnswerEnd, log: Logger): Promise<StoreResult> {
    const started = Date.now();
    for (let attempt = 1, delay = RETRY_MIN_MS; ; attempt++, delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      try {
        await this.opts.log.flush().catch((err) => {
          if (Date.now() - started < this.opts.retryMs / 2) throw err;
          log.warn({ err: loggableError(err as Error) }, 'storing the answer without the tail of its chunk log');
        });
        return { kind: 'stored', message: await this.store(end) };
      } catch (err) {
        if (err instanceof AppError && err.code === 'NOT_FOUND') return { kind: 'gone' };
        if (Date.now() - started + delay > this.opts.retryMs) {
          log.error({ err: loggableError(err as Error), attempt }, 'could not store the answer; kept until it can be');
          this.unsaved.set(end.messageId, { ...end, status: 'error' });
          this.timer ??= setInterval(() => void this.retryUnsaved(), KEPT_RETRY_MS);
          this.timer.unref();
          return { kind: 'unsaved' };
        }
        log.warn({ err: loggableError(err as Error), attempt }, 'could not store the answer; retrying');
        await sleep(delay);
      }
    }
  }

  /**
   * Stores the answers kept in memory (as `error`, with the text their followers received); returns the ids
   * stored. Runs every second while there are any, and at shutdown.
   */
  async retryUnsaved(): Promise<number[]> {
    if (this.retrying || !this.unsaved.size) return [];
    this.retrying = true;
    const done: number[] = [];
    try {
      for (const end of [...this.unsaved.values()]) {
        try {
          await this.store(end);
          done.push(end.messageId);
          this.unsaved.delete(end.messageId);
        } catch (err) {
          if (err instanceof AppError && err.code === 'NOT_FOUND') this.unsaved.delete(end.messageId);
          else break;
        }
      }
    } finally {
      this.retrying = false;
      if (!this.unsaved.size) this.stopRetrying();
    }
    if (done.length) {
      this.opts.logger.warn({ messageIds: done }, 'stored answers kept through a database outage');
      this.opts.onKeptStored(done);
    }
    return done;
  }

  /** Shutdown: one last try for the answers kept in memory. */
  async close(): Promise<void> {
    this.stopRetrying();
    await this.retryUnsaved().catch(() => []);
  }

  private stopRetrying() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private store(end: AnswerEnd): Promise<Message> {
    const { content, status, usage, call } = end;
    return this.opts.chat.finishAnswer(end.messageId, { content, status, usage, ...(call ? { call } : {}) });
  }
}
