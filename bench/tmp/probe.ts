import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { createApp } from '../../api/src/app.js';
import { loadConfig } from '../../api/src/config.js';
import { connectDatabase } from '../../api/src/db/client.js';
import { ensureDatabase, startEmbeddedPostgres } from '../../api/src/db/embedded.js';
import { runMigrations } from '../../api/src/db/migrate.js';
import { createLogger } from '../../api/src/lib/logger.js';
import { startServer } from '../../api/src/server.js';
import { lastUserText, startFakeOpenAI } from '../../api/test/fake-openai.js';

const dir = mkdtempSync(path.join(tmpdir(), 'probe-pg-')); chmodSync(dir, 0o755);
const pg = await startEmbeddedPostgres(path.join(dir, 'data'));
const url = await ensureDatabase(pg.url, 'probe');
const db0 = connectDatabase(url, { max: 2 }); await runMigrations(db0); await db0.close();
const fake = await startFakeOpenAI({ reply: Array.from({ length: 20 }, (_, i) => `w${i}`).join(' '), chunkDelayMs: 30 });
const config = loadConfig({ ...process.env, NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(48), DATABASE_URL: url, LOG_LEVEL: 'fatal', CHAT_RATE_LIMIT_PER_MINUTE: '0', OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'k', OPENAI_MAX_RETRIES: '0' });
const logger = createLogger(config.LOG_LEVEL);
const database = connectDatabase(url, { max: 20, logger });
const inst = createApp({ config, database, logger });
const srv = await startServer(inst.app.fetch, { port: 0, host: '127.0.0.1' });
const pool = database.pool;
const u = await pool.query<{ id: number }>(`insert into users (username, email, password_hash) values ('p','p@x.com','x') returning id`);
const uid = u.rows[0]!.id;
const s = await pool.query<{ id: number }>(`insert into chat_sessions (user_id, title) select $1, 'p' || g from generate_series(1, 100) g returning id`, [uid]);
const ids = s.rows.map((r) => r.id);
const { accessToken } = await inst.ctx.tokens.issue(uid);
const now = () => performance.timeOrigin + performance.now();
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(1);
async function sse(sid: number, content: string) {
  const t0 = now();
  const res = await fetch(`${srv.url}/api/chat/sessions/${sid}/messages/stream`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` }, body: JSON.stringify({ content }) });
  const th = now();
  const reader = res.body!.getReader(); let first: number | undefined; let buf = '';
  for (;;) { const { value, done } = await reader.read(); if (done) break; buf += Buffer.from(value).toString(); if (!first && buf.includes('event: chunk')) first = now(); }
  return { t0, th, first: first! };
}
async function direct(content: string) {
  const t0 = now();
  const res = await fetch(`${fake.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content }] }) });
  const reader = res.body!.getReader(); let first: number | undefined; let buf = '';
  for (;;) { const { value, done } = await reader.read(); if (done) break; buf += Buffer.from(value).toString(); if (!first && buf.includes('"w0')) first = now(); }
  return { t0, first: first! };
}
const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/api/chat/ws/${ids[99]}?token=${accessToken}`);
await new Promise((r) => ws.once('open', r));
function wsOne(content: string) {
  return new Promise<{ t0: number; first: number }>((resolve) => {
    const t0 = now(); let first: number | undefined;
    const on = (raw: Buffer) => { const m = JSON.parse(String(raw)); if (m.type === 'chunk' && !first) first = now(); if (m.type === 'done' || m.type === 'error') { ws.off('message', on); resolve({ t0, first: first! }); } };
    ws.on('message', on); ws.send(JSON.stringify({ type: 'message', content }));
  });
}
const N = Number(process.env.N ?? 15);
const qlog: string[] = []; let tq0 = 0;
const origQuery = (pool as any).query.bind(pool);
(pool as any).query = (...args: any[]) => { const t = now(); if (String(typeof args[0] === 'string' ? args[0] : args[0]?.text).includes('set parent_id') && tq0) console.log(new Error().stack?.split('\n').slice(2, 14).join('\n')); const text = typeof args[0] === 'string' ? args[0] : args[0]?.text; const p = origQuery(...args); if (p && p.then) p.then(() => { if (tq0) qlog.push(`${(t - tq0).toFixed(1)}+${(now() - t).toFixed(1)} ${String(text).replace(/\s+/g,' ').slice(0, String(text).startsWith('select "id"') ? 900 : 70)}`); }, () => {}); return p; };
const wrapAt = () => { tq0 = now(); qlog.length = 0; };
(globalThis as any).wrapAt = wrapAt; (globalThis as any).qlog = qlog;
const r: Record<string, number[]> = { directTtfc: [], sseHeaders: [], sseToModel: [], sseTtfc: [], wsToModel: [], wsTtfc: [] };
for (let i = 0; i < N; i++) {
  const d = await direct(`d${i}`); r.directTtfc!.push(d.first - d.t0);
  const a = await sse(ids[i]!, `s${i}`); const at = fake.chatRequests().find((q) => lastUserText(q.body) === `s${i}`)!.at;
  r.sseHeaders!.push(a.th - a.t0); r.sseToModel!.push(at - a.t0); r.sseTtfc!.push(a.first - a.t0);
  const w = await wsOne(`w${i}`); const wt = fake.chatRequests().find((q) => lastUserText(q.body) === `w${i}`)!.at;
  r.wsToModel!.push(wt - w.t0); r.wsTtfc!.push(w.first - w.t0);
}
wrapAt(); const last = await sse(ids[50]!, 'zz'); const lat = fake.chatRequests().find((q) => lastUserText(q.body) === 'zz')!.at; console.log('model at', (lat - last.t0).toFixed(1), 'first', (last.first - last.t0).toFixed(1)); console.log(qlog.join('\n')); tq0 = 0;
for (const [k, v] of Object.entries(r)) console.log(k.padEnd(12), 'median', med(v), ' all', v.map((x) => x.toFixed(0)).join(' '));
ws.terminate(); await inst.close(1000); await srv.close(); await database.close(); await fake.close(); await pg.stop();
process.exit(0);
