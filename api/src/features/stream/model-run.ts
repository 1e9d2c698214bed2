// One model call of an answer as an async generator: the text as it comes, and the token usage once reported.
import type { TokenUsage } from '@chatbot/shared';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { AIMessageChunk, BaseMessage } from '@langchain/core/messages';
import type { AppError } from '../../http/app-error.js';
import { loggableError, toAppError } from '../../http/error-handler.js';
import type { Logger } from '../../lib/logger.js';
import { promptTokenEstimate } from '../../llm/memory.js';
import type { LlmProvider } from '../../llm/provider.js';
import { isTimeoutError, providerErrorLog, toProviderAppError } from '../../llm/provider-errors.js';
import { contentToText } from '../../llm/token-counter.js';
import { usageFromMetadata } from '../../llm/usage.js';
import type { FinalStatus } from './events.js';

export type ModelOutput = { type: 'text'; text: string } | { type: 'usage'; usage: TokenUsage };

export interface ModelCall {
  prompt: BaseMessage[];
  model?: string;
  temperature?: number;
  /** 'invoke': one model call without streaming (the non-streaming route), so usage is exact with any provider. */
  mode: 'stream' | 'invoke';
}

/** Runs a model call; throws what the provider throws (the caller maps it), stops when `signal` aborts. */
export type ModelRun = (call: ModelCall, signal: AbortSignal) => AsyncIterable<ModelOutput>;

/** How an answer's model call ended: the status to store, the usage reported, the failure to tell followers. */
export interface ModelOutcome {
  status: FinalStatus;
  usage: TokenUsage | null;
  failure?: AppError;
  /** For the usage ledger: when the model was called (none if it never was), its first text, the prompt's size. */
  timing: ModelTiming;
}

export interface ModelTiming {
  calledAt?: number;
  firstTextAt?: number;
  promptTokens?: number;
}

export interface AnswerRun {
  run: ModelRun;
  /** The prompt (read from the database when the chat feature did not build it with the turn). */
  prompt(): Promise<BaseMessage[]>;
  call: Omit<ModelCall, 'prompt'>;
  /** Aborted by a stop or the shutdown: the answer ends 'stopped'. */
  stop: AbortSignal;
  /**
   * OPENAI_TIMEOUT_MS, an idle timeout: the model call is aborted (and the answer ends 'error', its text kept) when
   * nothing comes for this long, before the first output or between two.
   */
  timeoutMs: number;
  /** OPENAI_TOTAL_TIMEOUT_MS: bounds the whole call, however steadily the model sends. */
  totalTimeoutMs: number;
  onText(text: string): void;
  log: Logger;
}

/** Runs an answer's model call to its end, each piece of text to `onText`; never throws (the outcome says it). */
export async function runAnswer(a: AnswerRun): Promise<ModelOutcome> {
  const deadline = new Deadline(a.timeoutMs, a.totalTimeoutMs, a.stop);
  // The stop and both time limits: what the model call and the loop below end on.
  const signal = deadline.signal;
  let usage: TokenUsage | null = null;
  // A failure before the model is called is ours (the database), not the provider's.
  let calling = false;
  const timing: ModelTiming = {};
  try {
    const prompt = await a.prompt();
    calling = true;
    timing.promptTokens = promptTokenEstimate(prompt);
    timing.calledAt = performance.now();
    deadline.start();
    for await (const out of untilAborted(a.run({ ...a.call, prompt }, signal), signal)) {
      deadline.touch();
      if (out.type === 'usage') usage = out.usage;
      else {
        // PostgreSQL text cannot hold U+0000: one such chunk would fail every write of the chunk log and the
        // answer. Left out here, so what followers receive is exactly what can be stored.
        const text = out.text.includes('\u0000') ? out.text.replaceAll('\u0000', '') : out.text;
        if (text) {
          timing.firstTextAt ??= performance.now();
          a.onText(text);
        }
      }
      if (a.stop.aborted) break;
    }
    return { status: a.stop.aborted ? 'stopped' : 'complete', usage, timing };
  } catch (err) {
    if (a.stop.aborted) return { status: 'stopped', usage, timing };
    if (!calling) {
      const failure = toAppError(err);
      a.log.error({ err: loggableError(err), code: failure.code }, 'could not build the prompt');
      return { status: 'error', usage, failure, timing };
    }
    const failure = toProviderAppError(err);
    const provider = providerErrorLog(err);
    a.log.warn({ provider, timeout: isTimeoutError(err, signal), code: failure.code }, 'model call failed mid-answer');
    return { status: 'error', usage, failure, timing };
  } finally {
    deadline.clear();
  }
}

