// SQL of the admin console: users with their usage, the overview's numbers, and the audit log's search.
import type { AdminOverview, AuditEntry } from '@chatbot/shared';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { UTC_MONTH_START, UTC_TODAY } from '../usage/days.js';
import type { DbOrTx } from './registration.js';

export type AdminUserRow = {
  id: number;
  username: string;
  email: string;
  created_at: string | Date;
  role: 'admin' | 'user';
  is_active: boolean;
  last_login_at: string | Date | null;
  quota_tokens_per_day: number | null;
  quota_tokens_per_month: number | null;
  quota_messages_per_day: number | null;
  messages_today: number | string;
  tokens_today: number | string;
  tokens_month: number | string;
};

/** `%text%` for ILIKE, with the pattern characters in `text` taken literally. */
export const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const userColumns = sql`
  u.id, u.username, u.email, u.created_at, u.role, u.is_active, u.last_login_at,
  u.quota_tokens_per_day, u.quota_tokens_per_month, u.quota_messages_per_day,
  coalesce(d.messages, 0) as messages_today, coalesce(d.tokens, 0) as tokens_today,
  coalesce((select sum(m.tokens) from usage_daily m where m.user_id = u.id and m.day >= ${UTC_MONTH_START}), 0)
    as tokens_month`;

const usageJoin = sql`left join usage_daily d on d.user_id = u.id and d.day = ${UTC_TODAY}`;

export interface AuditFilter {
  q?: string;
  action?: string;
  actorId?: number;
  targetId?: number;
  from?: Date;
  /** Exclusive. */
  before?: Date;
}

type AuditSqlRow = {
  id: number | string;
  at: string | Date;
  action: string;
  actor_id: number | null;
  actor_name: string | null;
  target_id: number | null;
  ip: string | null;
  user_agent: string | null;
  detail: Record<string, unknown> | null;
};

const num = (v: unknown) => Number(v ?? 0);
const nullableNum = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);

