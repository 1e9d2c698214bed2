// Failed logins counted per submitted identifier (a hash of the lowercased username or email, whether or not an
// account has it): from the 20th failure within 15 minutes that identifier is refused with 429 until the window has
// passed. Counted in PostgreSQL, so every API process shares the count; other identifiers are never affected.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { hashSecret } from './api-key.js';

export const LOGIN_FAILURE_LIMIT = 20;
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60_000;
const SWEEP_EVERY_MS = 60_000;

export interface LoginLimits {
  /** Seconds until `identifier` may try again, or 0 when it may now. */
  lockedFor(identifier: string): Promise<number>;
  /** Counts a failure; the seconds to wait when this one reached the limit, else 0. */
  fail(identifier: string): Promise<number>;
  /** A successful login forgets the identifier's failures. */
  clear(identifier: string): Promise<void>;
}

/** The stored form: usernames are case-insensitive, emails lowercased; the text itself is never kept. */
export function identifierHash(identifier: string): string {
  return hashSecret(`login:${identifier.trim().toLowerCase()}`);
}

export function createLoginLimits(db: Db, clock: Clock): LoginLimits {
  let lastSweep = 0;

  /** How long until fewer than LIMIT failures remain in the window (0: already fewer). */
  async function waitSeconds(hash: string): Promise<number> {
    const now = clock.now().getTime();
    const since = new Date(now - LOGIN_FAILURE_WINDOW_MS).toISOString();
    // The failure whose expiry brings the count under the limit: the (count - LIMIT)th oldest in the window.
    const result = await db.execute<{ n: number; at: string | Date | null }>(sql`
      with w as (select at from login_failures where identifier_hash = ${hash} and at > ${since})
      select (select count(*)::int from w) as n,
             (select at from w order by at asc offset greatest((select count(*) from w) - ${LOGIN_FAILURE_LIMIT}, 0)
              limit 1) as at`);
    const row = result.rows[0];
    if (!row || Number(row.n) < LOGIN_FAILURE_LIMIT || !row.at) return 0;
    const freeAt = new Date(row.at).getTime() + LOGIN_FAILURE_WINDOW_MS;
    return Math.max(1, Math.ceil((freeAt - now) / 1000));
  }

  return {
    lockedFor: (identifier) => waitSeconds(identifierHash(identifier)),

    async fail(identifier) {
      const hash = identifierHash(identifier);
      const now = clock.now();
      await db.execute(sql`insert into login_failures (identifier_hash, at) values (${hash}, ${now.toISOString()})`);
      if (now.getTime() - lastSweep > SWEEP_EVERY_MS) {
        lastSweep = now.getTime();
        await db.execute(
          sql`delete from login_failures where at < ${new Date(now.getTime() - LOGIN_FAILURE_WINDOW_MS).toISOString()}`,
        );
      }
      return waitSeconds(hash);
    },

    async clear(identifier) {
      await db.execute(sql`delete from login_failures where identifier_hash = ${identifierHash(identifier)}`);
    },
  };
}
