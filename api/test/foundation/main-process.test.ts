import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { freePort } from '../../src/db/embedded.js';
import { createTestDatabase } from '../harness.js';
import { waitFor } from '../stream/stream-helpers.js';
import { runMain } from './run-main.js';

const SHUTDOWN_TIMEOUT_MS = 2000;

describe('main.ts as a process', () => {
  let db: { url: string; database: Database; drop(): Promise<void> };
  let dataDir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'chatbot-main-'));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts, serves accounts, never logs a password or token, and exits 0 on SIGTERM finishing a request in flight', async () => {
    const port = await freePort();
    const proc = runMain({
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      SECRET_KEY: 'main-process-test-secret-0123456789abcdef',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    });
    try {
      await waitFor(() => proc.stdout().includes('Chatbot API listening'), 60_000, 'the listening log line');
      const base = `http://127.0.0.1:${port}`;
      const health = await fetch(`${base}/api/health`);
      expect(health.status).toBe(200);

      const password = 'Pr0cessPassphrase';
      const json = { 'content-type': 'application/json' };
      const reg = await fetch(`${base}/api/auth/register`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ username: 'proc_user', email: 'proc@example.com', password }),
      });
      expect(reg.status).toBe(201);
      const login = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ username: 'proc_user', password }),
      });
      const { accessToken } = (await login.json()) as { accessToken: string };
      const auth = { authorization: `Bearer ${accessToken}` };
      expect((await fetch(`${base}/api/auth/me`, { headers: auth })).status).toBe(200);
      expect((await fetch(`${base}/api/auth/logout`, { method: 'POST', headers: auth })).status).toBe(200);

      // A login (one bcrypt) in flight when SIGTERM arrives still gets its answer.
      const inFlight = fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ username: 'proc_user', password }),
      });
      // Long enough for the request to reach the server, well short of its bcrypt (300+ ms).
      await new Promise((r) => setTimeout(r, 150));
      const signalled = Date.now();
      proc.child.kill('SIGTERM');
      expect((await inFlight).status).toBe(200);
      const { code } = await proc.exited;
      const tookMs = Date.now() - signalled;
      expect(code).toBe(0);
      expect(tookMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 5_000);

      const out = proc.stdout();
      const lines = out.trim().split('\n');
      // Every line is structured JSON.
      const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(entries.map((e) => e.event).filter(Boolean)).toEqual([
        'auth.register',
        'auth.login',
        'auth.logout',
        'auth.login',
      ]);
      expect(entries.some((e) => e.msg === 'stopped')).toBe(true);
      expect(out).not.toContain(password);
      expect(out).not.toContain(accessToken);
      expect(out).not.toContain(accessToken.split('.')[2]);
      expect(out).not.toContain('main-process-test-secret');
      expect(proc.stderr()).toBe('');
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  }, 90_000);

  it('with a bad environment, prints one message listing every problem and exits 1 without a stack trace', async () => {
    const proc = runMain({ NODE_ENV: 'production', PORT: 'eighty', LOG_LEVEL: 'loud', DATA_DIR: dataDir });
    const { code } = await proc.exited;
    expect(code).toBe(1);
    const err = proc.stderr();
    expect(err).toMatch(/^Invalid configuration:\n/);
    expect(err).toMatch(/- PORT: /);
    expect(err).toMatch(/- LOG_LEVEL: /);
    expect(err).toMatch(/- SECRET_KEY: required when NODE_ENV=production/);
    expect(err).not.toMatch(/\n\s+at /);
    expect(proc.stdout()).toBe('');
  }, 60_000);
});