export function createAdminRepo(db: Db) {
  return {
    async listUsers(q: {
      q?: string;
      limit: number;
      offset: number;
    }): Promise<{ rows: AdminUserRow[]; total: number }> {
      const where = q.q ? sql`where u.username ilike ${containing(q.q)} or u.email ilike ${containing(q.q)}` : sql``;
      const [page, count] = await Promise.all([
        db.execute<AdminUserRow>(sql`
          select ${userColumns} from users u ${usageJoin} ${where}
          order by u.id limit ${q.limit} offset ${q.offset}`),
        db.execute<{ n: number }>(sql`select count(*)::int as n from users u ${where}`),
      ]);
      return { rows: page.rows, total: num(count.rows[0]?.n) };
    },

    async findUser(id: number, tx: DbOrTx = db): Promise<AdminUserRow | undefined> {
      const res = await tx.execute<AdminUserRow>(
        sql`select ${userColumns} from users u ${usageJoin} where u.id = ${id}`,
      );
      return res.rows[0];
    },

    /** Locks the user's row for a change in this transaction. */
    async lockUser(tx: DbOrTx, id: number): Promise<{ role: string; is_active: boolean } | undefined> {
      // Admin changes are serialised first: two admins demoting each other at once would otherwise each hold their
      // target's row and wait for the other's in guardLastAdmin (a deadlock, answered 500).
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('chatbot.admin-changes'))`);
      const res = await tx.execute<{ role: string; is_active: boolean }>(
        sql`select role, is_active from users where id = ${id} for update`,
      );
      return res.rows[0];
    },

    async updateUser(
      tx: DbOrTx,
      id: number,
      set: {
        role?: string;
        isActive?: boolean;
        quotaTokensPerDay?: number | null;
        quotaTokensPerMonth?: number | null;
        quotaMessagesPerDay?: number | null;
      },
    ): Promise<void> {
      const parts: SQL[] = [];
      if (set.role !== undefined) parts.push(sql`role = ${set.role}`);
      if (set.isActive !== undefined) parts.push(sql`is_active = ${set.isActive}`);
      if (set.quotaTokensPerDay !== undefined) parts.push(sql`quota_tokens_per_day = ${set.quotaTokensPerDay}`);
      if (set.quotaTokensPerMonth !== undefined) parts.push(sql`quota_tokens_per_month = ${set.quotaTokensPerMonth}`);
      if (set.quotaMessagesPerDay !== undefined) parts.push(sql`quota_messages_per_day = ${set.quotaMessagesPerDay}`);
      if (parts.length === 0) return;
      await tx.execute(sql`update users set ${sql.join(parts, sql`, `)} where id = ${id}`);
    },

    /** Chats, logins and keys go with the user (cascades); ledger rows stay with user_id null. */
    async deleteUser(tx: DbOrTx, id: number): Promise<void> {
      await tx.execute(sql`delete from users where id = ${id}`);
    },

    async overview(days: number): Promise<Omit<AdminOverview, 'dbPool'>> {
      const start = sql`(${UTC_TODAY} - ${days - 1}::int)`;
      const since = sql`(${start}::timestamp at time zone 'utc')`;
      const [active, inFlight, byDay, byModel, stats] = await Promise.all([
        db.execute<{ hour: number; day: number; week: number }>(sql`
          with a as (
            select user_id, last_used_at as at from auth_sessions where last_used_at > now() - interval '7 days'
            union all
            select user_id, last_used_at from api_keys where last_used_at > now() - interval '7 days'
            union all
            select user_id, created_at from usage_ledger
              where created_at > now() - interval '7 days' and user_id is not null
          )
          select count(distinct user_id) filter (where at > now() - interval '1 hour')::int as hour,
                 count(distinct user_id) filter (where at > now() - interval '1 day')::int as day,
                 count(distinct user_id)::int as week
          from a`),
        db.execute<{ n: number }>(sql`select count(*)::int as n from messages where status = 'streaming'`),
        db.execute<{ day: string; messages: number; tokens: string | number; errors: number }>(sql`
          select to_char(d.day, 'YYYY-MM-DD') as day,
                 count(l.id) filter (where l.kind = 'answer')::int as messages,
                 coalesce(sum(l.prompt_tokens + l.completion_tokens), 0) as tokens,
                 count(l.id) filter (where l.kind = 'answer' and l.outcome = 'error')::int as errors
          from generate_series(${start}, ${UTC_TODAY}, interval '1 day') as d(day)
          left join usage_ledger l
            on l.created_at >= (d.day::date::timestamp at time zone 'utc')
           and l.created_at < ((d.day::date + 1)::timestamp at time zone 'utc')
          group by d.day order by d.day`),
        db.execute<{ model: string; messages: number; tokens: string | number }>(sql`
          select model, count(*) filter (where kind = 'answer')::int as messages,
                 coalesce(sum(prompt_tokens + completion_tokens), 0) as tokens
          from usage_ledger where created_at >= ${since}
          group by model order by tokens desc, model`),
        db.execute<{ finished: number; errors: number; t50: number; t95: number; a50: number; a95: number }>(sql`
          select count(*) filter (where outcome <> 'streaming')::int as finished,
                 count(*) filter (where outcome = 'error')::int as errors,
                 percentile_cont(0.5) within group (order by ttft_ms) as t50,
                 percentile_cont(0.95) within group (order by ttft_ms) as t95,
                 percentile_cont(0.5) within group (order by total_ms) filter (where outcome = 'complete') as a50,
                 percentile_cont(0.95) within group (order by total_ms) filter (where outcome = 'complete') as a95
          from usage_ledger where kind = 'answer' and created_at >= ${since}`),
      ]);
      const a = active.rows[0];
      const s = stats.rows[0];
      const finished = num(s?.finished);
      return {
        activeUsers: { hour: num(a?.hour), day: num(a?.day), week: num(a?.week) },
        answersInFlight: num(inFlight.rows[0]?.n),
        byDay: byDay.rows.map((r) => ({
          day: r.day,
          messages: num(r.messages),
          tokens: num(r.tokens),
          errors: num(r.errors),
        })),
        byModel: byModel.rows.map((r) => ({ model: r.model, messages: num(r.messages), tokens: num(r.tokens) })),
        errorRate: finished ? num(s?.errors) / finished : 0,
        ttftMs: { p50: nullableNum(s?.t50), p95: nullableNum(s?.t95) },
        answerMs: { p50: nullableNum(s?.a50), p95: nullableNum(s?.a95) },
      };
    },

    async audit(
      f: AuditFilter,
      page: { limit: number; offset: number },
    ): Promise<{ entries: AuditEntry[]; total: number }> {
      const conds: SQL[] = [];
      if (f.q) {
        const like = containing(f.q);
        conds.push(sql`(a.actor_name ilike ${like} or t.username ilike ${like} or a.action ilike ${like}
                        or a.detail::text ilike ${like} or a.ip ilike ${like})`);
      }
      if (f.action) conds.push(sql`a.action = ${f.action}`);
      if (f.actorId !== undefined) conds.push(sql`a.actor_id = ${f.actorId}`);
      if (f.targetId !== undefined) conds.push(sql`a.target_id = ${f.targetId}`);
      if (f.from) conds.push(sql`a.at >= ${f.from.toISOString()}::timestamptz`);
      if (f.before) conds.push(sql`a.at < ${f.before.toISOString()}::timestamptz`);
      const where = conds.length ? sql`where ${sql.join(conds, sql` and `)}` : sql``;
      const from = sql`from audit_log a left join users t on t.id = a.target_id ${where}`;
      const [rows, count] = await Promise.all([
        db.execute<AuditSqlRow>(sql`
          select a.id, a.at, a.action, a.actor_id, a.actor_name, a.target_id, a.ip, a.user_agent, a.detail
          ${from} order by a.at desc, a.id desc limit ${page.limit} offset ${page.offset}`),
        db.execute<{ n: number }>(sql`select count(*)::int as n ${from}`),
      ]);
      return {
        entries: rows.rows.map((r) => ({
          id: Number(r.id),
          at: new Date(r.at).toISOString(),
          action: r.action,
          actorId: r.actor_id,
          actorName: r.actor_name,
          targetId: r.target_id,
          ip: r.ip,
          userAgent: r.user_agent,
          detail: r.detail ?? {},
        })),
        total: num(count.rows[0]?.n),
      };
    },
  };
}

export type AdminRepo = ReturnType<typeof createAdminRepo>;
