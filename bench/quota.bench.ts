// Ledger + quota benchmark: the database round trips of one send (REST and SSE), each named by its statement, and
// the send's latency with quotas on and off, on the embedded PostgreSQL and a fake model on loopback.
// Run: node --import tsx bench/quota.bench.ts   (or `bun run bench -- quota`; writes bench/results/quota.json)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createApp } from '../api/src/app.js';
import { loadConfig } from '../api/src/config.js';
import { connectDatabase } from '../api/src/db/client.js';
import { ensureDatabase, startEmbeddedPostgres } from '../api/src/db/embedded.js';
import { runMigrations } from '../api/src/db/migrate.js';
import { createLogger } from '../api/src/lib/logger.js';
import { startServer } from '../api/src/server.js';
import { startFakeOpenAI } from '../api/test/fake-openai.js';
import { percentile } from './stats.js';

const SENDS = Number(process.env.BENCH_QUOTA_SENDS ?? 200);
const here = path.dirname(fileURLToPath(import.meta.url));

/** Every statement a pg client sends while `counting` is on, by its first words. */
const seen: string[] = [];
let counting = false;
const originalQuery = pg.Client.prototype.query;
// The pg typings overload query() many ways; the shim forwards whatever it is given.
(pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }).query = function (
  this: pg.Client,
  ...args: unknown[]
) {
  if (counting) {
    const first = args[0] as string | { text?: string };
    const text = typeof first === 'string' ? first : (first?.text ?? '');
    seen.push(text.replace(/\s+/g, ' ').trim().slice(0, 60));
  }
  return (originalQuery as unknown as (...a: unknown[]) => unknown).apply(this, args);
};

export async function runQuotaBench(): Promise<unknown> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatbot-quota-bench-'));
  const server = await startEmbeddedPostgres(path.join(dir, 'pg'));
  const fake = await startFakeOpenAI({ reply: 'one two three four five six seven eight', chunkDelayMs: 0 });
  const results: Record<string, unknown> = {};
  try {
    for (const mode of ['quotas off', 'quotas on'] as const) {
      const url = await ensureDatabase(server.url, mode === 'quotas on' ? 'bench_on' : 'bench_off');
      const database = connectDatabase(url, { max: 10 });
      await runMigrations(database);
      const config = loadConfig({
        NODE_ENV: 'test',
        SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789',
        DATA_DIR: dir,
        AUTH_RATE_LIMIT_PER_MINUTE: '0',
        CHAT_RATE_LIMIT_PER_MINUTE: '0',
        OPENAI_BASE_URL: fake.url,
        OPENAI_API_KEY: 'bench',
        OPENAI_MODEL: 'fake-model',
        ...(mode === 'quotas on'
          ? {
              QUOTA_MESSAGES_PER_DAY: '1000000',
              QUOTA_TOKENS_PER_DAY: '1000000000',
              QUOTA_TOKENS_PER_MONTH: '1000000000',
            }
          : {}),
      });
      const app = createApp({ config, database, logger: createLogger('silent') });
      const running = await startServer(app.app.fetch, { port: 0, host: '127.0.0.1' });
      const base = running.url;
      const post = (p: string, body: unknown, token?: string) =>
        fetch(`${base}${p}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        });
      const account = { username: 'bench', email: 'bench@example.com', password: 'Str0ngPassword' };
      await post('/api/auth/register', account);
      const token = ((await (await post('/api/auth/login', account)).json()) as { accessToken: string }).accessToken;
      const newSession = async () =>
        ((await (await post('/api/chat/sessions', {}, token)).json()) as { id: number }).id;
      const sessions: number[] = [];
      for (let i = 0; i < 2 * SENDS + 2; i++) sessions.push(await newSession());
      const settle = () => new Promise((r) => setTimeout(r, 250));

      // One send of each kind with every statement recorded (after a warm-up: the token is cached by then).
      await (await post(`/api/chat/sessions/${sessions.pop()}/messages`, { content: 'warm up' }, token)).text();
      await settle();
      const trace: Record<string, string[]> = {};
      for (const kind of ['rest', 'sse'] as const) {
        seen.length = 0;
        counting = true;
        const id = sessions.pop()!;
        await (
          await post(
            `/api/chat/sessions/${id}/messages${kind === 'sse' ? '/stream' : ''}`,
            { content: 'traced' },
            token,
          )
        ).text();
        await settle();
        counting = false;
        trace[kind] = [...seen];
      }
      const latency: Record<string, number[]> = { rest: [], sse: [] };
      for (let i = 0; i < SENDS; i++) {
        for (const kind of ['rest', 'sse'] as const) {
          const id = sessions.pop()!;
          const t0 = performance.now();
          const res = await post(
            `/api/chat/sessions/${id}/messages${kind === 'sse' ? '/stream' : ''}`,
            { content: `send ${i}` },
            token,
          );
          await res.text();
          latency[kind]!.push(performance.now() - t0);
        }
      }
      results[mode] = {
        roundTrips: { rest: trace.rest!.length, sse: trace.sse!.length },
        statements: trace,
        sendMs: Object.fromEntries(
          Object.entries(latency).map(([k, v]) => [k, { p50: percentile(v, 50), p95: percentile(v, 95) }]),
        ),
      };
      await running.close();
      await app.close(2000);
      await database.close();
    }
  } finally {
    await fake.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const rows = ['quotas off', 'quotas on'].map((mode) => {
    const r = results[mode] as {
      roundTrips: { rest: number; sse: number };
      sendMs: Record<string, { p50: number; p95: number }>;
    };
    return `${mode.padEnd(11)} ${String(r.roundTrips.rest).padStart(9)} ${String(r.roundTrips.sse).padStart(8)}   ${r.sendMs.rest!.p50.toFixed(1).padStart(8)} ${r.sendMs.rest!.p95.toFixed(1).padStart(8)}   ${r.sendMs.sse!.p50.toFixed(1).padStart(8)} ${r.sendMs.sse!.p95.toFixed(1).padStart(8)}`;
  });
  const on = results['quotas on'] as { statements: Record<string, string[]> };
  process.stdout.write(
    [
      `ledger + quota: ${SENDS} sends of each kind, fake model on loopback, embedded PostgreSQL`,
      '            trips/REST trips/SSE   REST p50 REST p95    SSE p50  SSE p95 (ms)',
      ...rows,
      '',
      'statements of one REST send (quotas on):',
      ...on.statements.rest!.map((s, i) => `  ${i + 1}. ${s}`),
      '',
    ].join('\n'),
  );
  mkdirSync(path.join(here, 'results'), { recursive: true });
  writeFileSync(path.join(here, 'results', 'quota.json'), `${JSON.stringify(results, null, 2)}\n`);
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runQuotaBench();
  process.exit(0);
}
