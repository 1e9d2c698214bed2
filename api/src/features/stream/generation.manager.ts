// GenerationManager: the answers this process generates (one per session), who follows them here or in other
// processes, stop, resume, shutdown and the recovery of answers a stopped process left behind.
import type { Message } from '@chatbot/shared';
import type { AppContext } from '../../context.js';
import type { PgListener } from '../../db/listener.js';
import { AppError, errors } from '../../http/app-error.js';
import { loggableError } from '../../http/error-handler.js';
import type { Logger } from '../../lib/logger.js';
import { modelCallReport } from '../usage/ledger.js';
import { AnswerStore } from './answer-store.js';
import { ChunkLog } from './chunk-log.js';
import type {
  BegunAnswer,
  ChatTurns,
  FollowResult,
  NewTurnOptions,
  StreamEvent,
  StreamListener,
  Unsubscribe,
} from './events.js';
import { finalEvent, LiveAnswer } from './live-answer.js';
import { llmModelRun, type ModelOutcome, type ModelRun, runAnswer } from './model-run.js';
import { RemoteFollowers } from './remote-followers.js';
import { createStreamRepo, STOP_CHANNEL, type StreamRepo } from './stream.repo.js';

export interface GenerationTimings {
  /** How often pending chunks are written to the chunk log (one INSERT + NOTIFY for all answers). */
  flushMs: number;
  /** How often answers in progress mark their row as alive. */
  heartbeatMs: number;
  /** A 'streaming' row untouched for this long belongs to a process that is gone. */
  staleMs: number;
  /** How often the recovery sweep runs. */
  sweepMs: number;
  /** How long a stored answer's chunk log is kept for followers in other processes that are catching up. */
  chunkRetentionMs: number;
  /** Safety re-read for followers in this process of answers generated elsewhere (a NOTIFY can be missed). */
  remotePollMs: number;
  /** How long the end of an answer is retried (database errors) before its followers hear it was not stored. */
  storeRetryMs: number;
}

const DEFAULT_TIMINGS: GenerationTimings = {
  flushMs: 100,
  // A lease, not a long staleness limit: renewed every 2 s, lost after 8 s without renewal, looked for every 2 s, so
  // a dead process's answers are stored and their followers ended within ~10 s (CONTRACT.md promises 15 s).
  heartbeatMs: 2_000,
  staleMs: 8_000,
  sweepMs: 2_000,
  chunkRetentionMs: 15_000,
  remotePollMs: 1_000,
  storeRetryMs: 10_000,
};

export interface GenerationDeps {
  chat: ChatTurns;
  repo: StreamRepo;
  /** The process's LISTEN connection (stop requests, progress of answers elsewhere); closed by its owner. */
  listener: PgListener;
  model: ModelRun;
  logger: Logger;
  /** OPENAI_TIMEOUT_MS: an answer's model call is aborted when nothing comes for this long (an idle timeout). */
  modelTimeoutMs: number;
  /** OPENAI_TOTAL_TIMEOUT_MS: bounds a whole answer's model call. */
  modelTotalTimeoutMs: number;
  timings?: Partial<GenerationTimings>;
}

const noAnswerInProgress = () => new AppError('NOT_FOUND', 'No answer is being generated in this session');
const conversationGone = () => new AppError('NOT_FOUND', 'The conversation was deleted while the answer was written');
const notStoredYet = () =>
  errors.unavailable('The answer could not be saved yet; it will be kept as shown, marked as failed.');
/** A resume on a session that has never had an answer. */
export const noAnswerYet = () => new AppError('NOT_FOUND', 'This session has no answer yet');

/** How long a stop waits for the owning process to store the answer before answering anyway. */
const STOP_WAIT_MS = 5_000;
/** After the shutdown bound has aborted the answers, how long storing them may take. */
const SHUTDOWN_STORE_MS = 3_000;
/** How long starting an answer waits for LISTEN (stop requests from elsewhere) before going on without it. */
const LISTEN_WAIT_MS = 1_000;

