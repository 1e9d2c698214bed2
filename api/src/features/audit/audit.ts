// The audit log's one writer: who did what to whom, from where. Every feature that records an action (logins,
// passwords, keys, admin actions) calls `recordAudit`; nothing else inserts into audit_log.
import type { Db } from '../../db/client.js';
import { auditLog } from '../../db/schema/index.js';
import type { Logger } from '../../lib/logger.js';

/** The actions the audit log knows (the contract names them; the admin console filters by them). */
export type AuditAction =
  | 'login.ok'
  | 'login.failed'
  | 'login.locked'
  | 'logout'
  | 'password.change'
  | 'password.reset'
  | 'password.reset.issue'
  | 'user.register'
  | 'user.role'
  | 'user.quota'
  | 'user.disable'
  | 'user.enable'
  | 'user.delete'
  | 'user.logout'
  | 'apikey.create'
  | 'apikey.revoke'
  | 'invite.create';

export interface AuditEntry {
  action: AuditAction;
  actorId?: number | null;
  actorName?: string | null;
  targetId?: number | null;
  ip?: string | null;
  userAgent?: string | null;
  /** Free-form facts (old/new role, the identifier tried). Never a password, token or key. */
  detail?: Record<string, unknown>;
}

/**
 * Writes one entry. An audit write that fails is logged and swallowed: a login must not fail because the audit
 * table did, and the caller's own statements have already run.
 */
export async function recordAudit(db: Db, entry: AuditEntry, log?: Logger): Promise<void> {
  try {
    await db.insert(auditLog).values({
      action: entry.action,
      actorId: entry.actorId ?? null,
      actorName: entry.actorName ?? null,
      targetId: entry.targetId ?? null,
      ip: entry.ip ?? null,
      userAgent: entry.userAgent?.slice(0, 512) ?? null,
      detail: entry.detail ?? {},
    });
  } catch (err) {
    log?.warn({ err: { message: (err as Error).message }, action: entry.action }, 'audit write failed');
  }
}
