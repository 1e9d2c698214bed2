// The prompt for an answer: the session's system prompt and the branch it continues, newest first up the tree a page
// at a time until CONTEXT_MAX_TOKENS is spent, then trimmed to the budget (newest kept).
import type { BaseMessage } from '@langchain/core/messages';
import type { AppContext } from '../../context.js';
import { buildPromptMessages, type HistoryMessage } from '../../llm/memory.js';
import { CHARS_PER_TOKEN_MAX, countMessageTokensWithin } from '../../llm/token-counter.js';
import type { ChatRepo } from './chat.repo.js';

/** History rows read per query while building a prompt; most prompts need only the first page. */
export const HISTORY_PAGE = 50;

type HistoryRow = Awaited<ReturnType<ChatRepo['branchHistory']>>[number];

/**
 * How far a history row's text is read: no more than the whole budget could hold. A longer row arrives cut, and
 * countMessageTokensWithin counts it as over the budget without tokenising it (nor moving megabytes from the database).
 */
export const historyContentChars = (budget: number) => budget * CHARS_PER_TOKEN_MAX + 1;

export function createPromptBuilder(ctx: AppContext, repo: ChatRepo) {
  const { config } = ctx;

  /**
   * Up the branch, newest first, a page at a time, until the budget is spent: a long session is never read whole,
   * and other branches (alternatives of an edit or a regeneration) are never sent. `known` rows come first.
   */
  async function collectHistory(known: HistoryRow[], firstPage: HistoryRow[], skipId: number) {
    const newestFirst: HistoryMessage[] = [];
    let spent = 0;
    const budget = config.CONTEXT_MAX_TOKENS;
    const take = (r: HistoryRow) => {
      // Once the budget is spent no older row can be sent: it is not counted (nor read, below).
      if (spent > budget) return;
      // The same rows branchHistory's SQL keeps: the answer being written and empty ones are not history.
      if (r.id === skipId || r.content === '') return;
      // Counted only as far as the budget left can hold: a huge (imported) row is never tokenised whole.
      const tokens = countMessageTokensWithin(r.content, budget - spent);
      newestFirst.push({ role: r.role === 'assistant' ? 'assistant' : 'user', content: r.content, tokens });
      spent += tokens;
    };
    for (const r of known) take(r);
    let rows = firstPage;
    for (;;) {
      for (const r of rows) take(r);
      const from = rows.at(-1)?.parentId ?? null;
      if (rows.length < HISTORY_PAGE || spent > budget || from === null) break;
      rows = await repo.branchHistory(from, HISTORY_PAGE, historyContentChars(budget));
    }
    return newestFirst.reverse();
  }

  function compose(
    sessionId: number,
    assistantMessageId: number,
    sessionPrompt: string | null | undefined,
    history: HistoryMessage[],
  ): BaseMessage[] {
    const built = buildPromptMessages(sessionPrompt ?? config.SYSTEM_PROMPT, history, config.CONTEXT_MAX_TOKENS);
    if (built.newestOverBudget) {
      ctx.logger.warn(
        { sessionId, assistantMessageId, tokens: built.tokens, budget: config.CONTEXT_MAX_TOKENS },
        'the newest message alone exceeds CONTEXT_MAX_TOKENS; sending it cut to fit',
      );
    }
    return built.messages;
  }

  return {
    collectHistory,
    compose,
    /** The prompt of answer `assistantMessageId` (read when the turn did not already build it). */
    async build(sessionId: number, assistantMessageId: number): Promise<BaseMessage[]> {
      // Read beside the history (another pooled connection): one round trip less before the model is called.
      const sessionRead = repo.findSession(sessionId);
      sessionRead.catch(() => {}); // awaited below; a failure of the history read must not leave it unhandled
      const history = await collectHistory(
        [],
        await repo.branchHistory(assistantMessageId, HISTORY_PAGE, historyContentChars(config.CONTEXT_MAX_TOKENS)),
        assistantMessageId,
      );
      const session = await sessionRead;
      return compose(sessionId, assistantMessageId, session?.systemPrompt, history);
    },
  };
}