/** What startWith() stored and how to stop following the answer it started. */
export interface StartedAnswer {
  userMessage?: Message;
  /** The user message the answer replies to: the new one, or the one a regeneration answers again. */
  repliesTo?: Message;
  assistantMessage: Message;
  unsubscribe: Unsubscribe;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** The manager of an app: the stream repo on its pool, its LISTEN connection, the configured model provider. */
export function createGenerationManager(ctx: AppContext, chat: ChatTurns, timings: Partial<GenerationTimings> = {}) {
  return new GenerationManager({
    chat,
    repo: createStreamRepo(ctx.database.pool),
    listener: ctx.listener,
    model: llmModelRun(ctx.llm),
    logger: ctx.logger,
    modelTimeoutMs: ctx.config.OPENAI_TIMEOUT_MS,
    modelTotalTimeoutMs: ctx.config.OPENAI_TOTAL_TIMEOUT_MS,
    timings,
  });
}

export class GenerationManager {
  private readonly timings: GenerationTimings;
  private readonly byMessage = new Map<number, LiveAnswer>();
  private readonly bySession = new Map<number, LiveAnswer>();
  private readonly log: ChunkLog;
  private readonly store: AnswerStore;
  private readonly remote: RemoteFollowers;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unlisten: () => void;
  private closing = false;
  /** When a sweep last failed (the database away): leases are judged again only `staleMs` after it. */
  private sweepFailedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: GenerationDeps) {
    this.timings = { ...DEFAULT_TIMINGS, ...deps.timings };
    const { repo, logger, listener } = deps;
    this.log = new ChunkLog({
      repo,
      logger,
      flushMs: this.timings.flushMs,
      heartbeatMs: this.timings.heartbeatMs,
      retentionMs: this.timings.chunkRetentionMs,
      alive: () => [...this.byMessage.keys(), ...this.store.pendingIds],
    });
    this.store = new AnswerStore({
      chat: deps.chat,
      log: this.log,
      logger,
      retryMs: this.timings.storeRetryMs,
      onKeptStored: (ids) => {
        for (const id of ids) this.log.retire(id);
        repo.notifyEnded(ids).catch(() => {});
      },
    });
    this.remote = new RemoteFollowers({
      repo,
      listener,
      logger,
      pollMs: this.timings.remotePollMs,
      listenWaitMs: LISTEN_WAIT_MS,
    });
    this.unlisten = listener.listen(STOP_CHANNEL, (payload) => this.byMessage.get(Number(payload))?.controller.abort());
    const sweep = setInterval(() => void this.sweep(), this.timings.sweepMs);
    // Answers a crashed process left as 'streaming' are recovered at startup, not only a sweep later.
    const first = setTimeout(() => void this.sweep(), 0);
    for (const t of [sweep, first]) t.unref();
    this.timers.push(sweep, first);
  }

  /** Answers in progress in this process. */
  get activeCount(): number {
    return this.byMessage.size;
  }

  /**
   * Starts an answer: rate limit, one-at-a-time and both rows stored by chat.beginTurn (its errors are thrown
   * here, before any stream opens), then the model call runs in the background, tied to no client.
   */
  async start(userId: number, sessionId: number, content: string, listener?: StreamListener) {
    const begin = () => this.deps.chat.beginTurn(userId, sessionId, content);
    const turn = await this.startWith(userId, sessionId, begin, listener);
    return { userMessage: turn.userMessage!, assistantMessage: turn.assistantMessage, unsubscribe: turn.unsubscribe };
  }