/**
 * The stop and the two time limits of a model call as one abort signal: idle (reset by every output) and total.
 * A limit aborts with a TimeoutError, as AbortSignal.timeout() does, so the failure is told apart from a stop; a stop
 * aborts with the stop's reason. Whichever comes first wins, as with AbortSignal.any(), without its per-signal
 * bookkeeping. The idle timer is refreshed per output, not replaced (no timer object per chunk).
 */
class Deadline {
  private readonly controller = new AbortController();
  private idle: NodeJS.Timeout | undefined;
  private total: NodeJS.Timeout | undefined;
  readonly signal = this.controller.signal;
  private readonly onStop = () => {
    this.clear();
    this.controller.abort(this.stop.reason);
  };

  constructor(
    private readonly idleMs: number,
    private readonly totalMs: number,
    private readonly stop: AbortSignal,
  ) {
    if (stop.aborted) this.controller.abort(stop.reason);
    else stop.addEventListener('abort', this.onStop, { once: true });
  }

  start() {
    if (this.signal.aborted) return;
    this.total = setTimeout(() => this.expire('total'), this.totalMs);
    this.idle = setTimeout(() => this.expire('idle'), this.idleMs);
  }

  /** Something came: the idle limit starts again. */
  touch() {
    if (!this.signal.aborted) this.idle?.refresh();
  }

  /** The call is over: no timer left behind, and a later stop no longer aborts it. */
  clear() {
    clearTimeout(this.idle);
    clearTimeout(this.total);
    this.stop.removeEventListener('abort', this.onStop);
  }

  private expire(which: 'idle' | 'total') {
    this.clear();
    const ms = which === 'idle' ? this.idleMs : this.totalMs;
    const what = which === 'idle' ? 'nothing came from the model for' : 'the answer took longer than';
    this.controller.abort(new DOMException(`${what} ${ms} ms`, 'TimeoutError'));
  }
}

/**
 * The outputs of `source` until `signal` aborts: then it throws the signal's reason at once, even while the source
 * is stuck awaiting a network read that ignores the signal (a provider that stalls mid-stream), and asks the source
 * to end without waiting for it.
 *
 * Each wait is one promise that the abort listener rejects, not a Promise.race with one long-lived "aborted" promise:
 * every race left a reaction on that promise until the answer ended (a hundred per 100-chunk answer, kept through
 * young-generation collections), which cost more CPU per chunk than the rest of this file (bench/stream.bench.ts).
 */
async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let fail: ((reason: unknown) => void) | undefined;
  const onAbort = () => fail?.(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      signal.throwIfAborted();
      const next = await new Promise<IteratorResult<T>>((resolve, reject) => {
        fail = reject;
        it.next().then(resolve, reject);
      });
      fail = undefined;
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    // Not awaited: a source stuck in a read ends when its own signal (the same one) cancels that read.
    if (!finished) void it.return?.(undefined)?.catch(() => {});
  }
}

/** The model calls of the configured provider (OpenAI, a compatible server, the offline model). */
export function llmModelRun(llm: LlmProvider): ModelRun {
  return async function* run(call, signal) {
    const model = llm.chatModel({
      ...(call.model ? { model: call.model } : {}),
      ...(call.temperature !== undefined ? { temperature: call.temperature } : {}),
    });
    if (call.mode === 'invoke') {
      const reply = await model.invoke(call.prompt, { signal });
      const usage = usageFromMetadata(reply.usage_metadata);
      if (usage) yield { type: 'usage', usage };
      const text = contentToText(reply.content);
      if (text) yield { type: 'text', text };
      return;
    }
    for await (const chunk of modelChunks(model, call.prompt, signal)) {
      // The provider reports usage once, on its last chunk.
      const usage = usageFromMetadata(chunk.usage_metadata);
      if (usage) yield { type: 'usage', usage };
      const text = contentToText(chunk.content);
      if (text) yield { type: 'text', text };
    }
  };
}

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
