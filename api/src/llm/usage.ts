// Token usage as the API reports it, from what LangChain hands back (a message's usage_metadata).
import type { TokenUsage } from '@chatbot/shared';

/** LangChain's usage_metadata as our TokenUsage; null when the provider reported none. */
export function usageFromMetadata(
  meta: { input_tokens?: number; output_tokens?: number; total_tokens?: number } | undefined,
): TokenUsage | null {
  if (!meta || (meta.input_tokens === undefined && meta.output_tokens === undefined)) return null;
  const promptTokens = meta.input_tokens ?? 0;
  const completionTokens = meta.output_tokens ?? 0;
  return { promptTokens, completionTokens, totalTokens: meta.total_tokens ?? promptTokens + completionTokens };
}
