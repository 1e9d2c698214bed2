// Followers in this process of answers another process generates: woken by its NOTIFY on the stream channel (and a
// safety poll, since a notification can be missed), they read the answer's row and chunk log from PostgreSQL. Every
// follower of one answer shares one read: N tabs on one answer cost the database what one does.
import type { PgListener } from '../../db/listener.js';
import { PUBLIC_MESSAGES } from '../../http/app-error.js';
import { loggableError } from '../../http/error-handler.js';
import type { Logger } from '../../lib/logger.js';
import { type StreamEvent, type StreamListener, safeCall, storedDone, type Unsubscribe } from './events.js';
import { STREAM_CHANNEL, type StreamRepo } from './stream.repo.js';

export interface RemoteFollowersOptions {
  repo: Pick<StreamRepo, 'getMessage' | 'chunksAfter'>;
  listener: Pick<PgListener, 'ready' | 'listen' | 'onConnectionChange'>;
  logger: Logger;
  /** Safety re-read of every followed answer (a NOTIFY can be missed). */
  pollMs: number;
  /** How long a first read waits for LISTEN to be in place (the database may be away). */
  listenWaitMs: number;
}

interface Follower {
  /** The last chunk this follower was sent; MAX for one that only waits for the end. */
  lastSeq: number;
  wantChunks: boolean;
  listener: StreamListener;
  ended: boolean;
}

/** One answer generated elsewhere and everyone here who follows it: read once, handed to each. */
interface RemoteAnswer {
  messageId: number;
  followers: Set<Follower>;
  /** A read is in flight; `again`: another is needed once it ends (a notification or a new follower came). */
  busy: boolean;
  again: boolean;
}

export class RemoteFollowers {
  private readonly answers = new Map<number, RemoteAnswer>();
  private readonly timer: NodeJS.Timeout;
  private readonly unlisten: (() => void)[];

  constructor(private readonly opts: RemoteFollowersOptions) {
    this.timer = setInterval(() => this.pollAll(), opts.pollMs);
    this.timer.unref();
    this.unlisten = [
      opts.listener.listen(STREAM_CHANNEL, (payload) => this.onProgress(payload)),
      // Notifications sent while the connection was away are lost: re-read everything once it is back.
      opts.listener.onConnectionChange((up) => {
        if (up) this.pollAll();
      }),
    ];
  }

  /**
   * Follows answer `messageId` from after chunk `after` until its row is stored. `wantChunks` false: only the end
   * (a stop waiting for the owner to store the answer).
   */
  follow(messageId: number, after: number, listener: StreamListener, wantChunks: boolean): Unsubscribe {
    const f: Follower = { lastSeq: wantChunks ? after : Number.MAX_SAFE_INTEGER, wantChunks, listener, ended: false };
    let answer = this.answers.get(messageId);
    if (!answer) {
      answer = { messageId, followers: new Set(), busy: false, again: false };
      this.answers.set(messageId, answer);
    }
    answer.followers.add(f);
    const joined = answer;
    // The first read waits for LISTEN, so a chunk logged in between is either read now or announced later.
    void this.opts.listener.ready(this.opts.listenWaitMs).then(() => this.poll(joined));
    return () => this.remove(joined, f);
  }

  /** The final event of answer `messageId` once its owner stored it; an error event after `timeoutMs`. */
  waitForEnd(messageId: number, timeoutMs: number): Promise<StreamEvent> {
    return new Promise<StreamEvent>((resolve) => {
      const timer = setTimeout(() => {
        unsubscribe();
        resolve({
          type: 'error',
          messageId,
          code: 'SERVICE_UNAVAILABLE',
          message: PUBLIC_MESSAGES.SERVICE_UNAVAILABLE,
        });
      }, timeoutMs);
      timer.unref();
      const unsubscribe = this.follow(
        messageId,
        0,
        (ev) => {
          if (ev.type === 'chunk') return;
          clearTimeout(timer);
          unsubscribe();
          resolve(ev);
        },
        false,
      );
    });
  }

  /** Shutdown: every follower gets an error telling its client to reconnect (to a process that is not stopping). */
  close() {
    clearInterval(this.timer);
    for (const u of this.unlisten) u();
    for (const answer of this.answers.values()) {
      for (const f of answer.followers) {
        f.ended = true;
        safeCall(f.listener, {
          type: 'error',
          messageId: answer.messageId,
          code: 'SERVICE_UNAVAILABLE',
          message: 'The server is restarting. Reconnect to resume the answer.',
        });
      }
    }
    this.answers.clear();
  }

  /** A NOTIFY on the stream channel: `[[messageId, latestSeq], …]`, seq -1 when the answer ended. */
  private onProgress(payload: string) {
    if (!this.answers.size) return;
    let pairs: [number, number][];
    try {
      pairs = JSON.parse(payload) as [number, number][];
    } catch {
      return;
    }
    for (const [messageId, seq] of pairs) {
      const answer = this.answers.get(messageId);
      if (!answer) continue;
      // Chunks only some follower has not seen yet, or the end, are worth a read.
      if (seq < 0 || [...answer.followers].some((f) => seq > f.lastSeq)) this.poll(answer);
    }
  }

  private pollAll() {
    for (const answer of this.answers.values()) this.poll(answer);
  }

  private poll(answer: RemoteAnswer) {
    if (!answer.followers.size) return;
    if (answer.busy) {
      answer.again = true;
      return;
    }
    answer.busy = true;
    void this.read(answer)
      .catch((err) => this.opts.logger.warn({ err: loggableError(err) }, 'stream follower read failed'))
      .finally(() => {
        answer.busy = false;
        if (answer.again) {
          answer.again = false;
          this.poll(answer);
        }
      });
  }

  /** One read for every follower of the answer: its row, then the chunks after the earliest one any of them needs. */
  private async read(answer: RemoteAnswer) {
    const { messageId } = answer;
    // Status first, chunks second: the owner logs every chunk before it stores the final status.
    const message = await this.opts.repo.getMessage(messageId);
    const readers = [...answer.followers].filter((f) => f.wantChunks && !f.ended);
    if (readers.length) {
      const from = Math.min(...readers.map((f) => f.lastSeq));
      const rows = await this.opts.repo.chunksAfter(messageId, from);
      for (const f of readers) {
        for (const r of rows) {
          if (f.ended) break;
          if (r.seq <= f.lastSeq) continue;
          if (r.seq !== f.lastSeq + 1) break;
          f.lastSeq = r.seq;
          safeCall(f.listener, { type: 'chunk', messageId, seq: r.seq, content: r.content });
        }
      }
    }
    if (message?.status === 'streaming') return;
    const ev: StreamEvent = !message
      ? { type: 'error', messageId, code: 'NOT_FOUND', message: 'The answer no longer exists' }
      : message.status === 'error'
        ? {
            type: 'error',
            messageId,
            code: 'AI_API_ERROR',
            message: PUBLIC_MESSAGES.AI_API_ERROR,
            assistantMessage: message,
          }
        : storedDone(message);
    // Followers that joined after the row was read get their own read (poll on join), never an end unseen.
    for (const f of [...answer.followers]) {
      if (f.ended || (f.wantChunks && !readers.includes(f))) continue;
      this.remove(answer, f);
      safeCall(f.listener, ev);
    }
  }

  private remove(answer: RemoteAnswer, f: Follower) {
    f.ended = true;
    answer.followers.delete(f);
    if (!answer.followers.size && this.answers.get(answer.messageId) === answer) this.answers.delete(answer.messageId);
  }
}
