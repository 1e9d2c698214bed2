// Tests of the PostgreSQL-backed rate limiter: per-key counts, windows on the injected clock, shared between processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/harness.js';
import type { Database } from '../db/client.js';
import { AppError } from './app-error.js';
import { createRateLimiter } from './rate-limit.js';

function testClock(iso: string) {
  let now = new Date(iso).getTime();
  return {
    now: () => new Date(now),
    set: (s: string) => {
      now = new Date(s).getTime();
    },
  };
}

async function outcome(p: Promise<void>): Promise<'ok' | AppError> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}

describe('rate limiter', () => {
  let db: { database: Database; drop(): Promise<void> };
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  it('allows `limit` hits per key per minute, then 429 with Retry-After until the window ends', async () => {
    const clock = testClock('2030-01-01T00:00:15Z');
    const limiter = createRateLimiter(db.database.db, clock);
    for (let i = 0; i < 3; i++) expect(await outcome(limiter.hit('k1', 3))).toBe('ok');
    const refused = await outcome(limiter.hit('k1', 3));
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', status: 429, headers: { 'Retry-After': '45' } });
    // Another key has its own budget.
    expect(await outcome(limiter.hit('k2', 3))).toBe('ok');
    // The next minute starts afresh.
    clock.set('2030-01-01T00:01:00Z');
    expect(await outcome(limiter.hit('k1', 3))).toBe('ok');
  });

  it('counts nothing when the limit is 0', async () => {
    const limiter = createRateLimiter(db.database.db, testClock('2030-01-02T00:00:00Z'));
    for (let i = 0; i < 10; i++) expect(await outcome(limiter.hit('off', 0))).toBe('ok');
    const rows = await db.database.pool.query(`select count(*)::int as n from rate_limits where key = 'off'`);
    expect(rows.rows[0].n).toBe(0);
  });

  it('shares one count between limiters (API processes) on the same database, even under concurrency', async () => {
    const clock = testClock('2030-01-03T00:00:00Z');
    const a = createRateLimiter(db.database.db, clock);
    const b = createRateLimiter(db.database.db, clock);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => outcome((i % 2 ? a : b).hit('shared', 4))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(4);
    expect(results.filter((r) => r instanceof AppError)).toHaveLength(6);
  });

  it('sweeps windows older than two minutes', async () => {
    const clock = testClock('2030-01-04T00:00:00Z');
    await createRateLimiter(db.database.db, clock).hit('old', 5);
    clock.set('2030-01-04T00:10:00Z');
    // A fresh limiter sweeps on its first hit.
    await createRateLimiter(db.database.db, clock).hit('new', 5);
    const rows = await db.database.pool.query(`select key from rate_limits where key in ('old', 'new')`);
    expect(rows.rows.map((r) => r.key)).toEqual(['new']);
  });
});
