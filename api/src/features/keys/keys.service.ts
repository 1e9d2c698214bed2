// API keys (personal access tokens): create (the key returned once, only its SHA-256 kept), list, revoke. A revoked
// key is announced to every process, so it stops working everywhere at once (sockets opened with it close).
import type { ApiKey, CreatedApiKey } from '@chatbot/shared';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import type { AuthUser } from '../../http/app-env.js';
import { AppError, errors } from '../../http/app-error.js';
import type { Logger } from '../../lib/logger.js';
import { recordAudit } from '../audit/audit.js';
import { generateApiKey } from '../auth/api-key.js';

/** Keys a user may hold at once (revoked ones do not count). */
export const MAX_KEYS_PER_USER = 50;

type KeyRow = {
  id: number;
  name: string;
  prefix: string;
  created_at: string | Date;
  expires_at: string | Date | null;
  last_used_at: string | Date | null;
};

const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());

function toApiKey(r: KeyRow): ApiKey {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdAt: iso(r.created_at)!,
    expiresAt: iso(r.expires_at),
    lastUsedAt: iso(r.last_used_at),
  };
}

export interface RequestMeta {
  ip?: string;
  userAgent?: string;
}

export function createKeysService(ctx: Pick<AppContext, 'db' | 'tokens' | 'clock'>) {
  return {
    async create(
      user: AuthUser,
      input: { name: string; expiresAt?: string | null | undefined },
      meta: RequestMeta,
      log: Logger,
    ): Promise<CreatedApiKey> {
      const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= ctx.clock.now().getTime()) {
        throw errors.validation('expiresAt must be in the future', 'expiresAt');
      }
      const held = await ctx.db.execute<{ n: number }>(
        sql`select count(*)::int as n from api_keys where user_id = ${user.id} and revoked_at is null`,
      );
      if (Number(held.rows[0]?.n ?? 0) >= MAX_KEYS_PER_USER) {
        throw new AppError('LIMIT_REACHED', `You have ${MAX_KEYS_PER_USER} API keys: revoke one first`);
      }
      const { key, prefix, hash } = generateApiKey();
      const result = await ctx.db.execute<KeyRow>(sql`
        insert into api_keys (user_id, name, prefix, key_hash, created_at, expires_at)
        values (${user.id}, ${input.name}, ${prefix}, ${hash}, ${ctx.clock.now().toISOString()},
                ${expiresAt?.toISOString() ?? null})
        returning id, name, prefix, created_at, expires_at, last_used_at`);
      const created = toApiKey(result.rows[0]!);
      await recordAudit(
        ctx.db,
        {
          action: 'apikey.create',
          actorId: user.id,
          actorName: user.username,
          targetId: user.id,
          ...meta,
          detail: { keyId: created.id, name: created.name, prefix },
        },
        log,
      );
      log.info({ event: 'apikey.create', userId: user.id, keyId: created.id }, 'API key created');
      return { ...created, key };
    },

    /** The user's keys not revoked (expired ones included, marked by expiresAt), newest first. */
    async list(user: AuthUser): Promise<ApiKey[]> {
      const result = await ctx.db.execute<KeyRow>(sql`
        select id, name, prefix, created_at, expires_at, last_used_at from api_keys
        where user_id = ${user.id} and revoked_at is null
        order by created_at desc, id desc`);
      return result.rows.map(toApiKey);
    },

    /** Another user's key, or one already revoked, is 404. */
    async revoke(user: AuthUser, id: number, meta: RequestMeta, log: Logger): Promise<void> {
      const result = await ctx.db.execute<{ id: number; prefix: string; name: string }>(sql`
        update api_keys set revoked_at = now()
        where id = ${id} and user_id = ${user.id} and revoked_at is null
        returning id, prefix, name`);
      const row = result.rows[0];
      if (!row) throw errors.notFound('API key');
      await ctx.tokens.publish({ scope: 'key', userId: user.id, keyId: id });
      await recordAudit(
        ctx.db,
        {
          action: 'apikey.revoke',
          actorId: user.id,
          actorName: user.username,
          targetId: user.id,
          ...meta,
          detail: { keyId: id, name: row.name, prefix: row.prefix },
        },
        log,
      );
      log.info({ event: 'apikey.revoke', userId: user.id, keyId: id }, 'API key revoked');
    },
  };
}
