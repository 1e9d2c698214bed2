// Fault: PostgreSQL itself stops (a fast shutdown of a real server: every connection terminated, the port refused)
// in the middle of answers, and is started again on the same port and data directory. This file runs its own
// embedded PostgreSQL (the suite's shared one serves the other files). Two app instances on real ports (HTTP,
// their own pools and LISTEN connections) stand for two processes; only the model is the fake server.
// CONTRACT.md, Reliability promises: 503 with the error body within a second while the database is away; within 5 s
// of its return everything works again, LISTEN included; a follower elsewhere receives every chunk it missed; the
// answer is stored with exactly the text the client received, or marked error with that text.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppInstance, createApp } from '../../src/app.js';
import { connectDatabase, type Database } from '../../src/db/client.js';
import { type EmbeddedServer, ensureDatabase, startEmbeddedPostgres } from '../../src/db/embedded.js';
import { runMigrations } from '../../src/db/migrate.js';
import { createLogger } from '../../src/lib/logger.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-openai.js';
import { testConfig } from '../harness.js';
import { type Served, serveApp, waitFor } from '../stream/stream-helpers.js';
import {
  AnswerReader,
  createSessionVia,
  longReply,
  postAnswer,
  registerUser,
  resumeAnswer,
  within,
} from './fault-helpers.js';

interface Node {
  database: Database;
  app: AppInstance;
  served: Served;
}

/** One request with its status, body and how long it took (ms). */
async function timed(url: string, token: string) {
  const started = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  let body: { detail?: { code?: string; message?: string } } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, ms: performance.now() - started, retryAfter: res.headers.get('retry-after') };
}

