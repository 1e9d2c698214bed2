// Admin rules: users (list, read, role, active, quota overrides, force logout, reset link, delete) with the
// last-admin rule, invites, the overview and the audit log. Every change is written to the audit log.
import type {
  AdminOverview,
  AdminUser,
  AdminUserList,
  AdminUserPatch,
  AuditList,
  InviteResponse,
  PasswordResetLink,
  QuotaOverrides,
} from '@chatbot/shared';
import type { AppContext } from '../../context.js';
import { errors } from '../../http/app-error.js';
import { type AuditEntry, recordAudit } from '../audit/audit.js';
import { issuePasswordReset } from '../auth/password-reset.js';
import { addDays } from '../usage/days.js';
import { type AdminUserRow, type AuditFilter, createAdminRepo } from './admin.repo.js';
import { createInvite } from './registration.js';
import { guardLastAdmin } from './roles.js';

/** Who acts, and from where (for the audit log). */
export interface Actor {
  id: number;
  username: string;
  ip?: string;
  userAgent?: string;
}

const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());

export function toAdminUser(r: AdminUserRow): AdminUser {
  return {
    id: r.id,
    username: r.username,
    email: r.email,
    createdAt: iso(r.created_at)!,
    role: r.role,
    isActive: r.is_active,
    lastLoginAt: iso(r.last_login_at),
    usage: {
      tokensToday: Number(r.tokens_today),
      tokensThisMonth: Number(r.tokens_month),
      messagesToday: Number(r.messages_today),
    },
    quota: {
      tokensPerDay: r.quota_tokens_per_day,
      tokensPerMonth: r.quota_tokens_per_month,
      messagesPerDay: r.quota_messages_per_day,
    },
  };
}

/** An audit `from`/`to` value: a date means its whole UTC day; an ISO time means that instant. */
export function auditRange(from?: string, to?: string): Pick<AuditFilter, 'from' | 'before'> {
  const isDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);
  const out: Pick<AuditFilter, 'from' | 'before'> = {};
  if (from) out.from = new Date(isDay(from) ? `${from}T00:00:00Z` : from);
  if (to) out.before = isDay(to) ? new Date(`${addDays(to, 1)}T00:00:00Z`) : new Date(new Date(to).getTime() + 1);
  return out;
}

