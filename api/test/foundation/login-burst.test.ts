// A burst of logins must not stall other requests: bcrypt runs on the thread pool, not the event loop.
import { hash } from '@node-rs/bcrypt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../harness.js';

describe('login burst', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.cleanup());

  it('keeps /api/health fast while 8 logins hash concurrently', async () => {
    const u = { username: 'burst', email: 'burst@example.com', password: 'Str0ngPassword' };
    expect((await call(t.app, 'POST', '/api/auth/register', { body: u })).status).toBe(201);

    // One bcrypt (cost 12) on this machine, right now: the yardstick for "stalled".
    const started = performance.now();
    await hash('calibration', 12);
    const bcryptMs = performance.now() - started;

    let done = false;
    const logins = Promise.all(
      Array.from({ length: 8 }, () => call(t.app, 'POST', '/api/auth/login', { body: u })),
    ).finally(() => {
      done = true;
    });
    const latencies: number[] = [];
    while (!done) {
      const s = performance.now();
      const res = await call(t.app, 'GET', '/api/health');
      latencies.push(performance.now() - s);
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 5));
    }
    const results = await logins;
    expect(results.every((r) => r.status === 200)).toBe(true);
    latencies.sort((x, y) => x - y);
    const median = latencies[latencies.length >> 1]!;
    const worst = latencies.at(-1)!;
    // Health was polled all through the burst. Hashing on the event loop would hold every poll behind whole
    // bcrypt runs (8 in a row); off the loop, a typical poll takes a sliver of one and none waits a whole one.
    expect(latencies.length).toBeGreaterThan(10);
    expect(median).toBeLessThan(bcryptMs / 10);
    expect(worst).toBeLessThan(bcryptMs);
    process.stdout.write(
      `login burst: bcrypt ${bcryptMs.toFixed(0)} ms; health p50 ${median.toFixed(1)} ms, max ${worst.toFixed(1)} ms over ${latencies.length} calls\n`,
    );
  });
});
