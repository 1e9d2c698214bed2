// GenerationManager: the answers this process generates, their chunk log, followers (local and in other processes), stop, resume, shutdown and recovery.
import type { ErrorCode, Message, TokenUsage } from '@chatbot/shared';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { AIMessageChunk, BaseMessage } from '@langchain/core/messages';
import type { AppContext } from '../../context.js';
import { AppError, errors, PUBLIC_MESSAGES } from '../../http/app-error.js';
import { toAppError } from '../../http/error-handler.js';
import { promptTokenEstimate } from '../../llm/memory.js';
import { isTimeoutError, providerErrorLog, toProviderAppError } from '../../llm/provider-errors.js';
import { contentToText } from '../../llm/token-counter.js';
import { usageFromMetadata } from '../../llm/usage.js';
import { type ModelCallReport, modelCallReport } from '../usage/ledger.js';
import { type PgListener, startPgListener } from './pg-listener.js';
import { type ChunkRow, createStreamRepo, STOP_CHANNEL, STREAM_CHANNEL, type StreamRepo } from './stream.repo.js';

/** What the manager needs from the chat feature (the seam in features/chat/chat.service.ts). */
export interface ChatTurns {
  /** 404 NOT_FOUND if missing, 403 FORBIDDEN if it is another user's. */
  requireOwnedSession(userId: number, sessionId: number): Promise<{ id: number; userId: number }>;
  beginTurn(
    userId: number,
    sessionId: number,
    content: string,
  ): Promise<{ userMessage: Message; assistantMessage: Message; temperature?: number; prompt?: BaseMessage[] }>;
  /** A new answer beside assistant message `messageId` (kept as an alternative); `repliesTo` is its user message. */
  beginRegenerate(userId: number, sessionId: number, messageId: number): Promise<BegunAnswer & { repliesTo?: Message }>;
  /** A new version of user message `messageId` (beside it) and the row of its answer. */
  beginEdit(userId: number, sessionId: number, messageId: number, content: string): Promise<BegunAnswer>;
  buildPrompt(sessionId: number, assistantMessageId: number): Promise<BaseMessage[]>;
  finishAnswer(
    messageId: number,
    r: {
      content: string;
      status: 'complete' | 'stopped' | 'error';
      usage?: TokenUsage | null;
      /** For the usage ledger and metrics. */
      call?: ModelCallReport;
    },
  ): Promise<Message>;
}

/** A turn begun by the chat feature (a message, an edit, a regeneration): the rows stored, the session's temperature. */
export interface BegunAnswer {
  userMessage?: Message;
  assistantMessage: Message;
  temperature?: number;
  /** The prompt, when the chat feature built it while storing the turn; otherwise the generation reads it. */
  prompt?: BaseMessage[];
}

export type FinalStatus = 'complete' | 'stopped' | 'error';

/** What a follower of one answer receives: chunks in seq order, then exactly one `done` or `error`. */
export type StreamEvent =
  | { type: 'chunk'; messageId: number; seq: number; content: string }
  | { type: 'done'; messageId: number; status: FinalStatus; assistantMessage: Message }
  | {
      type: 'error';
      messageId: number;
      code: ErrorCode;
      message: string;
      assistantMessage?: Message;
      /** The AppError itself (status, Retry-After), for the one who started the answer in this process. */
      cause?: AppError;
    };

/** A stored answer as the final event of its stream (a row still `streaming` here belongs to no live generation). */
export function storedDone(m: Message): StreamEvent {
  return {
    type: 'done',
    messageId: m.id,
    status: m.status === 'streaming' ? 'stopped' : m.status,
    assistantMessage: m,
  };
}

export type StreamListener = (ev: StreamEvent) => void;
export type Unsubscribe = () => void;

/** The result of following a session: an answer in progress (events follow), or the latest stored answer. */
export type FollowResult =
  | { kind: 'live'; messageId: number; unsubscribe: Unsubscribe }
  | { kind: 'stored'; message: Message }
  | { kind: 'none' };

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
}

const DEFAULT_TIMINGS: GenerationTimings = {
  flushMs: 100,
  heartbeatMs: 5_000,
  staleMs: 30_000,
  sweepMs: 10_000,
  chunkRetentionMs: 15_000,
  remotePollMs: 1_000,
};

