// App CPU per request kind, sequential, app in its own process (bench/stream.app.ts), fake in another.
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { connectDatabase } from '../../api/src/db/client.js';
import { ensureDatabase, startEmbeddedPostgres } from '../../api/src/db/embedded.js';
import { runMigrations } from '../../api/src/db/migrate.js';
const dir = mkdtempSync(path.join(tmpdir(), 'probe-pg-')); chmodSync(dir, 0o755);
const pg = await startEmbeddedPostgres(path.join(dir, 'data'));
const url = await ensureDatabase(pg.url, 'probe');
const db0 = connectDatabase(url, { max: 2 }); await runMigrations(db0); await db0.close();
const fake = fork(new URL('./fakeproc.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, D: '0', TOK: process.env.TOK ?? '1' } });
const fakeUrl: string = await new Promise((r) => fake.once('message', (m: any) => r(m.url)));
const app = fork(new URL('../stream.app.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx', '--expose-gc'], env: { ...process.env, NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(48), DATABASE_URL: url, LOG_LEVEL: 'fatal', CHAT_RATE_LIMIT_PER_MINUTE: '0', OPENAI_BASE_URL: fakeUrl, OPENAI_API_KEY: 'k', OPENAI_MAX_RETRIES: '0', DB_POOL_MAX: '20' } });
const port: number = await new Promise((r) => app.on('message', (m: any) => m.ready && r(m.port)));
let seq = 0;
const ask = (msg: any) => new Promise<any>((r) => { const id = ++seq; const on = (m: any) => { if (m.id === id) { app.off('message', on); r(m); } }; app.on('message', on); app.send({ ...msg, id }); });
const { token, sessionIds } = await ask({ op: 'setup', sessions: 3000 });
const agent = new Agent({ keepAlive: true });
const call = (method: string, p: string, body?: unknown) => new Promise<string>((resolve, reject) => { const req = request({ host: '127.0.0.1', port, path: p, method, agent, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => { let s = ''; res.setEncoding('utf8'); res.on('data', (d) => (s += d)); res.on('end', () => resolve(s)); }); req.on('error', reject); req.end(body ? JSON.stringify(body) : undefined); });
let si = 0;
const ws = new WebSocket(`ws://127.0.0.1:${port}/api/chat/ws/${sessionIds[2999]}?token=${token}`);
await new Promise((r) => ws.once('open', r));
const wsSend = () => new Promise<void>((r) => { const on = (d: any) => { const m = JSON.parse(String(d)); if (m.type === 'done' || m.type === 'error') { ws.off('message', on); r(); } }; ws.on('message', on); ws.send(JSON.stringify({ type: 'message', content: 'hi' })); });
const kinds: Record<string, () => Promise<unknown>> = {
  health: () => call('GET', '/api/health'),
  me: () => call('GET', '/api/auth/me'),
  sessionGet: () => call('GET', `/api/chat/sessions/${sessionIds[2000]}`),
  sseSend: () => call('POST', `/api/chat/sessions/${sessionIds[si++]}/messages/stream`, { content: 'hi' }),
  restSend: () => call('POST', `/api/chat/sessions/${sessionIds[si++]}/messages`, { content: 'hi' }),
  wsSend,
};
const N = Number(process.env.N ?? 200);
for (const k of Object.keys(kinds)) if (process.env.ONLY && !process.env.ONLY.split(',').includes(k)) delete kinds[k];
for (const [name, fn] of Object.entries(kinds)) {
  for (let i = 0; i < 20; i++) await fn();
  const a = await ask({ op: 'mark' });
  const t = performance.now();
  for (let i = 0; i < N; i++) await fn();
  const b = await ask({ op: 'sample' });
  console.log(name.padEnd(11), 'app cpu ms/call', ((b.cpuMs - a.cpuMs) / N).toFixed(2), ' wall ms/call', ((performance.now() - t) / N).toFixed(2));
}
ws.terminate(); await ask({ op: 'stop' }); fake.kill(); await pg.stop(); process.exit(0);
