// Authenticated reads: GET /api/chat/sessions (a bearer token, 20 sessions) and GET /api/health at 100 keep-alive
// connections, against a bare node:http server and bare Hono serving the same health JSON, all in the same run (each
// server in its own process, the load from this one). Then the session list through the real start path
// (api/src/main.ts, as `start` runs it) with WEB_CONCURRENCY=1 and =2 on the same database. Every target is measured
// once per round, rounds interleaved (BENCH_READS_ROUNDS, default 3); the table shows each target's median round and
// the median of its per-round ratios to bare node:http. Run: node --import tsx bench/run.ts reads
// (BENCH_READS_MS=5000 per target and round; BENCH_CPU_PROF=1 writes bench/results/app.cpuprofile of the in-process
// app). Writes bench/results/reads.json. Loopback only, about 4 min.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectDatabase } from '../api/src/db/client.js';
import { ensureDatabase, startEmbeddedPostgres } from '../api/src/db/embedded.js';
import { runMigrations } from '../api/src/db/migrate.js';
import { APP_ENV, startMain } from './app-process.js';
import { type LoadReport, runLoad } from './load.js';
import { writeResult } from './results.js';
import { median } from './stats.js';
import { startChild } from './stream.bench.js';

const CONNECTIONS = 100;
const DURATION_MS = Number(process.env.BENCH_READS_MS ?? 5_000);
const WARMUP_MS = 1_500;
const SESSIONS = 20;
const ROUNDS = Number(process.env.BENCH_READS_ROUNDS ?? 3);

export interface ReadsRow extends LoadReport {
  target: string;
  /** req/s against bare node:http's health in the same round (the median of the rounds in the summary). */
  ofBare: number;
}

export interface ReadsSummary extends ReadsRow {
  rounds: number;
  /** req/s of every round, in order. */
  rpsByRound: number[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function printTable(rows: Record<string, unknown>[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const cells = [cols, ...rows.map((r) => cols.map((c) => String(r[c] ?? '-')))];
  const widths = cols.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n');
}

export async function runReadsBench(): Promise<ReadsSummary[]> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const dir = mkdtempSync(path.join(tmpdir(), 'chatbot-reads-bench-'));
  chmodSync(dir, 0o755);
  const pgServer = await startEmbeddedPostgres(path.join(dir, 'data'));
  const bare = await startChild<{ bare: number; hono: number }>('reads.bare.ts', {});
  let app: Awaited<ReturnType<typeof startChild<{ port: number }>>> | undefined;
  const running: { stop(): Promise<void> }[] = [];
  try {
    const url = await ensureDatabase(pgServer.url, 'bench');
    const db = connectDatabase(url, { max: 2 });
    await runMigrations(db);
    await db.close();
    app = await startChild<{ port: number }>('stream.app.ts', { ...APP_ENV, DATABASE_URL: url }, { quiet: true });
    const { token } = await app.ask<{ token: string }>({ op: 'setup', sessions: SESSIONS });
    const auth = { authorization: `Bearer ${token}` };
    const mains = [await startMain(url, 1), await startMain(url, 2)];
    running.push(...mains);
    const targets: [string, string, Record<string, string>?][] = [
      ['node:http health', `http://127.0.0.1:${bare.ready.bare}/api/health`],
      ['hono health', `http://127.0.0.1:${bare.ready.hono}/api/health`],
      ['app health', `http://127.0.0.1:${app.ready.port}/api/health`],
      ['app session list', `http://127.0.0.1:${app.ready.port}/api/chat/sessions`, auth],
      ['start, 1 process: session list', `http://127.0.0.1:${mains[0]!.port}/api/chat/sessions`, auth],
      ['start, 2 processes: session list', `http://127.0.0.1:${mains[1]!.port}/api/chat/sessions`, auth],
    ];
    out(`reads bench: ${CONNECTIONS} connections, ${DURATION_MS} ms per target, ${ROUNDS} rounds`);
    const byTarget = new Map<string, ReadsRow[]>(targets.map(([t]) => [t, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      let bareRps = 0;
      for (const [target, url, headers] of targets) {
        await runLoad(url, { connections: CONNECTIONS, durationMs: WARMUP_MS, headers });
        const r = await runLoad(url, { connections: CONNECTIONS, durationMs: DURATION_MS, headers });
        if (!bareRps) bareRps = r.rps;
        byTarget.get(target)!.push({ target, ...r, ofBare: r.rps / bareRps });
        out(
          `  round ${round} ${target}: ${Math.round(r.rps)} req/s, p95 ${round2(r.p95Ms)} ms, failures ${r.failures}`,
        );
      }
    }
    const rows: ReadsSummary[] = targets.map(([target]) => {
      const runs = byTarget.get(target)!;
      const mid = [...runs].sort((a, b) => a.rps - b.rps)[Math.floor((runs.length - 1) / 2)]!;
      return {
        ...mid,
        ofBare: median(runs.map((r) => r.ofBare)),
        p95Ms: median(runs.map((r) => r.p95Ms)),
        failures: runs.reduce((n, r) => n + r.failures, 0),
        rounds: runs.length,
        rpsByRound: runs.map((r) => Math.round(r.rps)),
      };
    });
    out('');
    out(
      printTable(
        rows.map((r) => ({
          target: r.target,
          'req/s (median)': Math.round(r.rps),
          'of node:http (median)': `${round2(r.ofBare * 100)}%`,
          p50: round2(r.p50Ms),
          'p95 (median)': round2(r.p95Ms),
          p99: round2(r.p99Ms),
          failures: r.failures,
          rounds: r.rpsByRound.join(' / '),
        })),
      ),
    );
    for (const r of rows) if (r.firstFailure) out(`${r.target}: first failure ${r.firstFailure}`);
    const one = rows.find((r) => r.target.startsWith('start, 1'))!;
    const two = rows.find((r) => r.target.startsWith('start, 2'))!;
    out(`2 processes / 1 process (session list through start): ${round2(two.rps / one.rps)}x`);
    out('(ms; targets: session list ≥ 10% and health ≥ 50% of node:http, p95 ≤ 50 ms; 2 processes beat 1)');
    const file = writeResult('reads', {
      at: new Date().toISOString(),
      node: process.version,
      rounds: ROUNDS,
      rows,
      byRound: Object.fromEntries(byTarget),
    });
    out(`written: ${path.relative(process.cwd(), file)}`);
    return rows;
  } finally {
    for (const m of running) await m.stop();
    await app?.stop();
    await bare.stop();
    await pgServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runReadsBench().then(() => process.exit(0));
