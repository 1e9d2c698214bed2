// The model layer's face to the rest of the app: which provider answers, and a LangChain chat model per call.
import type { ProviderKind } from '@chatbot/shared';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';

export interface ChatModelOptions {
  model?: string;
  temperature?: number;
}

export interface LlmProvider {
  kind: ProviderKind;
  /** The model used when a call names none (OPENAI_MODEL, or "offline"). */
  defaultModel: string;
  /** Every model this server offers (OPENAI_MODELS; the default first). */
  models: string[];
  chatModel(opts?: ChatModelOptions): BaseChatModel;
}
