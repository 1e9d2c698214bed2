// The app under test for bench/stream.bench.ts, in its own process (as in production): serves HTTP + WebSocket on a
// loopback port and answers the benchmark's questions over IPC (setup, memory, event-loop lag).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '../api/src/app.js';
import { loadConfig } from '../api/src/config.js';
import { connectDatabase } from '../api/src/db/client.js';
import { createLogger } from '../api/src/lib/logger.js';
import { startServer } from '../api/src/server.js';

type Request =
  | { id: number; op: 'setup'; sessions: number; perUser?: number }
  | { id: number; op: 'mark' }
  | { id: number; op: 'sample' }
  | { id: number; op: 'stop' };

const config = loadConfig(process.env);
const logger = createLogger(config.LOG_LEVEL);
const database = connectDatabase(config.DATABASE_URL!, { max: config.DB_POOL_MAX, logger });
const instance = createApp({ config, database, logger });
let lag: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
lag.enable();

// BENCH_CPU_PROF=1: a CPU profile of the whole run, written to bench/results/app.cpuprofile at stop.
const profiler = process.env.BENCH_CPU_PROF ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  profiler.post('Profiler.enable', () => profiler.post('Profiler.start'));
}

// Served as main.ts serves (startServer: a 4096-deep accept queue, so 1000 clients connecting within a second queue).
const running = await startServer(instance.app.fetch, { port: 0, host: '127.0.0.1' });
process.send?.({ ready: true, port: running.port });
const memory = () => {
  const m = process.memoryUsage();
  const cpu = process.cpuUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, cpuMs: (cpu.user + cpu.system) / 1000 };
};

process.on('message', async (req: Request) => {
  try {
    if (req.op === 'setup') {
      // One session per concurrent stream (one answer at a time per session), `perUser` consecutive sessions per
      // user (all of them by default), each user with its own token: a WebSocket run stays under the product's
      // per-user socket cap. `token` is the first user's (the benches with one user read only that).
      const pool = database.pool;
      const perUser = req.perUser ?? Math.max(1, req.sessions);
      const users = Math.ceil(req.sessions / perUser);
      const u = await pool.query<{ id: number }>(
        `insert into users (username, email, password_hash)
         select 'bench' || g, 'bench' || g || '@example.com', 'x' from generate_series(1, $1) g
         on conflict do nothing returning id`,
        [users],
      );
      const streams: { sessionId: number; token: string }[] = [];
      for (const [i, { id: userId }] of u.rows.entries()) {
        const count = Math.min(perUser, req.sessions - i * perUser);
        const s = await pool.query<{ id: number }>(
          `insert into chat_sessions (user_id, title)
           select $1, 'bench ' || g from generate_series(1, $2) g returning id`,
          [userId, count],
        );
        const { accessToken } = await instance.ctx.tokens.issue(userId);
        for (const r of s.rows) streams.push({ sessionId: r.id, token: accessToken });
      }
      process.send?.({ id: req.id, users: u.rows.length, streams, token: streams[0]?.token });
    } else if (req.op === 'mark') {
      // A fresh lag histogram and a memory baseline (after a GC) before a run.
      globalThis.gc?.();
      lag.disable();
      lag = monitorEventLoopDelay({ resolution: 10 });
      lag.enable();
      process.send?.({ id: req.id, ...memory() });
    } else if (req.op === 'sample') {
      process.send?.({
        id: req.id,
        ...memory(),
        lagP50Ms: lag.percentile(50) / 1e6,
        lagP99Ms: lag.percentile(99) / 1e6,
        lagMaxMs: lag.max / 1e6,
        active: instance.generations.activeCount,
      });
    } else if (req.op === 'stop') {
      if (profiler) {
        await new Promise<void>((resolve) =>
          profiler.post('Profiler.stop', (_err, res) => {
            writeFileSync(new URL('./results/app.cpuprofile', import.meta.url), JSON.stringify(res.profile));
            resolve();
          }),
        );
      }
      await instance.close(2_000);
      await running.close();
      await database.close();
      process.send?.({ id: req.id });
      process.exit(0);
    }
  } catch (err) {
    process.send?.({ id: req.id, error: (err as Error).message });
  }
});