describe('PostgreSQL stopped and restarted in the middle of answers', () => {
  let dir: string;
  let server: EmbeddedServer | undefined;
  let port: number;
  let fake: FakeOpenAI;
  const nodes: Node[] = [];
  let a: Node;
  let b: Node;
  let dbUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'chatbot-faults-pg-'));
    // As root, PostgreSQL runs as a `postgres` user, which must be able to enter this folder.
    chmodSync(dir, 0o755);
    server = await startEmbeddedPostgres(path.join(dir, 'data'));
    port = server.port;
    dbUrl = await ensureDatabase(server.url, 'faults');
    const migrating = connectDatabase(dbUrl, { max: 2 });
    await runMigrations(migrating);
    await migrating.close();
    // ~8 s of answer: one word every 100 ms.
    fake = await startFakeOpenAI({ reply: longReply(80), chunkDelayMs: 100 });
    const config = testConfig({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test', OPENAI_MODEL: 'fake-model' });
    for (let i = 0; i < 2; i++) {
      const logger = createLogger('silent');
      const database = connectDatabase(dbUrl, { max: 10, logger });
      const app = createApp({ config, database, logger });
      nodes.push({ database, app, served: await serveApp(app) });
    }
    [a, b] = nodes as [Node, Node];
    await waitFor(() => a.app.ctx.listener.connected && b.app.ctx.listener.connected, 10_000, 'LISTEN on both');
  }, 120_000);

  afterAll(async () => {
    for (const n of nodes) {
      await n.served.close().catch(() => {});
      await n.app.close(1_000).catch(() => {});
      await n.database.close().catch(() => {});
    }
    await fake?.close();
    await server?.stop().catch(() => {});
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('503 within a second while it is away; the answer in flight stored as the client saw it; all back within 5 s, LISTEN included', async () => {
    const token = await registerUser(a.served.baseUrl, 'pg_restart_user');
    const sessionId = await createSessionVia(a.served.baseUrl, token, 'Through a restart');
    const author = new AnswerReader(await postAnswer(a.served.baseUrl, token, sessionId, 'Count for me'));
    await author.until(() => author.chunks >= 3, 15_000, 'three chunks on A');
    const follower = new AnswerReader(await resumeAnswer(b.served.baseUrl, token, sessionId, 0));
    await follower.until(() => follower.chunks >= 5, 15_000, 'five chunks through B');
    const followerBeforeOutage = follower.chunks;

    // A fast shutdown of the real server: backends terminated, then the port refuses connections.
    const stopStarted = performance.now();
    await within(server!.stop(), 20_000, 'PostgreSQL to stop');
    server = undefined;
    const stoppedMs = performance.now() - stopStarted;

    // While it is away: every request that needs it is a 503 with the product's error body, each within a second.
    const during: Awaited<ReturnType<typeof timed>>[] = [];
    const outageUntil = performance.now() + 1_500;
    while (performance.now() < outageUntil) {
      for (const n of nodes) {
        during.push(await timed(`${n.served.baseUrl}/api/auth/me`, token));
        during.push(await timed(`${n.served.baseUrl}/api/chat/sessions`, token));
      }
    }
    for (const r of during) {
      expect(r.status).toBe(503);
      expect(r.body?.detail?.code).toBe('SERVICE_UNAVAILABLE');
      expect(r.retryAfter).toBeTruthy();
      expect(r.ms).toBeLessThan(1_000);
    }
    // Liveness does not depend on the database.
    expect((await timed(`${a.served.baseUrl}/api/health`, token)).status).toBe(200);
    const worst503 = Math.max(...during.map((r) => r.ms));

    // Back on the same port and data directory.
    server = await within(startEmbeddedPostgres(path.join(dir, 'data'), undefined, { port }), 30_000, 'restart');
    const upAt = performance.now();
    const backMs: number[] = [];
    for (const n of nodes) {
      await waitFor(
        async () => (await timed(`${n.served.baseUrl}/api/auth/me`, token)).status === 200,
        5_000,
        'requests to work again',
      );
      backMs.push(performance.now() - upAt);
    }
    await waitFor(() => a.app.ctx.listener.connected && b.app.ctx.listener.connected, 5_000, 'LISTEN back on both');
    const listenBackMs = performance.now() - upAt;
    expect(Math.max(...backMs, listenBackMs)).toBeLessThan(5_000);

    // The answer in flight ends, stored; the client is never told `complete` about text that was not stored.
    await within(author.finished, 30_000, "the author's end");
    await within(follower.finished, 30_000, "the follower's end");
    expect(author.broken).toBeUndefined();
    expect(follower.broken).toBeUndefined();
    const row = (
      await a.database.pool.query<{ status: string; content: string }>(
        "select status, content from messages where session_id = $1 and role = 'assistant'",
        [sessionId],
      )
    ).rows[0]!;
    expect(['complete', 'error']).toContain(row.status);
    if (row.status === 'complete') {
      expect(author.end?.event).toBe('done');
      expect(row.content).toBe(author.text);
    } else {
      // Marked error with the text the client got.
      expect(row.content.startsWith(author.text)).toBe(true);
    }
    // The follower through B missed chunks while the database was away: it was given them after (re-read, not
    // skipped), so it holds the whole stored text.
    expect(follower.chunks).toBeGreaterThan(followerBeforeOutage);
    expect(follower.text).toBe(row.content);
    if (follower.end?.event === 'done') expect(follower.end.data.assistantMessage.content).toBe(row.content);

    // LISTEN really is back: a stop asked on B reaches the process generating the answer (A) only by NOTIFY.
    const second = await createSessionVia(a.served.baseUrl, token, 'Stopped across instances');
    const author2 = new AnswerReader(await postAnswer(a.served.baseUrl, token, second, 'Count again'));
    await author2.until(() => author2.chunks >= 2, 15_000, 'two chunks of the second answer');
    const stopAt = performance.now();
    const stop = await fetch(`${b.served.baseUrl}/api/chat/sessions/${second}/stop`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    expect(stop.status).toBe(200);
    const stopped = (await stop.json()) as { assistantMessage: { status: string } };
    expect(stopped.assistantMessage.status).toBe('stopped');
    await within(author2.finished, 5_000, 'the stopped answer to end');
    const stopMs = (author2.endAt ?? Number.NaN) - stopAt;
    // The model would have gone on for seconds more; the stop took effect through LISTEN well before that.
    expect(stopMs).toBeLessThan(2_000);
    expect(author2.end?.event).toBe('done');
    expect(await a.database.pool.query('select 1')).toBeTruthy();

    process.stderr.write(
      `[faults] PostgreSQL restart: stop took ${Math.round(stoppedMs)} ms; ${during.length} requests while away, all 503, slowest ${Math.round(worst503)} ms; requests back ${backMs.map(Math.round).join('/')} ms and LISTEN back ${Math.round(listenBackMs)} ms after the restart; answer stored ${row.status}; stop through NOTIFY ${Math.round(stopMs)} ms\n`,
    );
  }, 120_000);
  it('an outage longer than the answer lease: the live answer is not taken for a dead one, it finishes complete', async () => {
    // 9 s away is longer than the 8 s lease (staleMs): after the return, the other instance's sweep must give the
    // generating one time to renew it instead of storing its live answer as `stopped`.
    fake.setScript({ reply: longReply(200), chunkDelayMs: 100 });
    const token = await registerUser(a.served.baseUrl, 'pg_long_outage_user');
    const sessionId = await createSessionVia(a.served.baseUrl, token, 'Long outage');
    const author = new AnswerReader(await postAnswer(a.served.baseUrl, token, sessionId, 'Keep going'));
    await author.until(() => author.chunks >= 3, 15_000, 'three chunks on A');
    await within(server!.stop(), 20_000, 'PostgreSQL to stop');
    server = undefined;
    await new Promise((r) => setTimeout(r, 9_000));
    server = await within(startEmbeddedPostgres(path.join(dir, 'data'), undefined, { port }), 30_000, 'restart');
    await waitFor(() => a.app.ctx.listener.connected && b.app.ctx.listener.connected, 5_000, 'LISTEN back on both');

    await within(author.finished, 40_000, "the author's end");
    expect(author.broken).toBeUndefined();
    const row = (
      await a.database.pool.query<{ status: string; content: string }>(
        "select status, content from messages where session_id = $1 and role = 'assistant'",
        [sessionId],
      )
    ).rows[0]!;
    expect(author.end?.event).toBe('done');
    expect(row.status).toBe('complete');
    expect(row.content).toBe(longReply(200));
    expect(author.text).toBe(row.content);
  }, 90_000);
});