  /**
   * Like start(), for a turn the chat feature begins otherwise (an edit, a regeneration: `begin` stores the rows).
   * `listener` is subscribed before the model call starts, so it sees every chunk and the end.
   */
  async startWith(
    userId: number,
    sessionId: number,
    begin: () => Promise<BegunAnswer>,
    listener?: StreamListener,
    mode: 'stream' | 'invoke' = 'stream',
  ): Promise<StartedAnswer> {
    if (this.closing) throw errors.unavailable();
    // Stop requests from other processes must reach this one before anyone can send them.
    await this.deps.listener.ready(LISTEN_WAIT_MS);
    const turn = await begin();
    const gen = new LiveAnswer(turn, sessionId, userId, mode);
    this.byMessage.set(gen.messageId, gen);
    this.bySession.set(sessionId, gen);
    const unsubscribe = listener ? gen.subscribe(0, listener) : () => {};
    void this.run(gen);
    return {
      userMessage: turn.userMessage,
      repliesTo: turn.userMessage ?? turn.repliesTo,
      assistantMessage: turn.assistantMessage,
      unsubscribe,
    };
  }

  /**
   * The non-streaming turn through the same path (stop, shutdown and recovery apply): resolves with the stored
   * answer (complete, or stopped), throws the provider's AppError (the answer stored as 'error').
   */
  async complete(userId: number, sessionId: number, content: string, opts: NewTurnOptions = {}) {
    const done = await this.completeWith(userId, sessionId, () =>
      this.deps.chat.beginTurn(userId, sessionId, content, opts),
    );
    return { userMessage: done.userMessage!, assistantMessage: done.assistantMessage };
  }

  /** Like complete(), for a turn the chat feature begins otherwise (an edit, a regeneration). */
  async completeWith(
    userId: number,
    sessionId: number,
    begin: () => Promise<BegunAnswer>,
  ): Promise<{ userMessage?: Message; assistantMessage: Message }> {
    const turn = await this.startWith(userId, sessionId, begin, undefined, 'invoke');
    const final = await this.byMessage.get(turn.assistantMessage.id)?.finished;
    const stored =
      final && final.type !== 'chunk'
        ? final.assistantMessage
        : await this.deps.repo.getMessage(turn.assistantMessage.id);
    if (final?.type === 'error') throw final.cause ?? new AppError(final.code, final.message);
    if (!stored) throw errors.internal();
    return { userMessage: turn.userMessage, assistantMessage: stored };
  }

  /**
   * Follows the session's answer in progress from after chunk `after`: replays what was missed, then live,
   * with no gap and no duplicate (from memory here, or from the chunk log when another process generates it).
   * Nothing in progress: the latest stored assistant message, or `none`.
   */
  async follow(sessionId: number, after: number, listener: StreamListener): Promise<FollowResult> {
    const local = this.bySession.get(sessionId);
    if (local) return { kind: 'live', messageId: local.messageId, unsubscribe: local.subscribe(after, listener) };
    const streamingId = await this.deps.repo.streamingMessageId(sessionId);
    if (streamingId !== undefined) {
      // Started here while the row was read, or generated by another process.
      const here = this.byMessage.get(streamingId);
      const unsubscribe = here
        ? here.subscribe(after, listener)
        : this.remote.follow(streamingId, after, listener, true);
      return { kind: 'live', messageId: streamingId, unsubscribe };
    }
    const latest = await this.deps.repo.latestAssistantMessage(sessionId);
    return latest ? { kind: 'stored', message: latest } : { kind: 'none' };
  }

  /**
   * Stops the session's answer in progress, whichever process generates it, and returns it as stored
   * (status 'stopped', or whatever it ended with if it finished first). 404 when nothing is in progress.
   */
  async stop(sessionId: number): Promise<Message> {
    const local = this.bySession.get(sessionId);
    if (local) {
      local.controller.abort();
      return finalMessage(await local.finished);
    }
    const messageId = await this.deps.repo.streamingMessageId(sessionId);
    if (messageId === undefined) throw noAnswerInProgress();
    const ended = this.remote.waitForEnd(messageId, STOP_WAIT_MS);
    await this.deps.repo.requestStop(messageId);
    const ev = await ended;
    const stored =
      ev.type === 'chunk' ? undefined : (ev.assistantMessage ?? (await this.deps.repo.getMessage(messageId)));
    if (!stored) throw noAnswerInProgress();
    return stored;
  }