const noAnswerInProgress = () => new AppError('NOT_FOUND', 'No answer is being generated in this session');
/** A resume on a session that has never had an answer. */
export const noAnswerYet = () => new AppError('NOT_FOUND', 'This session has no answer yet');

/** How long a stop waits for the owning process to store the answer before answering anyway. */
const STOP_WAIT_MS = 5_000;
/** After the shutdown bound has aborted the answers, how long storing them may take. */
const SHUTDOWN_STORE_MS = 3_000;

interface Generation {
  messageId: number;
  sessionId: number;
  userId: number;
  model: string | undefined;
  temperature: number | undefined;
  prompt: BaseMessage[] | undefined;
  /** 'invoke': one model call without streaming (the non-streaming route), so usage is exact with any provider. */
  mode: 'stream' | 'invoke';
  chunks: string[];
  listeners: Set<StreamListener>;
  controller: AbortController;
  final?: StreamEvent;
  /** For the usage ledger: when the model was called, its first chunk, the prompt's token estimate. */
  calledAt?: number;
  firstChunkAt?: number;
  promptTokens?: number;
  finished: Promise<StreamEvent>;
  resolveFinished(ev: StreamEvent): void;
}

interface RemoteFollower {
  messageId: number;
  lastSeq: number;
  wantChunks: boolean;
  listener: StreamListener;
  busy: boolean;
  again: boolean;
  ended: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/**
 * The model's chunks straight from its own streaming generator. LangChain's stream() adds, per chunk, a web
 * ReadableStream hop, a callback-manager pass and a concat of every chunk so far, all for tracing callbacks this app
 * never registers: about a sixth of the CPU a streamed chunk costs (bench/). Models without a streaming generator of
 * their own, or with streaming disabled, go through stream() as before.
 */
async function* modelChunks(
  model: BaseChatModel,
  prompt: BaseMessage[],
  signal: AbortSignal,
): AsyncGenerator<AIMessageChunk> {
  if (model._streamResponseChunks === BaseChatModel.prototype._streamResponseChunks || model.disableStreaming) {
    yield* await model.stream(prompt, { signal });
    return;
  }
  for await (const chunk of model._streamResponseChunks(prompt, { signal } as typeof model.ParsedCallOptions)) {
    signal.throwIfAborted();
    // A chat model's chunks are AIMessageChunks (what stream() yields too).
    yield chunk.message as AIMessageChunk;
  }
  signal.throwIfAborted();
}

function safeCall(listener: StreamListener, ev: StreamEvent) {
  try {
    listener(ev);
  } catch {
    // A follower's failure (a socket gone mid-write) must never break the generation or other followers.
  }
}

export class GenerationManager {
  private readonly repo: StreamRepo;
  private readonly timings: GenerationTimings;
  private readonly byMessage = new Map<number, Generation>();
  private readonly bySession = new Map<number, Generation>();
  private readonly remote = new Map<number, Set<RemoteFollower>>();
  private pending: ChunkRow[] = [];
  private failedFlushes = 0;
  private flushChain: Promise<void> = Promise.resolve();
  private flushing = false;
  private chunkDeletions: { messageId: number; at: number }[] = [];
  private listener: PgListener | undefined;
  private timers: NodeJS.Timeout[] = [];
  private lastHeartbeat = 0;
  private closing = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly chat: ChatTurns,
    timings: Partial<GenerationTimings> = {},
  ) {
    this.repo = createStreamRepo(ctx.database.pool);
    this.timings = { ...DEFAULT_TIMINGS, ...timings };
    const tick = setInterval(() => this.tick(), this.timings.flushMs);
    const sweep = setInterval(() => void this.sweep(), this.timings.sweepMs);
    const poll = setInterval(() => this.pollAllRemote(), this.timings.remotePollMs);
    for (const t of [tick, sweep, poll]) t.unref();
    this.timers.push(tick, sweep, poll);
    // Answers a crashed process left as 'streaming' are recovered at startup, not only a sweep later.
    const first = setTimeout(() => void this.sweep(), 0);
    first.unref();
    this.timers.push(first);
  }

  /** Answers in progress in this process. */
  get activeCount(): number {
    return this.byMessage.size;
  }

