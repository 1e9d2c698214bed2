// Two real API processes (api/src/main.ts) on one database: concurrent sends against a daily message quota are
// accepted exactly up to the limit between them, and ADMIN_USERNAMES promotes an existing account at start.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-openai.js';
import { createTestDatabase, type TestDatabase } from '../harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const LIMIT = 5;
const SENDS = 14;

interface Proc {
  child: ChildProcess;
  base: string;
  output: () => string;
}

async function startMain(env: Record<string, string>): Promise<Proc> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const until = Date.now() + 90_000;
  while (!out.includes('Chatbot API listening')) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`main.ts did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, base: `http://127.0.0.1:${port}`, output: () => out };
}

async function stop(p: Proc | undefined) {
  if (!p || p.child.exitCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await exited;
}

const json = async (base: string, method: string, url: string, body?: unknown, token?: string) => {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

describe('two API processes on one database', () => {
  let db: TestDatabase;
  let fake: FakeOpenAI;
  let dataDir: string;
  let a: Proc | undefined;
  let b: Proc | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeOpenAI({ reply: 'short answer', chunkDelayMs: 2 });
    dataDir = mkdtempSync(path.join(tmpdir(), 'chatbot-race-'));
    // Accounts made before the processes start: ADMIN_USERNAMES promotes the second one.
    await db.database.pool.query(
      "insert into users (username, email, password_hash, role) values ('owner', 'owner@example.com', 'x', 'admin'), ('Deputy', 'deputy@example.com', 'x', 'user')",
    );
    const env = {
      DATABASE_URL: db.url,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      SECRET_KEY: 'quota-race-test-secret-0123456789abcdef',
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test',
      OPENAI_MODEL: 'fake-model',
      QUOTA_MESSAGES_PER_DAY: String(LIMIT),
      AUTH_RATE_LIMIT_PER_MINUTE: '0',
      CHAT_RATE_LIMIT_PER_MINUTE: '0',
      ADMIN_USERNAMES: 'deputy,nobody',
    };
    [a, b] = await Promise.all([startMain(env), startMain(env)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([stop(a), stop(b)]);
    await fake?.close();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('promotes ADMIN_USERNAMES at start (any case), logging the names it could not find', async () => {
    const row = await db.database.pool.query("select role from users where username = 'Deputy'");
    expect(row.rows[0].role).toBe('admin');
    expect(a!.output()).toContain('ADMIN_USERNAMES: no such account');
  });

  it(`accepts exactly ${LIMIT} of ${SENDS} concurrent sends split across both processes`, async () => {
    const account = { username: 'racer', email: 'racer@example.com', password: 'Str0ngPassword' };
    expect((await json(a!.base, 'POST', '/api/auth/register', account)).status).toBe(201);
    const login = await json(b!.base, 'POST', '/api/auth/login', account);
    const token = login.body.accessToken as string;
    const sessions: number[] = [];
    for (let i = 0; i < SENDS; i++) {
      sessions.push((await json(a!.base, 'POST', '/api/chat/sessions', { title: `s${i}` }, token)).body.id);
    }
    const results = await Promise.all(
      sessions.map((id, i) =>
        json(i % 2 ? b!.base : a!.base, 'POST', `/api/chat/sessions/${id}/messages`, { content: `go ${i}` }, token),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(SENDS - LIMIT);
    for (const r of results.filter((x) => x.status === 429)) {
      expect(r.body.detail.code).toBe('QUOTA_EXCEEDED');
      expect(typeof r.body.detail.resetAt).toBe('string');
    }
    // Nothing stored for a refused send; one ledger row per accepted one.
    const messages = await db.database.pool.query('select count(*)::int as n from messages');
    expect(messages.rows[0].n).toBe(2 * LIMIT);
    const ledger = await db.database.pool.query(
      "select count(*)::int as n from usage_ledger where outcome = 'complete'",
    );
    expect(ledger.rows[0].n).toBe(LIMIT);
    const usage = await json(a!.base, 'GET', '/api/me/usage', undefined, token);
    expect(usage.body.used.messagesToday).toBe(LIMIT);
    expect(usage.body.limits.messagesPerDay).toBe(LIMIT);
  });
});
