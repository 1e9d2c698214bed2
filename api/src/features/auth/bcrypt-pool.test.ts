// The bcrypt threads: correct results through the queue, errors as rejections, and a lower CPU priority than the
// event loop (per-thread nice values, read from /proc: Linux, where the product and CI run).
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { hash } from '@node-rs/bcrypt';
import { describe, expect, it } from 'vitest';
import { BCRYPT_NICE, bcryptHash, bcryptVerify } from './bcrypt-pool.js';

/** The nice value of every thread of this process, by thread id (field 19 of /proc/self/task/<tid>/stat). */
function threadNiceValues(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return out;
}

describe('bcrypt pool', () => {
  it('hashes and verifies, and agrees with @node-rs/bcrypt', async () => {
    const stored = await bcryptHash('secret input', 4);
    expect(stored).toMatch(/^\$2[aby]\$04\$/);
    expect(await bcryptVerify('secret input', stored)).toBe(true);
    expect(await bcryptVerify('other input', stored)).toBe(false);
    expect(await bcryptVerify('made elsewhere', await hash('made elsewhere', 4))).toBe(true);
  });

  it('answers every job of a burst larger than the pool, each with its own result', async () => {
    const stored = await bcryptHash('right', 4);
    const inputs = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 'right' : `wrong ${i}`));
    const results = await Promise.all(inputs.map((input) => bcryptVerify(input, stored)));
    expect(results).toEqual(inputs.map((input) => input === 'right'));
  });

  it('answers false for a malformed hash, rejects what bcrypt refuses, and keeps working after', async () => {
    expect(await bcryptVerify('x', 'not-a-bcrypt-hash')).toBe(false);
    await expect(bcryptHash('x', 99)).rejects.toThrow(/^bcrypt: Cost needs to be between 4 and 31/);
    expect(await bcryptVerify('x', await bcryptHash('x', 4))).toBe(true);
  });

  it('runs bcrypt on threads niced below the event loop, without changing the event loop', async () => {
    const before = getPriority();
    await Promise.all([bcryptHash('a', 4), bcryptHash('b', 4)]);
    const nice = threadNiceValues();
    expect([...nice.values()].filter((n) => n === BCRYPT_NICE).length).toBeGreaterThanOrEqual(1);
    expect(BCRYPT_NICE).toBeGreaterThan(before);
    expect(getPriority()).toBe(before);
    expect(nice.get(process.pid)).toBe(getPriority(process.pid));
  });
});
