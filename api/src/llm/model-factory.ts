// Builds the LlmProvider from config: ChatOpenAI for OpenAI or a compatible server, else the built-in offline model.
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { MessageContent } from '@langchain/core/messages';
import { ChatOpenAI, ChatOpenAICompletions, type ChatOpenAIFields, ChatOpenAIResponses } from '@langchain/openai';
import type { Config } from '../config.js';
import { OFFLINE_MODEL_NAME, OfflineChatModel } from './offline-model.js';
import type { ChatModelOptions, LlmProvider } from './provider.js';
import { contentToText, countTokens } from './token-counter.js';

/** Sent as the key to servers that need none (Ollama, vLLM…): the OpenAI client refuses to start without one. */
const PLACEHOLDER_API_KEY = 'not-needed';

// LangChain's getNumTokens downloads tokenizer ranks from tiktoken.pages.dev on first use (a streaming invoke()
// estimates usage with it), which hangs or fails without internet access. These subclasses count locally instead.
const localCount = async (content: MessageContent) => countTokens(contentToText(content));

class OfflineCountingCompletions extends ChatOpenAICompletions {
  override getNumTokens(content: MessageContent) {
    return localCount(content);
  }
}
class OfflineCountingResponses extends ChatOpenAIResponses {
  override getNumTokens(content: MessageContent) {
    return localCount(content);
  }
}
class OfflineCountingChatOpenAI extends ChatOpenAI {
  override getNumTokens(content: MessageContent) {
    return localCount(content);
  }
}

/** True when the base URL is OpenAI's own API (or unset, which means OpenAI). */
export function isOpenAIEndpoint(baseUrl: string | undefined): boolean {
  if (!baseUrl) return true;
  try {
    return new URL(baseUrl).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

/** The default model first, then the others from OPENAI_MODELS, each once. */
export function offeredModels(config: Pick<Config, 'OPENAI_MODEL' | 'OPENAI_MODELS'>): string[] {
  return [...new Set([config.OPENAI_MODEL, ...(config.OPENAI_MODELS ?? [])])];
}

/** At most this many chat clients are kept (one per model, temperature and streaming setting in use). */
export const MODEL_CLIENT_CACHE_MAX = 32;

export interface LlmProviderOptions {
  /** Pause between the offline model's tokens (ms). */
  offlineTokenDelayMs?: number;
}

export function createLlmProvider(config: Config, opts: LlmProviderOptions = {}): LlmProvider {
  if (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) {
    const offline = new OfflineChatModel({ tokenDelayMs: opts.offlineTokenDelayMs });
    return {
      kind: 'offline',
      defaultModel: OFFLINE_MODEL_NAME,
      models: [OFFLINE_MODEL_NAME],
      chatModel: () => offline,
    };
  }

  const official = isOpenAIEndpoint(config.OPENAI_BASE_URL);
  // Some compatible servers reject stream_options; ask for usage while streaming only where it is known to work.
  const streamUsage = config.OPENAI_STREAM_USAGE ?? official;
  const models = offeredModels(config);
  // One client per (model, temperature, streaming): each keeps its HTTP connections alive between calls. Users pick
  // any temperature, so the cache is bounded: the least recently used client goes first.
  const cache = new Map<string, BaseChatModel>();

  return {
    kind: official ? 'openai' : 'openai-compatible',
    defaultModel: config.OPENAI_MODEL,
    models,
    chatModel(o: ChatModelOptions = {}) {
      const model = o.model ?? config.OPENAI_MODEL;
      const temperature = o.temperature ?? config.OPENAI_TEMPERATURE;
      const streaming = o.streaming ?? false;
      const key = `${model}\u0000${temperature}\u0000${streaming}`;
      let chat = cache.get(key);
      if (chat) {
        // Most recently used last: a Map keeps insertion order.
        cache.delete(key);
        cache.set(key, chat);
      } else {
        const fields: ChatOpenAIFields = {
          model,
          temperature,
          apiKey: config.OPENAI_API_KEY ?? PLACEHOLDER_API_KEY,
          // The SDK's own logger writes a malformed chunk (the model's text) to stderr past the app's logger; the
          // error it throws is what the app reports (stored as error, logged through loggableError).
          configuration: { ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}), logLevel: 'off' },
          timeout: config.OPENAI_TIMEOUT_MS,
          maxRetries: config.OPENAI_MAX_RETRIES,
          // `streaming: false` would also disable model.stream() (LangChain reads it as disableStreaming).
          ...(streaming ? { streaming: true } : {}),
          streamUsage,
        };
        chat = new OfflineCountingChatOpenAI({
          ...fields,
          completions: new OfflineCountingCompletions(fields),
          responses: new OfflineCountingResponses(fields),
        });
        cache.set(key, chat);
        if (cache.size > MODEL_CLIENT_CACHE_MAX) cache.delete(cache.keys().next().value as string);
      }
      return chat;
    },
  };
}
