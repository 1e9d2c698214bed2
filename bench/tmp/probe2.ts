import { chmodSync, mkdtempSync } from 'node:fs';
import { fork } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../../api/src/app.js';
import { loadConfig } from '../../api/src/config.js';
import { connectDatabase } from '../../api/src/db/client.js';
import { ensureDatabase, startEmbeddedPostgres } from '../../api/src/db/embedded.js';
import { runMigrations } from '../../api/src/db/migrate.js';
import { createLogger } from '../../api/src/lib/logger.js';
import { startServer } from '../../api/src/server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'probe-pg-')); chmodSync(dir, 0o755);
const pg = await startEmbeddedPostgres(path.join(dir, 'data'));
const url = await ensureDatabase(pg.url, 'probe');
const db0 = connectDatabase(url, { max: 2 }); await runMigrations(db0); await db0.close();
const child = fork(new URL('./fakeproc.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, D: '30' } });
const fakeUrl: string = await new Promise((r) => child.once('message', (m: any) => r(m.url)));
const config = loadConfig({ ...process.env, NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(48), DATABASE_URL: url, LOG_LEVEL: 'fatal', CHAT_RATE_LIMIT_PER_MINUTE: '0', OPENAI_BASE_URL: fakeUrl, OPENAI_API_KEY: 'k', OPENAI_MAX_RETRIES: '0' });
const logger = createLogger(config.LOG_LEVEL);
const database = connectDatabase(url, { max: 20, logger });
const inst = createApp({ config, database, logger });
const srv = await startServer(inst.app.fetch, { port: 0, host: '127.0.0.1' });
const pool = database.pool as any;
const u = await pool.query(`insert into users (username, email, password_hash) values ('p','p@x.com','x') returning id`);
const uid = u.rows[0].id;
const s = await pool.query(`insert into chat_sessions (user_id, title) select $1, 'p' || g from generate_series(1, 400) g returning id`, [uid]);
const ids: number[] = s.rows.map((r: any) => r.id);
const { accessToken } = await inst.ctx.tokens.issue(uid);
const now = () => performance.now();
const stats = new Map<string, number[]>(); let on = false;
const orig = pool.query.bind(pool);
pool.query = (...args: any[]) => { const t = now(); const text = String(typeof args[0] === 'string' ? args[0] : args[0]?.text).replace(/\s+/g, ' ').trim().slice(0, 40); const p = orig(...args); if (p?.then) p.then(() => { if (on) { const a = stats.get(text) ?? []; a.push(now() - t); stats.set(text, a); } }, () => {}); return p; };
const pct = (a: number[], q: number) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * q))]!.toFixed(1);
async function sse(sid: number) {
  const t0 = now();
  const res = await fetch(`${srv.url}/api/chat/sessions/${sid}/messages/stream`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` }, body: JSON.stringify({ content: 'hi' }) });
  const th = now(); let first = 0; let buf = '';
  for await (const v of res.body as any) { buf += Buffer.from(v).toString(); if (!first && buf.includes('event: chunk')) first = now(); }
  return { h: th - t0, f: first - t0 };
}
const S = Number(process.env.S ?? 100);
for (let rep = 0; rep < 2; rep++) {
  on = rep === 1; stats.clear();
  const c0 = process.cpuUsage();
  const { monitorEventLoopDelay } = await import('node:perf_hooks'); const h = monitorEventLoopDelay({ resolution: 5 }); h.enable();
  const samples: string[] = []; const iv = setInterval(() => { samples.push(`${pool.waitingCount}/${pool.totalCount - pool.idleCount}`); }, 100);
  const rs = await Promise.all(ids.slice(rep * S, rep * S + S).map((sid, i) => new Promise((r) => setTimeout(r, (i * 1000) / S)).then(() => sse(sid))));
  const c = process.cpuUsage(c0); clearInterval(iv); h.disable();
  console.log('pool waiting/busy every 100ms:', samples.join(' '), ' lag p50', (h.percentile(50)/1e6).toFixed(1), 'p90', (h.percentile(90)/1e6).toFixed(1), 'max', (h.max/1e6).toFixed(0));
  console.log(`rep ${rep}: headers p50 ${pct(rs.map((r) => r.h), 0.5)} ttfc p50 ${pct(rs.map((r) => r.f), 0.5)} p90 ${pct(rs.map((r) => r.f), 0.9)}  cpu/stream ${((c.user + c.system) / 1000 / S).toFixed(1)}`);
}
for (const [k, a] of stats) console.log(String(a.length).padStart(5), 'p50', pct(a, 0.5).padStart(6), 'p90', pct(a, 0.9).padStart(6), k);
await inst.close(1000); await srv.close(); await database.close(); child.kill(); await pg.stop(); process.exit(0);
