// Logins: 40 password logins, 8 at a time (POST /api/auth/login, each as its own user, bcrypt cost 12), against
// @node-rs/bcrypt alone doing the same 40 verifications 8 at a time, in the same run and, like it, with nothing else
// running. Then GET /api/health's p95 at 10 connections on its own and while another 40 logins run (bcrypt runs on
// low-priority threads, so health should not wait; the login rate under that load is printed too). Every round
// measures all of them (BENCH_LOGIN_ROUNDS, default 3); the table shows medians.
// Run: node --import tsx bench/run.ts login. Writes bench/results/login.json. Loopback only, about 1 min.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verify } from '@node-rs/bcrypt';
import { connectDatabase } from '../api/src/db/client.js';
import { ensureDatabase, startEmbeddedPostgres } from '../api/src/db/embedded.js';
import { runMigrations } from '../api/src/db/migrate.js';
import { hashPassword, prehashPassword } from '../api/src/features/auth/passwords.js';
import { APP_ENV } from './app-process.js';
import { runLoad } from './load.js';
import { printTable } from './reads.bench.js';
import { writeResult } from './results.js';
import { median } from './stats.js';
import { startChild } from './stream.bench.js';

const LOGINS = 40;
const AT_A_TIME = 8;
const ROUNDS = Number(process.env.BENCH_LOGIN_ROUNDS ?? 3);
const PASSWORD = 'Bench-passphrase-0123';
const HEALTH_CONNECTIONS = 10;

export interface LoginRound {
  bcryptPerSec: number;
  loginsPerSec: number;
  /** Logins per second while the health load runs (it takes CPU at the event loop's priority). */
  loginsPerSecUnderHealthLoad: number;
  loginFailures: number;
  healthP95AloneMs: number;
  healthP95DuringMs: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** `n` bcrypt verifications, `atATime` in flight: verifications per second. */
async function bcryptAlone(hash: string, n: number, atATime: number): Promise<number> {
  const input = prehashPassword(PASSWORD);
  let left = n;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: atATime }, async () => {
      while (left > 0) {
        left--;
        if (!(await verify(input, hash))) throw new Error('bcrypt: the password does not match its hash');
      }
    }),
  );
  return (n / (performance.now() - started)) * 1000;
}

export async function runLoginBench(): Promise<LoginRound[]> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const dir = mkdtempSync(path.join(tmpdir(), 'chatbot-login-bench-'));
  chmodSync(dir, 0o755);
  const pgServer = await startEmbeddedPostgres(path.join(dir, 'data'));
  let app: Awaited<ReturnType<typeof startChild<{ port: number }>>> | undefined;
  try {
    const url = await ensureDatabase(pgServer.url, 'bench');
    const db = connectDatabase(url, { max: 2 });
    await runMigrations(db);
    const hash = await hashPassword(PASSWORD);
    // Enough users for every round: each login is its own user (as 40 people signing in would be).
    await db.pool.query(
      `insert into users (username, email, password_hash)
       select 'login' || g, 'login' || g || '@example.com', $1 from generate_series(1, $2) g`,
      [hash, 2 * LOGINS * ROUNDS],
    );
    await db.close();
    app = await startChild<{ port: number }>('stream.app.ts', { ...APP_ENV, DATABASE_URL: url }, { quiet: true });
    const base = `http://127.0.0.1:${app.ready.port}`;
    const health = () => runLoad(`${base}/api/health`, { connections: HEALTH_CONNECTIONS, durationMs: 3_000 });
    // Warm-up: JIT and the pool's connections, one login and a short health load (not measured).
    await bcryptAlone(hash, AT_A_TIME, AT_A_TIME);
    await runLoad(`${base}/api/health`, { connections: HEALTH_CONNECTIONS, durationMs: 1_000 });
    out(`login bench: ${LOGINS} logins ${AT_A_TIME} at a time (bcrypt cost 12), ${ROUNDS} rounds`);
    const rounds: LoginRound[] = [];
    let next = 0;
    const logins = () =>
      runLoad(`${base}/api/auth/login`, {
        connections: AT_A_TIME,
        durationMs: 120_000,
        maxRequests: LOGINS,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: () => JSON.stringify({ username: `login${++next}`, password: PASSWORD }),
      });
    for (let r = 1; r <= ROUNDS; r++) {
      const bcryptPerSec = await bcryptAlone(hash, LOGINS, AT_A_TIME);
      const loginsAlone = await logins();
      const alone = await health();
      // Health measured while the logins run, in half-second slices from their start to their end.
      const healthDuring = { stop: false };
      const healthLoop = (async () => {
        const p95s: number[] = [];
        while (!healthDuring.stop)
          p95s.push((await runLoad(`${base}/api/health`, { connections: HEALTH_CONNECTIONS, durationMs: 500 })).p95Ms);
        return median(p95s);
      })();
      const loginsLoaded = await logins();
      healthDuring.stop = true;
      const healthP95DuringMs = await healthLoop;
      const row: LoginRound = {
        bcryptPerSec,
        loginsPerSec: loginsAlone.rps,
        loginsPerSecUnderHealthLoad: loginsLoaded.rps,
        loginFailures: loginsAlone.failures + loginsLoaded.failures,
        healthP95AloneMs: alone.p95Ms,
        healthP95DuringMs,
      };
      rounds.push(row);
      out(
        `  round ${r}: bcrypt ${round2(bcryptPerSec)}/s, logins ${round2(loginsAlone.rps)}/s alone, ${round2(loginsLoaded.rps)}/s under the health load (${row.loginFailures} failed${(loginsAlone.firstFailure ?? loginsLoaded.firstFailure) ? `: ${loginsAlone.firstFailure ?? loginsLoaded.firstFailure}` : ''}), health p95 ${round2(alone.p95Ms)} ms alone, ${round2(healthP95DuringMs)} ms during`,
      );
    }
    const m = (f: (r: LoginRound) => number) => median(rounds.map(f));
    out('');
    out(
      printTable([
        {
          'bcrypt alone /s': round2(m((r) => r.bcryptPerSec)),
          'app logins /s': round2(m((r) => r.loginsPerSec)),
          'app of bcrypt': `${round2(m((r) => r.loginsPerSec / r.bcryptPerSec) * 100)}%`,
          'logins /s, health load': round2(m((r) => r.loginsPerSecUnderHealthLoad)),
          'health p95 alone': round2(m((r) => r.healthP95AloneMs)),
          'health p95 during logins': round2(m((r) => r.healthP95DuringMs)),
          failures: rounds.reduce((n, r) => n + r.loginFailures, 0),
        },
      ]),
    );
    out('(medians of the rounds, ms; target: app ≥ 90% of bcrypt alone, health p95 unchanged during logins)');
    const file = writeResult('login', { at: new Date().toISOString(), node: process.version, rounds });
    out(`written: ${path.relative(process.cwd(), file)}`);
    return rounds;
  } finally {
    await app?.stop();
    await pgServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runLoginBench().then(() => process.exit(0));
