// Usage: what a user's model calls came to (per UTC day or per model, with cost), the limits in force and what
// counts against them; and the quota checks the chat feature calls when a turn is begun.
import type { QuotaLimits, UsageResponse, UsageRow } from '@chatbot/shared';
import { USAGE_MAX_DAYS } from '@chatbot/shared';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import type { AppError } from '../../http/app-error.js';
import { errors } from '../../http/app-error.js';
import { countTokens } from '../../llm/token-counter.js';
import { addDays, dayStart, UTC_TODAY, utcDay } from './days.js';
import { callCost, sumCosts } from './prices.js';
import {
  effectiveLimits,
  type QuotaOverrideRow,
  quotaExceeded,
  reachedLimit,
  reservationCtes,
  toUsed,
  type UsedRow,
  usedSql,
} from './quota.js';

type DbOrTx = Pick<AppContext['db'], 'execute'>;

interface LedgerGroupRow {
  day: string;
  model: string;
  messages: number | string;
  prompt: number | string;
  completion: number | string;
  [key: string]: unknown;
}

export function createUsageService(ctx: Pick<AppContext, 'db' | 'config'> & { metrics?: AppContext['metrics'] }) {
  const { db, config } = ctx;
  const prices = config.MODEL_PRICES;
  const pricesKnown = Object.keys(prices).length > 0;

  async function limitsOf(userId: number, tx: DbOrTx = db): Promise<QuotaLimits> {
    const res = await tx.execute<QuotaOverrideRow & Record<string, unknown>>(sql`
      select quota_tokens_per_day, quota_tokens_per_month, quota_messages_per_day from users where id = ${userId}`);
    const row = res.rows[0] ?? {
      quota_tokens_per_day: null,
      quota_tokens_per_month: null,
      quota_messages_per_day: null,
    };
    return effectiveLimits(config, row);
  }

  return {
    /** The refusal for a user whose reservation was just refused: which limit, and when it resets. */
    async refusal(userId: number, tx: DbOrTx = db): Promise<AppError> {
      const [limits, usedRes] = await Promise.all([
        limitsOf(userId, tx),
        tx.execute<UsedRow & Record<string, unknown>>(usedSql(userId)),
      ]);
      const row = usedRes.rows[0];
      const now = new Date(row?.now ?? Date.now());
      const reached = reachedLimit(limits, toUsed(row), now) ?? {
        which: 'messagesPerDay' as const,
        resetAt: dayStart(addDays(utcDay(now), 1)),
      };
      ctx.metrics?.quotaRefusals.inc();
      return quotaExceeded(reached.which, reached.resetAt, now);
    },

    /**
     * For a turn stored inside a transaction (edit, regenerate): reserves the answer against the quotas and writes
     * its ledger row, in one statement; throws 429 QUOTA_EXCEEDED (rolling the transaction back) when refused.
     */
    async reserveInTx(
      tx: DbOrTx,
      call: { userId: number; apiKeyId: number | null; sessionId: number; messageId: number; model: string },
    ): Promise<void> {
      const res = await tx.execute<{ reserved: number }>(sql`
        with ${reservationCtes(call.userId, config)}, led as (
          insert into usage_ledger (user_id, api_key_id, session_id, message_id, kind, model)
          select ${call.userId}, ${call.apiKeyId}::int, ${call.sessionId}, ${call.messageId}, 'answer', ${call.model}
          where exists (select 1 from quota)
          returning 1
        )
        select (select count(*) from quota)::int as reserved, (select count(*) from led)::int as ledger`);
      if (!res.rows[0]?.reserved) throw await this.refusal(call.userId, tx);
    },

    /**
     * Ledger rows whose answer ended without them: the process generating it died, and another process's recovery
     * sweep stored the answer as `stopped`. Each is completed with that outcome and its text's tokens (the prompt's
     * are unknown by then), and the tokens are added to the user's day. Rows are claimed with SKIP LOCKED, so every
     * process may run this at once. Returns how many were completed.
     */
    async reconcileOrphans(limit = 200): Promise<number> {
      return db.transaction(async (tx) => {
        const res = await tx.execute<{
          id: number;
          user_id: number | null;
          status: string | null;
          content: string | null;
        }>(sql`
          select l.id, l.user_id, m.status, m.content from usage_ledger l
          left join messages m on m.id = l.message_id
          where l.outcome = 'streaming' and l.created_at > now() - interval '2 days'
            and l.created_at < now() - interval '1 minute'
            and (m.id is null or m.status <> 'streaming')
          order by l.id limit ${limit}
          for update of l skip locked`);
        for (const r of res.rows) {
          const outcome = r.status === 'complete' || r.status === 'error' ? r.status : 'stopped';
          const tokens = countTokens(r.content ?? '');
          await tx.execute(sql`
            with led as (
              update usage_ledger set outcome = ${outcome}, completion_tokens = ${tokens}, finished_at = now()
              where id = ${r.id} returning user_id
            )
            insert into usage_daily (user_id, day, messages, tokens)
            select user_id, ${UTC_TODAY}, 0, ${tokens} from led where user_id is not null
            on conflict (user_id, day) do update set tokens = usage_daily.tokens + excluded.tokens`);
        }
        return res.rows.length;
      });
    },

    async usage(userId: number, q: { from?: string; to?: string; groupBy: 'day' | 'model' }): Promise<UsageResponse> {
      const to = q.to ?? utcDay(new Date());
      const from = q.from ?? addDays(to, -29);
      if (from > to) throw errors.validation('from must not be after to', 'from');
      const span = (dayStart(to).getTime() - dayStart(from).getTime()) / 86_400_000 + 1;
      if (span > USAGE_MAX_DAYS) throw errors.validation(`at most ${USAGE_MAX_DAYS} days at once`, 'from');
      const [groups, limits, used] = await Promise.all([
        db.execute<LedgerGroupRow>(sql`
          select to_char((created_at at time zone 'utc')::date, 'YYYY-MM-DD') as day, model,
                 count(*) filter (where kind = 'answer') as messages,
                 coalesce(sum(prompt_tokens), 0) as prompt, coalesce(sum(completion_tokens), 0) as completion
          from usage_ledger
          where user_id = ${userId} and created_at >= ${dayStart(from).toISOString()}::timestamptz
            and created_at < ${dayStart(addDays(to, 1)).toISOString()}::timestamptz
          group by 1, 2`),
        limitsOf(userId),
        db.execute<UsedRow & Record<string, unknown>>(usedSql(userId)),
      ]);
      const parts = groups.rows.map((r) => {
        const prompt = Number(r.prompt);
        const completion = Number(r.completion);
        return {
          day: r.day,
          model: r.model,
          messages: Number(r.messages),
          prompt,
          completion,
          cost: callCost(prices, r.model, prompt, completion),
        };
      });
      const sum = (key: string, items: typeof parts): UsageRow => ({
        key,
        messages: items.reduce((a, p) => a + p.messages, 0),
        promptTokens: items.reduce((a, p) => a + p.prompt, 0),
        completionTokens: items.reduce((a, p) => a + p.completion, 0),
        totalTokens: items.reduce((a, p) => a + p.prompt + p.completion, 0),
        cost: sumCosts(
          items.map((p) => p.cost),
          pricesKnown,
        ),
      });
      let rows: UsageRow[];
      if (q.groupBy === 'day') {
        rows = [];
        for (let d = from; d <= to; d = addDays(d, 1))
          rows.push(
            sum(
              d,
              parts.filter((p) => p.day === d),
            ),
          );
      } else {
        const models = [...new Set(parts.map((p) => p.model))];
        rows = models
          .map((m) =>
            sum(
              m,
              parts.filter((p) => p.model === m),
            ),
          )
          .sort((a, b) => b.totalTokens - a.totalTokens || a.key.localeCompare(b.key));
      }
      const { key: _key, ...totals } = sum('', parts);
      return { from, to, groupBy: q.groupBy, rows, totals, limits, used: toUsed(used.rows[0]) };
    },
  };
}

export type UsageService = ReturnType<typeof createUsageService>;