  /**
   * Starts an answer: rate limit, one-at-a-time and both rows stored by chat.beginTurn (its errors are thrown
   * here, before any stream opens), then the model call runs in the background, tied to no client.
   */
  async start(
    userId: number,
    sessionId: number,
    content: string,
    listener?: StreamListener,
    mode: 'stream' | 'invoke' = 'stream',
  ): Promise<{ userMessage: Message; assistantMessage: Message; unsubscribe: Unsubscribe }> {
    const turn = await this.startWith(
      userId,
      sessionId,
      () => this.chat.beginTurn(userId, sessionId, content),
      listener,
      mode,
    );
    return { userMessage: turn.userMessage!, assistantMessage: turn.assistantMessage, unsubscribe: turn.unsubscribe };
  }

  /** Like start(), for a turn the chat feature begins otherwise (an edit, a regeneration: `begin` stores the rows). */
  async startWith(
    userId: number,
    sessionId: number,
    begin: () => Promise<BegunAnswer>,
    listener?: StreamListener,
    mode: 'stream' | 'invoke' = 'stream',
  ): Promise<{ userMessage?: Message; assistantMessage: Message; unsubscribe: Unsubscribe }> {
    if (this.closing) throw errors.unavailable();
    // Stop requests from other processes must reach this one before anyone can send them.
    await this.ensureListener().ready();
    const turn = await begin();
    let resolveFinished: (ev: StreamEvent) => void = () => {};
    const finished = new Promise<StreamEvent>((r) => {
      resolveFinished = r;
    });
    const gen: Generation = {
      messageId: turn.assistantMessage.id,
      sessionId,
      userId,
      model: turn.assistantMessage.model ?? undefined,
      temperature: turn.temperature,
      prompt: turn.prompt,
      mode,
      chunks: [],
      listeners: new Set(),
      controller: new AbortController(),
      finished,
      resolveFinished,
    };
    this.byMessage.set(gen.messageId, gen);
    this.bySession.set(sessionId, gen);
    // Subscribed before the model call starts, so the caller sees every chunk and the end.
    const unsubscribe = listener ? this.subscribeLocal(gen, 0, listener) : () => {};
    void this.run(gen);
    return { userMessage: turn.userMessage, assistantMessage: turn.assistantMessage, unsubscribe };
  }

  /**
   * The non-streaming turn through the same path (stop, shutdown and recovery apply): resolves with the stored
   * answer (complete, or stopped), throws the provider's AppError (the answer stored as 'error').
   */
  async complete(
    userId: number,
    sessionId: number,
    content: string,
  ): Promise<{ userMessage: Message; assistantMessage: Message }> {
    const done = await this.completeWith(userId, sessionId, () => this.chat.beginTurn(userId, sessionId, content));
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
      final && final.type !== 'chunk' ? final.assistantMessage : await this.repo.getMessage(turn.assistantMessage.id);
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
    if (local)
      return { kind: 'live', messageId: local.messageId, unsubscribe: this.subscribeLocal(local, after, listener) };
    const streamingId = await this.repo.streamingMessageId(sessionId);
    if (streamingId !== undefined) {
      const again = this.byMessage.get(streamingId);
      if (again)
        return { kind: 'live', messageId: streamingId, unsubscribe: this.subscribeLocal(again, after, listener) };
      return {
        kind: 'live',
        messageId: streamingId,
        unsubscribe: this.followRemote(streamingId, after, listener, true),
      };
    }
    const latest = await this.repo.latestAssistantMessage(sessionId);
    return latest ? { kind: 'stored', message: latest } : { kind: 'none' };
  }

  /** Follows one answer known to be generated here (right after start()). */
  subscribe(messageId: number, after: number, listener: StreamListener): Unsubscribe | undefined {
    const gen = this.byMessage.get(messageId);
    return gen ? this.subscribeLocal(gen, after, listener) : undefined;
  }

  /**
   * Stops the session's answer in progress, whichever process generates it, and returns it as stored
   * (status 'stopped', or whatever it ended with if it finished first). 404 when nothing is in progress.
   */
  async stop(sessionId: number): Promise<Message> {
    const local = this.bySession.get(sessionId);
    if (local) {
      local.controller.abort();
      return this.finalMessage(await local.finished);
    }
    const messageId = await this.repo.streamingMessageId(sessionId);
    if (messageId === undefined) throw noAnswerInProgress();
    const ended = new Promise<StreamEvent>((resolve) => {
      const unsubscribe = this.followRemote(
        messageId,
        0,
        (ev) => {
          if (ev.type !== 'chunk') {
            unsubscribe();
            resolve(ev);
          }
        },
        false,
      );
      setTimeout(() => {
        unsubscribe();
        resolve({
          type: 'error',
          messageId,
          code: 'SERVICE_UNAVAILABLE',
          message: PUBLIC_MESSAGES.SERVICE_UNAVAILABLE,
        });
      }, STOP_WAIT_MS).unref();
    });
    await this.repo.requestStop(messageId);
    const ev = await ended;
    const stored = ev.type === 'chunk' ? undefined : (ev.assistantMessage ?? (await this.repo.getMessage(messageId)));
    if (!stored) throw noAnswerInProgress();
    return stored;
  }

