// Quotas: the limits in force for a user (an admin's override, else the server default; 0 = none), the one-statement
// reservation every answer takes before its model call, and the refusal a client sees (429 QUOTA_EXCEEDED).
import type { QuotaLimits, QuotaUsed } from '@chatbot/shared';
import { type SQL, sql } from 'drizzle-orm';
import type { Config } from '../../config.js';
import { AppError } from '../../http/app-error.js';
import { UTC_MONTH_START, UTC_TODAY } from './days.js';

type Defaults = Pick<Config, 'QUOTA_TOKENS_PER_DAY' | 'QUOTA_TOKENS_PER_MONTH' | 'QUOTA_MESSAGES_PER_DAY'>;

export interface QuotaOverrideRow {
  quota_tokens_per_day: number | null;
  quota_tokens_per_month: number | null;
  quota_messages_per_day: number | null;
}

const positiveOrNull = (n: number) => (n > 0 ? n : null);

/** The limits in force: the override when set (0 = none), else the default (0 = none). */
export function effectiveLimits(config: Defaults, o: QuotaOverrideRow): QuotaLimits {
  return {
    tokensPerDay: positiveOrNull(o.quota_tokens_per_day ?? config.QUOTA_TOKENS_PER_DAY),
    tokensPerMonth: positiveOrNull(o.quota_tokens_per_month ?? config.QUOTA_TOKENS_PER_MONTH),
    messagesPerDay: positiveOrNull(o.quota_messages_per_day ?? config.QUOTA_MESSAGES_PER_DAY),
  };
}

/**
 * CTEs `qlim` (the user's limits in force, null = none) and `quota` (the reservation), for a statement that goes
 * on to store the turn only `where exists (select 1 from quota)`. `gate` is a boolean SQL condition that must hold
 * for anything to be reserved (the session exists and is the user's). One row of `usage_daily` per user and UTC
 * day: the first answer of the day inserts it, later ones take `messages + 1` under the row lock, and the
 * ON CONFLICT … WHERE re-checks the latest committed counts, so concurrent sends on any number of processes never
 * pass a limit between them. Token limits refuse once the tokens used reach them (tokens are added as answers end).
 */
export function reservationCtes(userId: number, config: Defaults, gate: SQL = sql`true`): SQL {
  return sql`qlim as (
      select nullif(coalesce(u.quota_messages_per_day, ${config.QUOTA_MESSAGES_PER_DAY}::int), 0) as mpd,
             nullif(coalesce(u.quota_tokens_per_day, ${config.QUOTA_TOKENS_PER_DAY}::int), 0) as tpd,
             nullif(coalesce(u.quota_tokens_per_month, ${config.QUOTA_TOKENS_PER_MONTH}::int), 0) as tpm
      from users u where u.id = ${userId}
    ), quota as (
      insert into usage_daily (user_id, day, messages, tokens)
      select ${userId}, ${UTC_TODAY}, 1, 0 from qlim
      where ${gate}
        and (qlim.tpm is null or (select coalesce(sum(m.tokens), 0) from usage_daily m
                                  where m.user_id = ${userId} and m.day >= ${UTC_MONTH_START}) < qlim.tpm)
      on conflict (user_id, day) do update set messages = usage_daily.messages + 1
      where ((select mpd from qlim) is null or usage_daily.messages < (select mpd from qlim))
        and ((select tpd from qlim) is null or usage_daily.tokens < (select tpd from qlim))
      returning 1
    )`;
}

/** The usage that counts against the limits now. */
export const usedSql = (userId: number) => sql`
  select coalesce((select messages from usage_daily where user_id = ${userId} and day = ${UTC_TODAY}), 0)::int
           as messages_today,
         coalesce((select tokens from usage_daily where user_id = ${userId} and day = ${UTC_TODAY}), 0)::bigint
           as tokens_today,
         coalesce((select sum(tokens) from usage_daily where user_id = ${userId} and day >= ${UTC_MONTH_START}), 0)::bigint
           as tokens_month,
         now() as now`;

export interface UsedRow {
  messages_today: number | string;
  tokens_today: number | string;
  tokens_month: number | string;
  now: string | Date;
}

export const toUsed = (r: UsedRow | undefined): QuotaUsed => ({
  tokensToday: Number(r?.tokens_today ?? 0),
  tokensThisMonth: Number(r?.tokens_month ?? 0),
  messagesToday: Number(r?.messages_today ?? 0),
});

/** Which limit is reached, and when it resets (next UTC midnight, or the first of next month). */
export function reachedLimit(
  limits: QuotaLimits,
  used: QuotaUsed,
  now: Date,
): { which: 'messagesPerDay' | 'tokensPerDay' | 'tokensPerMonth'; resetAt: Date } | undefined {
  const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  // The month's limit first: when both are reached, the later reset is the one that matters.
  if (limits.tokensPerMonth !== null && used.tokensThisMonth >= limits.tokensPerMonth) {
    return { which: 'tokensPerMonth', resetAt: nextMonth };
  }
  if (limits.messagesPerDay !== null && used.messagesToday >= limits.messagesPerDay) {
    return { which: 'messagesPerDay', resetAt: tomorrow };
  }
  if (limits.tokensPerDay !== null && used.tokensToday >= limits.tokensPerDay) {
    return { which: 'tokensPerDay', resetAt: tomorrow };
  }
  return undefined;
}

const WHAT: Record<'messagesPerDay' | 'tokensPerDay' | 'tokensPerMonth', string> = {
  messagesPerDay: 'You have reached your daily message limit',
  tokensPerDay: 'You have reached your daily token limit',
  tokensPerMonth: 'You have reached your monthly token limit',
};

/** 429 QUOTA_EXCEEDED with Retry-After (seconds until the reset) and `detail.resetAt`. */
export function quotaExceeded(
  which: 'messagesPerDay' | 'tokensPerDay' | 'tokensPerMonth',
  resetAt: Date,
  now: Date,
): AppError {
  const seconds = Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000));
  return new AppError('QUOTA_EXCEEDED', `${WHAT[which]}. It resets at ${resetAt.toISOString()} (UTC).`, {
    headers: { 'Retry-After': String(seconds) },
    extra: { resetAt: resetAt.toISOString(), limit: which },
  });
}
