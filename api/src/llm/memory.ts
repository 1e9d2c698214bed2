// Conversation memory: the stored history as LangChain messages, trimmed to the token budget with the newest turns kept.
import { AIMessage, type BaseMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { countMessageTokens, cutToTokens, TOKENS_PER_MESSAGE, TOKENS_PER_REPLY } from './token-counter.js';

export interface HistoryMessage {
  role: 'user' | 'assistant';
  content: string;
  /** Its cost in the prompt when already counted (countMessageTokens), so it is not counted twice. */
  tokens?: number;
}

export interface BuiltPrompt {
  /** System prompt first, then the kept history, oldest first. */
  messages: BaseMessage[];
  /** Estimated tokens of `messages` (framing and reply priming included). */
  tokens: number;
  /** How many of the oldest history messages were left out. */
  dropped: number;
  /**
   * The newest message alone did not fit the budget: it is sent cut to what fits, ending with TRUNCATED_NOTE (the
   * stored message stays whole), on every answer to it alike.
   */
  newestOverBudget: boolean;
}

/** Ends a newest message cut to fit CONTEXT_MAX_TOKENS, so the model knows it has only the start. */
export const TRUNCATED_NOTE = '\n\n[… the rest of this message was cut to fit the context window]';
/** Even under a system prompt that fills the budget, a cut newest message keeps this much. */
const NEWEST_MIN_TOKENS = 16;

/** The estimate each built prompt came with, so the usage ledger need not count it again (features/usage). */
const builtTokens = new WeakMap<BaseMessage[], number>();

/** Tokens of a prompt: the estimate made while building it, else counted now. */
export function promptTokenEstimate(messages: BaseMessage[]): number {
  const known = builtTokens.get(messages);
  if (known !== undefined) return known;
  return messages.reduce((n, m) => n + countMessageTokens(m.content), TOKENS_PER_REPLY);
}

/** System prompts are few (the default, and a handful set per session) and each is counted on every answer. */
const systemCounts = new Map<string, number>();
const SYSTEM_COUNTS_MAX = 256;

function systemPromptTokens(text: string): number {
  let n = systemCounts.get(text);
  if (n === undefined) {
    n = countMessageTokens(text);
    // Dropped wholesale when full: a refill costs one count per prompt, and the map never grows without bound.
    if (systemCounts.size >= SYSTEM_COUNTS_MAX) systemCounts.clear();
    systemCounts.set(text, n);
  }
  return n;
}

/**
 * Builds the prompt from the system prompt and the history (oldest first; the last one is the message being
 * answered). Walks back from the newest message and stops at the first that does not fit, so the kept history
 * is one unbroken stretch. The newest message is always kept; a kept history never starts with an answer whose
 * question was cut, because some chat templates (Mistral, Llama via llama.cpp/vLLM) require user turns first.
 */
export function buildPromptMessages(systemPrompt: string, history: HistoryMessage[], maxTokens: number): BuiltPrompt {
  const systemCost = systemPromptTokens(systemPrompt) + TOKENS_PER_REPLY;
  let used = systemCost;
  let start = history.length;
  let newestOverBudget = false;
  let newest: HistoryMessage | undefined;
  for (let i = history.length - 1; i >= 0; i--) {
    const cost = history[i]!.tokens ?? countMessageTokens(history[i]!.content);
    if (i === history.length - 1) {
      newestOverBudget = used + cost > maxTokens;
      if (newestOverBudget) {
        newest = cutNewest(history[i]!, maxTokens - used);
        used += newest.tokens!;
      } else used += cost;
      start = i;
      continue;
    }
    if (used + cost > maxTokens) break;
    used += cost;
    start = i;
  }
  while (start < history.length - 1 && history[start]!.role === 'assistant') {
    used -= history[start]!.tokens ?? countMessageTokens(history[start]!.content);
    start++;
  }
  const kept = history.slice(start);
  if (newest) kept[kept.length - 1] = newest;
  const messages = [
    new SystemMessage(systemPrompt),
    ...kept.map((m) => (m.role === 'user' ? new HumanMessage(m.content) : new AIMessage(m.content))),
  ];
  builtTokens.set(messages, used);
  return {
    messages,
    tokens: used,
    dropped: start,
    newestOverBudget,
  };
}

/** The newest message cut to `room` tokens (framing and the note included), with its cost. */
function cutNewest(m: HistoryMessage, room: number): HistoryMessage {
  const noteTokens = countMessageTokens(TRUNCATED_NOTE) - TOKENS_PER_MESSAGE - 1;
  const textRoom = Math.max(NEWEST_MIN_TOKENS, room - TOKENS_PER_MESSAGE - 1 - noteTokens);
  const content = `${cutToTokens(m.content, textRoom)}${TRUNCATED_NOTE}`;
  return { role: m.role, content, tokens: countMessageTokens(content) };
}
