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
  | { id: number; op: 'setup'; sessions: number }
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
      // One user owning one session per concurrent stream (one answer at a time per session).
      const pool = database.pool;
      const u = await pool.query<{ id: number }>(
        `insert into users (username, email, password_hash) values ('bench', 'bench@example.com', 'x')
         on conflict do nothing returning id`,
      );
      const userId =
        u.rows[0]?.id ??
        (await pool.query<{ id: number }>("select id from users where username = 'bench'")).rows[0]!.id;
      const s = await pool.query<{ id: number }>(
        `insert into chat_sessions (user_id, title) select $1, 'bench ' || g from generate_series(1, $2) g returning id`,
        [userId, req.sessions],
      );
      const { accessToken } = await instance.ctx.tokens.issue(userId);
      process.send?.({ id: req.id, token: accessToken, sessionIds: s.rows.map((r) => r.id) });
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
