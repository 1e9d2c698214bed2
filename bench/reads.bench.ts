// Authenticated reads: GET /api/chat/sessions (a bearer token, 20 sessions) and GET /api/health at 100 keep-alive
// connections, against a bare node:http server and bare Hono serving the same health JSON, all in the same run (each
// server in its own process, the load from this one). Prints req/s, latency percentiles and ratios to bare node:http.
// Run: npx -y bun@1.4.5 run bench reads   (BENCH_READS_MS=5000 per target; BENCH_CPU_PROF=1 writes
// bench/results/app.cpuprofile of the app). Writes bench/results/reads.json. Loopback only, about 40 s.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectDatabase } from '../api/src/db/client.js';
import { ensureDatabase, startEmbeddedPostgres } from '../api/src/db/embedded.js';
import { runMigrations } from '../api/src/db/migrate.js';
import { type LoadReport, runLoad } from './load.js';
import { startChild } from './stream.bench.js';

const CONNECTIONS = 100;
const DURATION_MS = Number(process.env.BENCH_READS_MS ?? 5_000);
const WARMUP_MS = 1_500;
const SESSIONS = 20;

export interface ReadsRow extends LoadReport {
  target: string;
  /** req/s against bare node:http's health in the same run. */
  ofBare: number;
}

const round = (n: number) => Math.round(n * 100) / 100;

export const APP_ENV = {
  NODE_ENV: 'production',
  SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789',
  // The production default: one access-log line per request is part of what a read costs.
  LOG_LEVEL: 'info',
  CHAT_RATE_LIMIT_PER_MINUTE: '0',
  AUTH_RATE_LIMIT_PER_MINUTE: '0',
  OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
  OPENAI_API_KEY: 'bench',
  OPENAI_MODEL: 'fake-model',
};

export function printTable(rows: Record<string, unknown>[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const cells = [cols, ...rows.map((r) => cols.map((c) => String(r[c] ?? '-')))];
  const widths = cols.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n');
}

export async function runReadsBench(): Promise<ReadsRow[]> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const dir = mkdtempSync(path.join(tmpdir(), 'chatbot-reads-bench-'));
  chmodSync(dir, 0o755);
  const pgServer = await startEmbeddedPostgres(path.join(dir, 'data'));
  const bare = await startChild<{ bare: number; hono: number }>('reads.bare.ts', {});
  let app: Awaited<ReturnType<typeof startChild<{ port: number }>>> | undefined;
  try {
    const url = await ensureDatabase(pgServer.url, 'bench');
    const db = connectDatabase(url, { max: 2 });
    await runMigrations(db);
    await db.close();
    app = await startChild<{ port: number }>('stream.app.ts', { ...APP_ENV, DATABASE_URL: url }, { quiet: true });
    const { token } = await app.ask<{ token: string }>({ op: 'setup', sessions: SESSIONS });
    const auth = { authorization: `Bearer ${token}` };
    const targets: [string, string, Record<string, string>?][] = [
      ['node:http health', `http://127.0.0.1:${bare.ready.bare}/api/health`],
      ['hono health', `http://127.0.0.1:${bare.ready.hono}/api/health`],
      ['app health', `http://127.0.0.1:${app.ready.port}/api/health`],
      ['app session list', `http://127.0.0.1:${app.ready.port}/api/chat/sessions`, auth],
    ];
    out(`reads bench: ${CONNECTIONS} connections, ${DURATION_MS} ms per target`);
    const rows: ReadsRow[] = [];
    for (const [target, url, headers] of targets) {
      await runLoad(url, { connections: CONNECTIONS, durationMs: WARMUP_MS, headers });
      const r = await runLoad(url, { connections: CONNECTIONS, durationMs: DURATION_MS, headers });
      rows.push({ target, ...r, ofBare: rows[0] ? r.rps / rows[0].rps : 1 });
      out(`  ${target}: ${Math.round(r.rps)} req/s, p95 ${round(r.p95Ms)} ms, failures ${r.failures}`);
    }
    out('');
    out(
      printTable(
        rows.map((r) => ({
          target: r.target,
          'req/s': Math.round(r.rps),
          'of node:http': `${round(r.ofBare * 100)}%`,
          p50: round(r.p50Ms),
          p95: round(r.p95Ms),
          p99: round(r.p99Ms),
          failures: r.failures,
        })),
      ),
    );
    for (const r of rows) if (r.firstFailure) out(`${r.target}: first failure ${r.firstFailure}`);
    out('(ms; targets: session list ≥ 10% and health ≥ 50% of node:http, p95 ≤ 50 ms)');
    const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
    mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, 'reads.json');
    writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`);
    out(`written: ${path.relative(process.cwd(), file)}`);
    return rows;
  } finally {
    await app?.stop();
    await bare.stop();
    await pgServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runReadsBench().then(() => process.exit(0));
