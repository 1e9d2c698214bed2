// The test harness: a fresh migrated database per test file, an app built on it, and small request helpers.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { type AppDeps, type AppInstance, createApp } from '../src/app.js';
import { type Config, loadConfig } from '../src/config.js';
import { connectDatabase, type Database } from '../src/db/client.js';
import { createLogger } from '../src/lib/logger.js';
import { type FakeOpenAI, type FakeScript, startFakeOpenAI } from './fake-openai.js';

const TEMPLATE_DB = 'chatbot_template';

export interface TestDatabase {
  url: string;
  database: Database;
  drop(): Promise<void>;
}

/** A new database copied from the migrated template (or empty, for migration tests); dropped by `drop()`. */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = inject('pgServerUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(opts.empty ? `create database ${name}` : `create database ${name} template ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const database = connectDatabase(url, { max: 10 });
  return {
    url,
    database,
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Test config: no rate limits unless a test sets them, quiet logs, a fixed secret. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    AUTH_RATE_LIMIT_PER_MINUTE: '0',
    CHAT_RATE_LIMIT_PER_MINUTE: '0',
    TRANSFER_RATE_LIMIT_PER_MINUTE: '0',
    DATA_DIR: '/tmp/chatbot-test-data',
    ...overrides,
  });
}

export interface TestApp extends AppInstance {
  database: Database;
  config: Config;
  url: string;
  cleanup(): Promise<void>;
}

/** Builds the app on a fresh database. `overrides` are env-style settings; `deps` replaces parts (clock, llm). */
export async function createTestApp(
  overrides: Record<string, string> = {},
  deps: Partial<Omit<AppDeps, 'config' | 'database'>> = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = testConfig(overrides);
  const logger = deps.logger ?? createLogger(config.LOG_LEVEL);
  const instance = createApp({ config, database: db.database, logger, ...deps });
  return {
    ...instance,
    database: db.database,
    config,
    url: db.url,
    async cleanup() {
      await instance.close(2_000);
      await db.drop();
    },
  };
}

export interface TestAppWithModel extends TestApp {
  /** The OpenAI-compatible test server the app's model calls go to (closed by cleanup). */
  fake: FakeOpenAI;
}

/**
 * The app on a fresh database with its model served by the repo's fake OpenAI-compatible server, so the real
 * LangChain client runs: `script` is the server's first script, `overrides` env-style settings beside OPENAI_BASE_URL.
 */
export async function createAppWithModel(
  script: FakeScript = {},
  overrides: Record<string, string> = {},
  deps: Partial<Omit<AppDeps, 'config' | 'database'>> = {},
): Promise<TestAppWithModel> {
  const fake = await startFakeOpenAI(script);
  const t = await createTestApp({ OPENAI_BASE_URL: fake.url, ...overrides }, deps).catch(async (err) => {
    await fake.close();
    throw err;
  });
  return {
    ...t,
    fake,
    async cleanup() {
      await t.cleanup();
      await fake.close();
    },
  };
}

/** JSON request helper over app.request(): `call(app, 'POST', '/api/x', { body, token })`. */
export async function call(
  app: AppInstance['app'],
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field and assert each one
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await app.request(path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: leave the text
  }
  return { status: res.status, body, headers: res.headers };
}
