import { fork } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectDatabase } from '../../api/src/db/client.js';
import { ensureDatabase, startEmbeddedPostgres } from '../../api/src/db/embedded.js';
import { runMigrations } from '../../api/src/db/migrate.js';
const dir = mkdtempSync(path.join(tmpdir(), 'probe-pg-')); chmodSync(dir, 0o755);
const pg = await startEmbeddedPostgres(path.join(dir, 'data'));
const url = await ensureDatabase(pg.url, 'probe');
const db0 = connectDatabase(url, { max: 2 }); await runMigrations(db0); await db0.close();
const app = fork(new URL('../stream.app.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx', '--expose-gc'], env: { ...process.env, NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(48), DATABASE_URL: url, LOG_LEVEL: 'fatal', OPENAI_BASE_URL: 'http://127.0.0.1:9', OPENAI_API_KEY: 'k' } });
await new Promise((r) => app.on('message', (m: any) => m.ready && r(0)));
let seq = 0;
const ask = (msg: any) => new Promise<any>((r) => { const id = ++seq; const on = (m: any) => { if (m.id === id) { app.off('message', on); r(m); } }; app.on('message', on); app.send({ ...msg, id }); });
await new Promise((r) => setTimeout(r, 2000));
for (let i = 0; i < 3; i++) { const a = await ask({ op: 'mark' }); await new Promise((r) => setTimeout(r, 3000)); const b = await ask({ op: 'sample' }); console.log('idle app cpu ms per 3 s:', (b.cpuMs - a.cpuMs).toFixed(1)); }
await ask({ op: 'stop' }); await pg.stop(); process.exit(0);