export function createAdminService(ctx: AppContext) {
  const repo = createAdminRepo(ctx.db);
  const audit = (actor: Actor, entry: Omit<AuditEntry, 'actorId' | 'actorName' | 'ip' | 'userAgent'>) =>
    recordAudit(
      ctx.db,
      { ...entry, actorId: actor.id, actorName: actor.username, ip: actor.ip, userAgent: actor.userAgent },
      ctx.logger,
    );

  async function requireUser(id: number): Promise<AdminUserRow> {
    const row = await repo.findUser(id);
    if (!row) throw errors.notFound('User');
    return row;
  }

  return {
    async overview(days: number): Promise<AdminOverview> {
      const { pool } = ctx.database;
      const numbers = await repo.overview(days);
      return {
        ...numbers,
        dbPool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount },
      };
    },

    async listUsers(q: { q?: string; limit: number; offset: number }): Promise<AdminUserList> {
      const { rows, total } = await repo.listUsers(q);
      return { users: rows.map(toAdminUser), total };
    },

    async getUser(id: number): Promise<AdminUser> {
      return toAdminUser(await requireUser(id));
    },

    /**
     * Role, active state and quota overrides in one transaction, the last-admin rule checked under lock. A disabled
     * user's credentials and sockets end on every process; a role change drops cached copies of the account.
     */
    async updateUser(actor: Actor, id: number, patch: AdminUserPatch): Promise<AdminUser> {
      const change = await ctx.db.transaction(async (tx) => {
        const before = await repo.lockUser(tx, id);
        if (!before) throw errors.notFound('User');
        const activeAdmin = before.role === 'admin' && before.is_active;
        const losesAdmin = activeAdmin && (patch.role === 'user' || patch.isActive === false);
        await guardLastAdmin(tx, id, losesAdmin);
        const quotaBefore = (await repo.findUser(id, tx))!;
        await repo.updateUser(tx, id, {
          role: patch.role,
          isActive: patch.isActive,
          quotaTokensPerDay: patch.quota?.tokensPerDay,
          quotaTokensPerMonth: patch.quota?.tokensPerMonth,
          quotaMessagesPerDay: patch.quota?.messagesPerDay,
        });
        return { before, quotaBefore: toAdminUser(quotaBefore).quota };
      });
      const after = await requireUser(id);
      const user = toAdminUser(after);
      if (patch.role !== undefined && patch.role !== change.before.role) {
        await audit(actor, { action: 'user.role', targetId: id, detail: { from: change.before.role, to: patch.role } });
      }
      if (patch.isActive !== undefined && patch.isActive !== change.before.is_active) {
        await audit(actor, { action: patch.isActive ? 'user.enable' : 'user.disable', targetId: id, detail: {} });
      }
      if (patch.quota && Object.keys(patch.quota).length) {
        const changed = (Object.keys(patch.quota) as (keyof QuotaOverrides)[]).filter(
          (k) => change.quotaBefore[k] !== user.quota[k],
        );
        if (changed.length) {
          await audit(actor, {
            action: 'user.quota',
            targetId: id,
            detail: {
              from: Object.fromEntries(changed.map((k) => [k, change.quotaBefore[k]])),
              to: Object.fromEntries(changed.map((k) => [k, user.quota[k]])),
            },
          });
        }
      }
      if (patch.isActive === false && change.before.is_active) {
        await ctx.tokens.publish({ scope: 'user', userId: id });
      } else if (patch.role !== undefined && patch.role !== change.before.role) {
        await ctx.tokens.publish({ scope: 'profile', userId: id });
      }
      return user;
    },

    /** Every login (and its refresh tokens) ends, and every socket of the user closes, on every process. */
    async logoutUser(actor: Actor, id: number): Promise<void> {
      await requireUser(id);
      await ctx.tokens.endSessions(id, { reason: 'admin' });
      await ctx.tokens.publish({ scope: 'user', userId: id });
      await audit(actor, { action: 'user.logout', targetId: id, detail: {} });
    },

    async passwordReset(actor: Actor, id: number): Promise<PasswordResetLink> {
      await requireUser(id);
      // The identity feature's reset link: same table and lifetime as the forgot-password mail.
      const issued = await issuePasswordReset(ctx.db, id, actor.id, {
        publicUrl: ctx.config.publicUrl,
        clock: ctx.clock,
      });
      const link: PasswordResetLink = { ...issued, expiresAt: issued.expiresAt.toISOString() };
      await audit(actor, { action: 'password.reset.issue', targetId: id, detail: { expiresAt: link.expiresAt } });
      return link;
    },

    /** Chats and logins go with the account; its ledger rows stay (user removed); the last admin stays. */
    async deleteUser(actor: Actor, id: number): Promise<void> {
      const username = await ctx.db.transaction(async (tx) => {
        const before = await repo.lockUser(tx, id);
        if (!before) throw errors.notFound('User');
        await guardLastAdmin(tx, id, before.role === 'admin' && before.is_active);
        const row = await repo.findUser(id, tx);
        await repo.deleteUser(tx, id);
        return row?.username;
      });
      await ctx.tokens.publish({ scope: 'user', userId: id });
      await audit(actor, { action: 'user.delete', targetId: id, detail: { username } });
    },

    async createInvite(actor: Actor, body: { email?: string; expiresInHours: number }): Promise<InviteResponse> {
      const invite = await createInvite(ctx.db, ctx.config.publicUrl, { ...body, createdBy: actor.id });
      await audit(actor, {
        action: 'invite.create',
        detail: { email: body.email ?? null, expiresAt: invite.expiresAt },
      });
      return invite;
    },

    async audit(
      q: { q?: string; action?: string; actorId?: number; targetId?: number; from?: string; to?: string },
      page: { limit: number; offset: number },
    ): Promise<AuditList> {
      return repo.audit(
        {
          q: q.q || undefined,
          action: q.action || undefined,
          actorId: q.actorId,
          targetId: q.targetId,
          ...auditRange(q.from, q.to),
        },
        page,
      );
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
