// Conversation memory: the stored history as LangChain messages, trimmed to the token budget with the newest turns kept.
import { AIMessage, type BaseMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { countMessageTokens, TOKENS_PER_REPLY } from './token-counter.js';

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
  /** The newest message alone does not fit the budget: it is sent anyway, since answering it is the point. */
  newestOverBudget: boolean;
}

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
  for (let i = history.length - 1; i >= 0; i--) {
    const cost = history[i]!.tokens ?? countMessageTokens(history[i]!.content);
    if (i === history.length - 1) {
      newestOverBudget = used + cost > maxTokens;
      used += cost;
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
