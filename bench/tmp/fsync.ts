import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureDatabase, startEmbeddedPostgres } from '../../api/src/db/embedded.js';
const dir = mkdtempSync(path.join(tmpdir(), 'probe-pg-')); chmodSync(dir, 0o755);
const s = await startEmbeddedPostgres(path.join(dir, 'data'));
const url = await ensureDatabase(s.url, 'f');
const c = new pg.Client(url); await c.connect();
await c.query('create table t (id serial primary key, v text)');
for (const mode of ['on', 'off', 'on', 'off']) {
  await c.query(`set synchronous_commit = ${mode}`);
  const t = performance.now(); for (let i = 0; i < 200; i++) await c.query('insert into t (v) values ($1)', ['x']);
  const t2 = performance.now(); for (let i = 0; i < 200; i++) await c.query('select 1 from t where id = $1', [i]);
  console.log('sync', mode, 'insert', ((t2 - t) / 200).toFixed(2), 'ms; select', ((performance.now() - t2) / 200).toFixed(2), 'ms');
}
await c.end(); await s.stop(); process.exit(0);
