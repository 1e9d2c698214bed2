import { chmodSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureDatabase, startEmbeddedPostgres } from '../../api/src/db/embedded.js';
const dir = mkdtempSync(path.join(tmpdir(), 'probe-pg-')); chmodSync(dir, 0o755);
const s = await startEmbeddedPostgres(path.join(dir, 'data'));
const url = await ensureDatabase(s.url, 'f');
console.log(url, readdirSync('/tmp').filter((f) => f.startsWith('.s.PGSQL')));
const u = new URL(url);
for (const host of ['127.0.0.1', '/tmp', '127.0.0.1', '/tmp']) {
  const c = new pg.Pool({ host, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: 'f', max: 10 });
  await c.query('select 1');
  const c0 = process.cpuUsage(); const t = performance.now();
  for (let k = 0; k < 100; k++) await Promise.all(Array.from({ length: 10 }, (_, i) => c.query('select $1::int as x', [i])));
  const cu = process.cpuUsage(c0);
  console.log(host.padEnd(10), 'cpu us/query', ((cu.user + cu.system) / 1000).toFixed(0), 'sys', (cu.system / 1000).toFixed(0), 'wall ms', (performance.now() - t).toFixed(0));
  await c.end();
}
await s.stop(); process.exit(0);
