// The built-in offline model: a LangChain chat model of our own that answers deterministically, token by token,
// says plainly what it is and how to configure a real model, and quotes the user so a conversation still works.

import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
} from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import { parseSourcesBlock } from './sources-prompt.js';
import { contentToText, countMessageTokens, countTokens, TOKENS_PER_REPLY } from './token-counter.js';

export const OFFLINE_MODEL_NAME = 'offline';

/** The quote of the user's message is capped, so a 10,000-character message does not make a 10,000-character answer. */
const QUOTE_MAX_CHARS = 300;
/** How much of each retrieved passage the offline model quotes. */
const SOURCE_QUOTE_MAX_CHARS = 200;

export interface OfflineChatModelParams extends BaseChatModelParams {
  /** Pause between tokens, so streaming looks and behaves like streaming. A few ms keeps it fast. */
  tokenDelayMs?: number;
}

function abortError(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const err = new Error(typeof signal.reason === 'string' ? signal.reason : 'Aborted');
  err.name = 'AbortError';
  return err;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function quote(text: string): string {
  const collapsed = text.trim();
  const cut = collapsed.length > QUOTE_MAX_CHARS ? `${collapsed.slice(0, QUOTE_MAX_CHARS).trimEnd()}…` : collapsed;
  return cut
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

/** The passages a prompt carried (features/files), each quoted with its number so the answer cites them like a model would. */
function fromSources(messages: BaseMessage[]): string[] {
  const system = messages.filter((m) => m.getType() === 'system').map((m) => contentToText(m.content));
  const sources = system.flatMap(parseSourcesBlock);
  if (sources.length === 0) return [];
  const lines = ['', `From your files (${sources.length} source${sources.length === 1 ? '' : 's'}):`];
  for (const s of sources) {
    const text = s.text.replace(/\s+/g, ' ').trim();
    const cut = text.length > SOURCE_QUOTE_MAX_CHARS ? `${text.slice(0, SOURCE_QUOTE_MAX_CHARS).trimEnd()}…` : text;
    lines.push('', `- ${s.label} [${s.n}]:`, quote(cut));
  }
  return lines;
}

/** The whole answer for a prompt: deterministic, so tests and users see the same thing every time. */
export function offlineAnswer(messages: BaseMessage[]): string {
  const turns = messages.filter((m) => m.getType() === 'human' || m.getType() === 'ai');
  const lastUser = [...turns].reverse().find((m) => m.getType() === 'human');
  const userText = lastUser ? contentToText(lastUser.content) : '';
  const earlier = turns.length - (lastUser ? 1 : 0);
  const lines = [
    'This answer comes from the built-in **offline model**, not from a real AI model.',
    '',
    userText ? `You wrote:\n\n${quote(userText)}` : 'You did not write anything I can quote.',
    '',
    earlier > 0
      ? `I can see ${earlier} earlier message${earlier === 1 ? '' : 's'} of this conversation.`
      : 'This is the start of the conversation.',
    ...fromSources(messages),
    '',
    'To get real answers, set `OPENAI_API_KEY` (OpenAI) or `OPENAI_BASE_URL` (any OpenAI-compatible server:' +
      ' Ollama, vLLM, LM Studio, llama.cpp server), optionally `OPENAI_MODEL`, and restart the server.',
  ];
  return lines.join('\n');
}

/** Splits an answer into word-sized pieces (each with its trailing whitespace), like a tokenizer would roughly. */
export function splitIntoTokens(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}

export class OfflineChatModel extends BaseChatModel<BaseChatModelCallOptions> {
  readonly tokenDelayMs: number;

  static override lc_name() {
    return 'OfflineChatModel';
  }

  constructor(fields: OfflineChatModelParams = {}) {
    super(fields);
    this.tokenDelayMs = fields.tokenDelayMs ?? 2;
  }

  _llmType(): string {
    return OFFLINE_MODEL_NAME;
  }

  private usage(messages: BaseMessage[], answer: string) {
    const input = messages.reduce((n, m) => n + countMessageTokens(m.content), TOKENS_PER_REPLY);
    const output = countTokens(answer);
    return { input_tokens: input, output_tokens: output, total_tokens: input + output };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const answer = offlineAnswer(messages);
    const pieces = splitIntoTokens(answer);
    for (let i = 0; i < pieces.length; i++) {
      await pause(i === 0 ? 0 : this.tokenDelayMs, options.signal);
      const text = pieces[i]!;
      yield new ChatGenerationChunk({ text, message: new AIMessageChunk({ content: text }) });
      await runManager?.handleLLMNewToken(text);
    }
    // Usage last, as OpenAI sends it: an empty chunk that only carries the counts.
    yield new ChatGenerationChunk({
      text: '',
      message: new AIMessageChunk({ content: '', usage_metadata: this.usage(messages, answer) }),
      generationInfo: { finish_reason: 'stop' },
    });
  }

  async _generate(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    _runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    options.signal?.throwIfAborted();
    // invoke() does not stream: no per-token pause, the whole answer at once.
    const answer = offlineAnswer(messages);
    const message = new AIMessage({ content: answer, usage_metadata: this.usage(messages, answer) });
    return { generations: [{ text: answer, message, generationInfo: { finish_reason: 'stop' } }] };
  }
}
