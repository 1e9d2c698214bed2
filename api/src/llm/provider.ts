// The model layer's face to the rest of the app: which provider answers, and a LangChain chat model per call.
import type { ProviderKind } from '@chatbot/shared';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';

export interface ChatModelOptions {
  /** One of `models`; default `defaultModel`. */
  model?: string;
  temperature?: number;
  /**
   * Make invoke() stream under the hood too (`model.stream()` always streams). Off by default: a non-streaming
   * call gets exact usage from the provider in its response.
   */
  streaming?: boolean;
}

export interface LlmProvider {
  kind: ProviderKind;
  /** The model used when a call names none (OPENAI_MODEL, or "offline"). */
  defaultModel: string;
  /** Every model this server offers (OPENAI_MODELS; the default first). */
  models: string[];
  /** A LangChain chat model; call it with `{ signal }` so the call can be cancelled and times out. */
  chatModel(opts?: ChatModelOptions): BaseChatModel;
}
