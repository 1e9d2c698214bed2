// Fixed-window rate limits counted in PostgreSQL, so every API process shares one count.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import { errors } from './app-error.js';

export interface RateLimiter {
  /** Counts one hit for `key`; throws 429 RATE_LIMITED (with Retry-After) past `limit` per minute. 0 = no limit. */
  hit(key: string, limit: number): Promise<void>;
}

const WINDOW_MS = 60_000;

export function createRateLimiter(db: Db, clock: Clock): RateLimiter {
  let lastSweep = 0;
  return {
    async hit(key, limit) {
      if (limit <= 0) return;
      const now = clock.now().getTime();
      const windowStart = new Date(Math.floor(now / WINDOW_MS) * WINDOW_MS);
      const result = await db.execute<{ count: number }>(sql`
        insert into rate_limits (key, window_start, count) values (${key}, ${windowStart.toISOString()}, 1)
        on conflict (key, window_start) do update set count = rate_limits.count + 1
        returning count`);
      const count = Number(result.rows[0]?.count ?? 0);
      if (now - lastSweep > WINDOW_MS) {
        lastSweep = now;
        // Old windows are useless; sweeping here keeps the table small without a scheduler.
        await db.execute(
          sql`delete from rate_limits where window_start < ${new Date(now - 2 * WINDOW_MS).toISOString()}`,
        );
      }
      if (count > limit) {
        const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + WINDOW_MS - now) / 1000));
        throw errors.rateLimited(retryAfter);
      }
    },
  };
}
