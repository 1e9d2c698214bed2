// Reconnect backoff: grows from a quarter second, is capped, and is jittered around its base.
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './connection.state';

describe('backoffDelay', () => {
  it('doubles from 250 ms up to an 8 s cap', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(n, mid))).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });

  it('stays within ±25% of the base', () => {
    expect(backoffDelay(2, () => 0)).toBe(750);
    expect(backoffDelay(2, () => 0.999999)).toBe(1250);
  });
});