  /**
   * One recovery pass: orphaned 'streaming' answers become 'stopped' with their logged text, or 'error' when their
   * chunk log has a gap (never garbled text). Returns the ids recovered. After the database was away, no process
   * could renew its leases: they are judged again only once every process has had `staleMs` to renew them, so a
   * live answer is not taken for a dead process's.
   */
  async sweep(): Promise<number[]> {
    const { repo, logger } = this.deps;
    try {
      const judging = Date.now() - this.sweepFailedAt >= this.timings.staleMs;
      const orphans = judging ? await repo.recoverOrphans(this.timings.staleMs) : [];
      if (orphans.length) {
        logger.warn({ orphans }, 'recovered answers left streaming by a stopped process');
        // Followers elsewhere hear of the end now rather than at their next poll.
        await repo.notifyEnded(orphans.map((o) => o.id));
      }
      await repo.deleteFinishedChunks();
      return orphans.map((o) => o.id);
    } catch (err) {
      this.sweepFailedAt = Date.now();
      logger.warn({ err: loggableError(err) }, 'stream recovery sweep failed');
      return [];
    }
  }

  /**
   * Shutdown: answers in flight may finish until `timeoutMs`, then are aborted and stored as 'stopped';
   * followers of answers generated elsewhere get an error telling them to reconnect.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const all = () => Promise.all([...this.byMessage.values()].map((g) => g.finished));
    await Promise.race([all(), sleep(timeoutMs)]);
    for (const gen of this.byMessage.values()) gen.controller.abort();
    await Promise.race([all(), sleep(SHUTDOWN_STORE_MS)]);
    for (const t of this.timers) clearInterval(t);
    this.unlisten();
    this.remote.close();
    await this.store.close();
    await this.log.close();
  }

  // ——— one answer ———

  private async run(gen: LiveAnswer): Promise<void> {
    const log = this.deps.logger.child({ messageId: gen.messageId, sessionId: gen.sessionId });
    const outcome = await runAnswer({
      run: this.deps.model,
      prompt: async () => {
        const built = gen.prompt ?? (await this.deps.chat.buildPrompt(gen.sessionId, gen.messageId));
        gen.prompt = undefined;
        return built;
      },
      call: { model: gen.model, temperature: gen.temperature, mode: gen.mode },
      stop: gen.controller.signal,
      timeoutMs: this.deps.modelTimeoutMs,
      totalTimeoutMs: this.deps.modelTotalTimeoutMs,
      onText: (text) => this.push(gen, text),
      log,
    });
    await this.finish(gen, outcome, log);
  }

  private push(gen: LiveAnswer, content: string) {
    const seq = gen.push(content);
    this.log.append({ messageId: gen.messageId, seq, content });
  }

  private async finish(gen: LiveAnswer, { status, usage, failure, timing }: ModelOutcome, log: Logger) {
    const call = modelCallReport({
      usage,
      content: gen.text,
      promptTokens: timing.promptTokens,
      startedAt: timing.calledAt,
      firstChunkAt: timing.firstTextAt,
      endedAt: performance.now(),
      errorCode: failure?.code,
    });
    const stored = await this.store.finish({ messageId: gen.messageId, content: gen.text, status, usage, call }, log);
    this.byMessage.delete(gen.messageId);
    if (this.bySession.get(gen.sessionId) === gen) this.bySession.delete(gen.sessionId);
    // Followers hear `done` only about text that is stored; otherwise an error that says so, with that text.
    if (stored.kind === 'stored') gen.end(finalEvent(stored.message, status, failure));
    else if (stored.kind === 'gone') gen.end(finalEvent(gen.unstored('error', usage), 'error', conversationGone()));
    else gen.end(finalEvent(gen.unstored('error', usage), 'error', notStoredYet()));
    if (stored.kind === 'stored') {
      this.log.retire(gen.messageId);
      this.deps.repo.notifyEnded([gen.messageId]).catch(() => {});
    }
  }
}

function finalMessage(ev: StreamEvent): Message {
  if (ev.type === 'chunk' || !ev.assistantMessage) throw errors.internal();
  return ev.assistantMessage;
}