  /** One recovery pass: orphaned 'streaming' answers become 'stopped' with their logged text. */
  async sweep(): Promise<number[]> {
    try {
      const ids = await this.repo.recoverOrphans(this.timings.staleMs);
      if (ids.length)
        this.ctx.logger.warn({ messageIds: ids }, 'recovered answers left streaming by a stopped process');
      await this.repo.deleteFinishedChunks();
      return ids;
    } catch (err) {
      this.ctx.logger.warn({ err: { message: (err as Error).message } }, 'stream recovery sweep failed');
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
    for (const set of this.remote.values()) {
      for (const f of set) {
        f.ended = true;
        safeCall(f.listener, {
          type: 'error',
          messageId: f.messageId,
          code: 'SERVICE_UNAVAILABLE',
          message: 'The server is restarting. Reconnect to resume the answer.',
        });
      }
    }
    this.remote.clear();
    try {
      await this.flush();
      await this.repo.deleteChunks(this.chunkDeletions.map((d) => d.messageId));
    } catch (err) {
      this.ctx.logger.warn({ err: { message: (err as Error).message } }, 'final chunk flush failed');
    }
    this.chunkDeletions = [];
    await this.listener?.close();
  }

  // ——— generation ———

  private async run(gen: Generation): Promise<void> {
    const log = this.ctx.logger.child({ messageId: gen.messageId, sessionId: gen.sessionId });
    const signal = AbortSignal.any([gen.controller.signal, AbortSignal.timeout(this.ctx.config.OPENAI_TIMEOUT_MS)]);
    let status: FinalStatus = 'complete';
    let usage: TokenUsage | null = null;
    let failure: AppError | undefined;
    // A failure before the model is called is ours (the database), not the provider's.
    let calling = false;
    try {
      const prompt = gen.prompt ?? (await this.chat.buildPrompt(gen.sessionId, gen.messageId));
      gen.prompt = undefined;
      calling = true;
      gen.promptTokens = promptTokenEstimate(prompt);
      gen.calledAt = performance.now();
      const model = this.ctx.llm.chatModel({
        ...(gen.model ? { model: gen.model } : {}),
        ...(gen.temperature !== undefined ? { temperature: gen.temperature } : {}),
      });
      if (gen.mode === 'invoke') {
        const reply = await model.invoke(prompt, { signal });
        usage = usageFromMetadata(reply.usage_metadata);
        const text = contentToText(reply.content);
        if (text) this.push(gen, text);
      } else {
        for await (const chunk of modelChunks(model, prompt, signal)) {
          // The provider reports usage once, on its last chunk.
          usage = usageFromMetadata(chunk.usage_metadata) ?? usage;
          const text = contentToText(chunk.content);
          if (text) this.push(gen, text);
          if (gen.controller.signal.aborted) break;
        }
      }
      if (gen.controller.signal.aborted) status = 'stopped';
    } catch (err) {
      if (gen.controller.signal.aborted) {
        status = 'stopped';
      } else {
        status = 'error';
        if (calling) {
          failure = toProviderAppError(err);
          log.warn(
            { provider: providerErrorLog(err), timeout: isTimeoutError(err, signal), code: failure.code },
            'model call failed mid-answer',
          );
        } else {
          failure = toAppError(err);
          log.error({ err, code: failure.code }, 'could not build the prompt');
        }
      }
    }
    await this.finish(gen, status, usage, failure, log);
  }

  private push(gen: Generation, content: string) {
    gen.firstChunkAt ??= performance.now();
    gen.chunks.push(content);
    const ev: StreamEvent = { type: 'chunk', messageId: gen.messageId, seq: gen.chunks.length, content };
    this.pending.push({ messageId: gen.messageId, seq: ev.seq, content });
    for (const l of gen.listeners) safeCall(l, ev);
  }

  private async finish(
    gen: Generation,
    status: FinalStatus,
    usage: TokenUsage | null,
    failure: AppError | undefined,
    log: AppContext['logger'],
  ) {
    const content = gen.chunks.join('');
    let stored: Message | undefined;
    try {
      // Every chunk is in the log before the final row says 'not streaming', so a follower elsewhere that
      // reads the status first and the chunks second never misses the tail.
      await this.flush();
      const call = modelCallReport({
        usage,
        content,
        promptTokens: gen.promptTokens,
        startedAt: gen.calledAt,
        firstChunkAt: gen.firstChunkAt,
        endedAt: performance.now(),
        errorCode: failure?.code,
      });
      stored = await this.chat.finishAnswer(gen.messageId, { content, status, usage, call });
    } catch (err) {
      // The row stays 'streaming' and its heartbeat stops: the recovery sweep stores the logged text later.
      log.error({ err }, 'could not store the answer');
    }
    const assistantMessage: Message = stored ?? {
      id: gen.messageId,
      role: 'assistant',
      content,
      status,
      createdAt: new Date().toISOString(),
      model: gen.model ?? null,
      usage,
    };
    const final: StreamEvent =
      status === 'error'
        ? {
            type: 'error',
            messageId: gen.messageId,
            code: failure?.code ?? 'AI_API_ERROR',
            message: failure?.message ?? PUBLIC_MESSAGES.AI_API_ERROR,
            assistantMessage,
            cause: failure,
          }
        : { type: 'done', messageId: gen.messageId, status, assistantMessage };
    gen.final = final;
    this.byMessage.delete(gen.messageId);
    if (this.bySession.get(gen.sessionId) === gen) this.bySession.delete(gen.sessionId);
    for (const l of gen.listeners) safeCall(l, final);
    gen.listeners.clear();
    gen.resolveFinished(final);
    if (stored) {
      this.chunkDeletions.push({ messageId: gen.messageId, at: Date.now() + this.timings.chunkRetentionMs });
      this.repo.notifyEnded([gen.messageId]).catch(() => {});
    }
  }

  private subscribeLocal(gen: Generation, after: number, listener: StreamListener): Unsubscribe {
    // Replay and registration happen in one synchronous step, so no chunk can slip between them.
    for (let seq = after + 1; seq <= gen.chunks.length; seq++) {
      safeCall(listener, { type: 'chunk', messageId: gen.messageId, seq, content: gen.chunks[seq - 1]! });
    }
    if (gen.final) {
      safeCall(listener, gen.final);
      return () => {};
    }
    gen.listeners.add(listener);
    return () => gen.listeners.delete(listener);
  }

  private finalMessage(ev: StreamEvent): Message {
    if (ev.type === 'chunk' || !ev.assistantMessage) throw errors.internal();
    return ev.assistantMessage;
  }

  // ——— the chunk log: one batched writer per process ———

  private tick() {
    if (!this.flushing && this.pending.length) {
      this.flushing = true;
      this.flush()
        .catch((err) => this.ctx.logger.warn({ err: { message: (err as Error).message } }, 'chunk log flush failed'))
        .finally(() => {
          this.flushing = false;
        });
    }
    const now = Date.now();
    if (now - this.lastHeartbeat >= this.timings.heartbeatMs && this.byMessage.size) {
      this.lastHeartbeat = now;
      this.repo.heartbeat([...this.byMessage.keys()]).catch((err) => {
        this.ctx.logger.warn({ err: { message: (err as Error).message } }, 'stream heartbeat failed');
      });
    }
    if (this.chunkDeletions.length && this.chunkDeletions[0]!.at <= now) {
      const due = this.chunkDeletions.filter((d) => d.at <= now);
      this.chunkDeletions = this.chunkDeletions.filter((d) => d.at > now);
      this.repo.deleteChunks(due.map((d) => d.messageId)).catch(() => {
        // Left for the sweep, which deletes the logs of stored answers.
      });
    }
  }

  /** Writes every pending chunk; resolves once all chunks pushed before the call are in the log. */
  private flush(): Promise<void> {
    const next = this.flushChain.then(async () => {
      if (!this.pending.length) return;
      const batch = this.pending;
      this.pending = [];
      try {
        await this.repo.appendChunks(batch);
        this.failedFlushes = 0;
      } catch (err) {
        // Kept for the next flush (followers elsewhere lag, nothing is lost), unless it keeps failing: then the
        // answers still end stored in full by finishAnswer; only followers in other processes miss those chunks.
        if (++this.failedFlushes < 5) this.pending = batch.concat(this.pending);
        else this.ctx.logger.error({ rows: batch.length }, 'dropping chunk log rows after repeated failures');
        throw err;
      }
    });
    this.flushChain = next.catch(() => {});
    return next;
  }

  // ——— followers of answers generated by other processes ———

  private ensureListener(): PgListener {
    this.listener ??= startPgListener({
      pool: this.ctx.database.pool,
      channels: [STREAM_CHANNEL, STOP_CHANNEL],
      logger: this.ctx.logger,
      onNotify: (channel, payload) => this.onNotify(channel, payload),
      onReconnect: () => this.pollAllRemote(),
    });
    return this.listener;
  }

  private onNotify(channel: string, payload: string) {
    if (channel === STOP_CHANNEL) {
      this.byMessage.get(Number(payload))?.controller.abort();
      return;
    }
    if (!this.remote.size) return;
    let pairs: [number, number][];
    try {
      pairs = JSON.parse(payload) as [number, number][];
    } catch {
      return;
    }
    for (const [messageId, seq] of pairs) {
      const set = this.remote.get(messageId);
      if (!set) continue;
      for (const f of set) if (seq < 0 || seq > f.lastSeq) this.pollRemote(f);
    }
  }

  private followRemote(messageId: number, after: number, listener: StreamListener, wantChunks: boolean): Unsubscribe {
    const f: RemoteFollower = {
      messageId,
      // A follower that only waits for the end is woken by the end notification alone.
      lastSeq: wantChunks ? after : Number.MAX_SAFE_INTEGER,
      wantChunks,
      listener,
      busy: false,
      again: false,
      ended: false,
    };
    let set = this.remote.get(messageId);
    if (!set) {
      set = new Set();
      this.remote.set(messageId, set);
    }
    set.add(f);
    const unsubscribe = () => {
      f.ended = true;
      const s = this.remote.get(messageId);
      s?.delete(f);
      if (s && !s.size) this.remote.delete(messageId);
    };
    // The first read waits for LISTEN, so a chunk logged in between is either read now or announced later.
    void this.ensureListener()
      .ready()
      .then(() => this.pollRemote(f));
    return unsubscribe;
  }

  private pollAllRemote() {
    for (const set of this.remote.values()) for (const f of set) this.pollRemote(f);
  }

  private pollRemote(f: RemoteFollower) {
    if (f.ended) return;
    if (f.busy) {
      f.again = true;
      return;
    }
    f.busy = true;
    void this.readRemote(f)
      .catch((err) => this.ctx.logger.warn({ err: { message: (err as Error).message } }, 'stream follower read failed'))
      .finally(() => {
        f.busy = false;
        if (f.again && !f.ended) {
          f.again = false;
          this.pollRemote(f);
        }
      });
  }

  private async readRemote(f: RemoteFollower) {
    // Status first, chunks second: the owner logs every chunk before it stores the final status.
    const message = await this.repo.getMessage(f.messageId);
    if (f.ended) return;
    if (f.wantChunks) {
      const rows = await this.repo.chunksAfter(f.messageId, f.lastSeq);
      for (const r of rows) {
        if (f.ended || r.seq !== f.lastSeq + 1) break;
        f.lastSeq = r.seq;
        safeCall(f.listener, { type: 'chunk', messageId: f.messageId, seq: r.seq, content: r.content });
      }
    }
    if (f.ended || !message || message.status === 'streaming') {
      if (!message && !f.ended) {
        this.endRemote(f, {
          type: 'error',
          messageId: f.messageId,
          code: 'NOT_FOUND',
          message: 'The answer no longer exists',
        });
      }
      return;
    }
    const ev: StreamEvent =
      message.status === 'error'
        ? {
            type: 'error',
            messageId: f.messageId,
            code: 'AI_API_ERROR',
            message: PUBLIC_MESSAGES.AI_API_ERROR,
            assistantMessage: message,
          }
        : storedDone(message);
    this.endRemote(f, ev);
  }

  private endRemote(f: RemoteFollower, ev: StreamEvent) {
    if (f.ended) return;
    f.ended = true;
    const set = this.remote.get(f.messageId);
    set?.delete(f);
    if (set && !set.size) this.remote.delete(f.messageId);
    safeCall(f.listener, ev);
  }
}
