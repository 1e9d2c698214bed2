// `start` with WEB_CONCURRENCY=2 as a real process: the primary starts the embedded PostgreSQL once and forks two
// workers that share the port; a worker that dies is replaced; SIGTERM drains them, exits 0 and leaves no postgres.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.js';
import { waitFor } from '../stream/stream-helpers.js';
import { runMain } from './run-main.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** GET on a new connection each time (the cluster hands out connections, not requests): the serving pid. */
function servedBy(port: number): Promise<{ status: number; pid: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/health', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, pid: Number(res.headers['x-served-by']) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function pidsServing(port: number, requests: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < requests; i++) {
    const r = await servedBy(port);
    expect(r.status).toBe(200);
    pids.add(r.pid);
  }
  return pids;
}

describe('start with WEB_CONCURRENCY=2', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chatbot-cluster-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves from two worker processes on one port and one database, restarts a dead worker, and stops cleanly', async () => {
    const port = await freePort();
    const proc = runMain({
      NODE_ENV: 'test',
      WEB_CONCURRENCY: '2',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      SECRET_KEY: 'cluster-process-test-secret-0123456789',
      SHUTDOWN_TIMEOUT_MS: '2000',
    });
    child = proc.child;
    const out = proc.stdout;
    const err = proc.stderr;
    await waitFor(() => out().includes('Chatbot API listening') || child!.exitCode !== null, 120_000, 'listening');
    expect(child.exitCode, `${out()}\n${err()}`).toBeNull();
    const listening = out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e.msg === 'Chatbot API listening');
    expect(listening?.workers).toBe(2);

    // Two workers answer, neither of them the primary.
    const first = await pidsServing(port, 20);
    expect(first.size).toBe(2);
    expect(first.has(child.pid!)).toBe(false);

    // A registered user logs in on whichever worker: they share the database (and the signing key).
    const base = `http://127.0.0.1:${port}`;
    const json = { 'content-type': 'application/json' };
    const user = { username: 'cluster_user', email: 'cluster@example.com', password: 'Clust3rPassphrase' };
    expect(
      (await fetch(`${base}/api/auth/register`, { method: 'POST', headers: json, body: JSON.stringify(user) })).status,
    ).toBe(201);
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify(user) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    for (let i = 0; i < 4; i++) {
      const me = await fetch(`${base}/api/auth/me`, {
        headers: { authorization: `Bearer ${accessToken}`, connection: 'close' },
      });
      expect(me.status).toBe(200);
    }

    // One worker killed: another takes its place, and two processes serve again.
    const [victim] = [...first];
    process.kill(victim!, 'SIGKILL');
    await waitFor(() => out().includes('API worker died; restarting it'), 10_000, 'the restart log line');
    let now = new Set<number>();
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      now = await pidsServing(port, 10);
      if (now.size === 2 && !now.has(victim!)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(now.size).toBe(2);
    expect(now.has(victim!)).toBe(false);

    const postmaster = path.join(dataDir, 'postgres', 'postmaster.pid');
    const pgPid = Number(readFileSync(postmaster, 'utf8').split('\n')[0]);
    expect(isAlive(pgPid)).toBe(true);
    const workers = [...now];
    child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(out()).toContain('"msg":"stopped"');
    expect(err()).toBe('');
    // No orphans: the workers and the database are gone with the primary.
    for (const pid of workers) expect(isAlive(pid)).toBe(false);
    await waitFor(() => !isAlive(pgPid), 10_000, 'postgres to stop');
    expect(existsSync(postmaster)).toBe(false);
  }, 180_000);
});
