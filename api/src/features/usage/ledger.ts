// The usage ledger: one row per model call, written with the turn that starts it (chat.repo's append statement, or
// UsageService.reserveInTx) and completed by the statement that stores the answer (ledgerFinish below).
import type { TokenUsage } from '@chatbot/shared';
import { type SQL, sql } from 'drizzle-orm';
import { countTokens } from '../../llm/token-counter.js';
import { UTC_TODAY } from './days.js';

/** What one model call came to, as the ledger records it. */
export interface ModelCallReport {
  promptTokens: number;
  completionTokens: number;
  /** From the model call to its first chunk (null: no chunk came). */
  ttftMs: number | null;
  /** From the model call to its end (null: the model was never called). */
  totalMs: number | null;
  /** The error code of a failed call. */
  errorCode: string | null;
}

/**
 * The ledger's view of a call: the provider's token counts when it reported them, else counted here (the prompt's
 * estimate from when it was built, the answer's text now), so every call costs what it cost even with providers that
 * stream without usage.
 */
export function modelCallReport(c: {
  usage: TokenUsage | null;
  promptTokens: number | undefined;
  content: string;
  startedAt: number | undefined;
  firstChunkAt: number | undefined;
  endedAt: number;
  errorCode: string | undefined;
}): ModelCallReport {
  const ms = (from: number | undefined, to: number | undefined) =>
    from === undefined || to === undefined ? null : Math.max(0, Math.round(to - from));
  return {
    promptTokens: c.usage?.promptTokens ?? (c.startedAt === undefined ? 0 : (c.promptTokens ?? 0)),
    completionTokens: c.usage?.completionTokens ?? countTokens(c.content),
    ttftMs: ms(c.startedAt, c.firstChunkAt),
    totalMs: ms(c.startedAt, c.endedAt),
    errorCode: c.errorCode ?? null,
  };
}

/**
 * CTEs that complete the ledger row of answer `messageId` and add its tokens to the user's day, for the statement
 * that stores the answer (`gate`: that the answer and its session were updated, so they run after them and take
 * their locks in the same order as a new turn does). A row already completed is left alone (a second finish counts
 * nothing twice).
 */
export function ledgerFinish(messageId: number, status: 'complete' | 'stopped' | 'error', call: ModelCallReport) {
  return (gate: SQL): SQL => sql`, led as (
      update usage_ledger set prompt_tokens = ${call.promptTokens}, completion_tokens = ${call.completionTokens},
        ttft_ms = ${call.ttftMs}, total_ms = ${call.totalMs}, outcome = ${status}, error_code = ${call.errorCode},
        finished_at = now()
      where message_id = ${messageId} and outcome = 'streaming' and ${gate}
      returning user_id, prompt_tokens + completion_tokens as tokens
    ), led_day as (
      insert into usage_daily (user_id, day, messages, tokens)
      select user_id, ${UTC_TODAY}, 0, tokens from led where user_id is not null
      on conflict (user_id, day) do update set tokens = usage_daily.tokens + excluded.tokens
    )`;
}
