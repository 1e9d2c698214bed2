// Several API processes as one (two apps on one database): resume and stop across them; shutdown; recovery of orphans.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeOpenAI } from '../../../test/fake-openai.js';
import { seedUser } from '../../../test/fixtures.js';
import { call, createAppWithModel, createTestApp, type TestAppWithModel } from '../../../test/harness.js';
import {
  createSession,
  messageRows,
  postStream,
  type Served,
  SseReader,
  serveApp,
  WsClient,
  waitFor,
} from '../../../test/stream/stream-helpers.js';
import { type AppInstance, createApp } from '../../app.js';
import { connectDatabase, type Database } from '../../db/client.js';
import { createLogger } from '../../lib/logger.js';
import { createChatService } from '../chat/chat.service.js';
import { createGenerationManager } from './generation.manager.js';

const REPLY = 'red orange yellow green blue indigo violet black white';
const PIECES = REPLY.match(/\s*\S+\s*/g)!;

let fake: FakeOpenAI;
let a: TestAppWithModel;
let bDb: Database;
let b: AppInstance;
let servedA: Served;
let servedB: Served;
let user: { id: number; token: string };

beforeAll(async () => {
  a = await createAppWithModel({ reply: REPLY, chunkDelayMs: 5 }, { OPENAI_API_KEY: 'test' });
  fake = a.fake;
  // A second "process": its own pool, its own GenerationManager, the same database.
  bDb = connectDatabase(a.url, { max: 5 });
  b = createApp({ config: a.config, database: bDb, logger: createLogger('silent') });
  servedA = await serveApp(a);
  servedB = await serveApp(b);
  user = await seedUser(a, 'multi_user');
});

afterAll(async () => {
  await servedA?.close();
  await servedB?.close();
  await b?.close(1_000);
  await bDb?.close();
  await a?.cleanup();
});

const chunkText = (events: { event: string; data: unknown }[]) =>
  events
    .filter((e) => e.event === 'chunk')
    .map((e) => (e.data as { content: string }).content)
    .join('');

describe('across processes', () => {
  it('resumes through another process over SSE: replays after Last-Event-ID from the chunk log, then live', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 50 });
    const sessionId = await createSession(a, user.id);
    const ac = new AbortController();
    const first = new SseReader(await postStream(servedA.baseUrl, sessionId, user.token, 'colours', ac.signal));
    await first.next(); // message
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      const ev = await first.next();
      if (ev?.event === 'chunk') seen.push(ev.data.content);
    }
    ac.abort();
    await first.cancel();
    await new Promise((r) => setTimeout(r, 120));

    const res = await fetch(`${servedB.baseUrl}/api/chat/sessions/${sessionId}/stream`, {
      headers: { authorization: `Bearer ${user.token}`, 'last-event-id': '2' },
    });
    expect(res.status).toBe(200);
    const events = await new SseReader(res).rest();
    const ids = events.filter((e) => e.event === 'chunk').map((e) => e.id);
    expect(ids).toEqual(PIECES.slice(2).map((_, i) => i + 3));
    expect(seen.join('') + chunkText(events)).toBe(REPLY);
    expect(events.at(-1)).toMatchObject({
      event: 'done',
      data: { assistantMessage: { content: REPLY, status: 'complete' } },
    });
  });

  it('resumes through another process over WebSocket from the start', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 40 });
    const sessionId = await createSession(a, user.id);
    const sender = await WsClient.open(`${servedA.wsUrl}/api/chat/ws/${sessionId}?token=${user.token}`);
    sender.send({ type: 'message', content: 'colours' });
    expect((await sender.next()).type).toBe('message');
    expect((await sender.next()).type).toBe('chunk');
    const follower = await WsClient.open(`${servedB.wsUrl}/api/chat/ws/${sessionId}?token=${user.token}`);
    follower.send({ type: 'resume', after: 0 });
    const msgs = await follower.untilEnd();
    const chunks = msgs.filter((m) => m.type === 'chunk');
    expect(chunks.map((m) => (m.type === 'chunk' ? m.seq : 0))).toEqual(PIECES.map((_, i) => i + 1));
    expect(chunks.map((m) => (m.type === 'chunk' ? m.content : '')).join('')).toBe(REPLY);
    expect(msgs.at(-1)).toMatchObject({ type: 'done', status: 'complete' });
    expect((await sender.untilEnd()).at(-1)).toMatchObject({ type: 'done', status: 'complete' });
    sender.close();
    follower.close();
  });

  it('stops an answer through the other process (HTTP and WebSocket): stored as stopped by its owner', async () => {
    for (const via of ['http', 'ws'] as const) {
      fake.setScript({ reply: REPLY, chunkDelayMs: 80 });
      const sessionId = await createSession(a, user.id);
      const reader = new SseReader(await postStream(servedA.baseUrl, sessionId, user.token, 'colours'));
      await reader.next(); // message
      await reader.next(); // a chunk
      if (via === 'http') {
        const stop = await call(b.app, 'POST', `/api/chat/sessions/${sessionId}/stop`, { token: user.token });
        expect(stop.status).toBe(200);
        expect(stop.body.assistantMessage.status).toBe('stopped');
      } else {
        const ws = await WsClient.open(`${servedB.wsUrl}/api/chat/ws/${sessionId}?token=${user.token}`);
        ws.send({ type: 'stop' });
        expect(await ws.next()).toMatchObject({ type: 'done', status: 'stopped' });
        ws.close();
      }
      const events = await reader.rest();
      expect(events.at(-1)).toMatchObject({ event: 'done', data: { assistantMessage: { status: 'stopped' } } });
      const rows = await messageRows(a, sessionId);
      expect(rows[1]?.status).toBe('stopped');
      expect(REPLY.startsWith(rows[1]!.content) && rows[1]!.content.length < REPLY.length).toBe(true);
    }
  });

  it('shares one database read per notification among all followers on another process', async () => {
    // Counts the reads a follower makes of an answer generated elsewhere (its row, its chunks) on B's real pool.
    const pool = bDb.pool;
    const query = pool.query.bind(pool);
    let counting = false;
    let reads = 0;
    pool.query = ((...args: Parameters<typeof query>) => {
      const [q] = args as unknown[];
      const text = typeof q === 'string' ? q : ((q as { text?: string } | undefined)?.text ?? '');
      if (counting && /from stream_chunks where message_id|from messages where id = \$1/.test(text)) reads++;
      return query(...args);
    }) as typeof pool.query;
    const followWith = async (n: number) => {
      fake.setScript({ reply: REPLY, chunkDelayMs: 40 });
      const sessionId = await createSession(a, user.id);
      const sender = new SseReader(await postStream(servedA.baseUrl, sessionId, user.token, 'colours'));
      await sender.next(); // message
      const followers = await Promise.all(
        Array.from(
          { length: n },
          async () =>
            new SseReader(
              await fetch(`${servedB.baseUrl}/api/chat/sessions/${sessionId}/stream`, {
                headers: { authorization: `Bearer ${user.token}`, 'last-event-id': '0' },
              }),
            ),
        ),
      );
      const firsts = await Promise.all(followers.map((f) => f.next()));
      reads = 0;
      counting = true;
      const rests = await Promise.all(followers.map((f) => f.rest()));
      counting = false;
      await sender.rest();
      for (const [i, rest] of rests.entries()) {
        expect(chunkText([firsts[i]!, ...rest])).toBe(REPLY);
        expect(rest.at(-1)).toMatchObject({ event: 'done' });
      }
      return reads;
    };
    try {
      const one = await followWith(1);
      const eight = await followWith(8);
      // One read per notification (and per safety poll) for the answer, however many follow it, not eight times:
      // measured 7-8 reads for one follower, 12-13 for eight (the joins' own first reads end during the count);
      // one read per follower per notification made it 80.
      expect(one).toBeGreaterThan(0);
      expect(eight).toBeLessThanOrEqual(one + 10);
    } finally {
      pool.query = query as typeof pool.query;
    }
  });

  it('refuses a second sender on another process with 409 while the first process generates', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 20 });
    const sessionId = await createSession(a, user.id);
    const reader = new SseReader(await postStream(servedA.baseUrl, sessionId, user.token, 'first'));
    await reader.next();
    const second = await postStream(servedB.baseUrl, sessionId, user.token, 'second');
    expect(second.status).toBe(409);
    await reader.rest();
  });
});

describe('the chunk log', () => {
  it('keeps logging other answers when a session is deleted while its answer is generated', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 60 });
    const doomed = await createSession(a, user.id);
    const kept = await createSession(a, user.id);
    const r1 = new SseReader(await postStream(servedA.baseUrl, doomed, user.token, 'one'));
    const r2 = new SseReader(await postStream(servedA.baseUrl, kept, user.token, 'two'));
    await r1.next();
    await r2.next();
    await a.database.pool.query('delete from chat_sessions where id = $1', [doomed]);
    await r1.cancel();
    const keptId = (await messageRows(a, kept))[1]!.id;
    // The other answer's chunks still reach the log, so another process can follow it.
    await waitFor(
      async () =>
        (await a.database.pool.query('select 1 from stream_chunks where message_id = $1 and seq >= 4', [keptId]))
          .rowCount,
      5_000,
      'chunks of the other answer in the log',
    );
    const events = await r2.rest();
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { assistantMessage: { content: REPLY } } });
  });
});

describe('shutdown and recovery', () => {
  it('stores answers in flight as stopped when close() reaches its bound, and ends their streams', async () => {
    const own = await createTestApp({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test' });
    const srv = await serveApp(own);
    try {
      fake.setScript({ reply: REPLY, chunkDelayMs: 100 });
      const u = await seedUser(own, 'shutdown_user');
      const sessionId = await createSession(own, u.id);
      const reader = new SseReader(await postStream(srv.baseUrl, sessionId, u.token, 'long one'));
      await reader.next();
      await reader.next();
      const started = Date.now();
      await own.close(200);
      expect(Date.now() - started).toBeLessThan(3_000);
      const events = await reader.rest();
      expect(events.at(-1)).toMatchObject({ event: 'done', data: { assistantMessage: { status: 'stopped' } } });
      const rows = await messageRows(own, sessionId);
      expect(rows.map((r) => r.status)).toEqual(['complete', 'stopped']);
      expect(rows[1]!.content.length).toBeGreaterThan(0);
      // After close, new answers are refused rather than left half-done.
      const late = await postStream(srv.baseUrl, sessionId, u.token, 'too late');
      expect(late.status).toBe(503);
    } finally {
      await srv.close();
      await own.cleanup();
    }
  });

  it('lets an answer finish when it ends within the shutdown bound', async () => {
    const own = await createTestApp({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test' });
    try {
      fake.setScript({ reply: 'quick answer', chunkDelayMs: 20 });
      const u = await seedUser(own, 'shutdown_quick');
      const sessionId = await createSession(own, u.id);
      await own.generations.start(u.id, sessionId, 'hi');
      await own.close(5_000);
      const rows = await messageRows(own, sessionId);
      expect(rows[1]).toMatchObject({ status: 'complete', content: 'quick answer' });
    } finally {
      await own.cleanup();
    }
  });

  it('recovers an answer whose process is gone: stopped, with the text of its chunk log', async () => {
    const sessionId = await createSession(a, user.id);
    const pool = a.database.pool;
    const m = await pool.query<{ id: number }>(
      `insert into messages (session_id, role, content, status, updated_at)
       values ($1, 'assistant', '', 'streaming', now() - interval '5 minutes') returning id`,
      [sessionId],
    );
    const orphan = m.rows[0]!.id;
    await pool.query(`insert into stream_chunks (message_id, seq, content) values ($1, 1, 'half '), ($1, 2, 'done')`, [
      orphan,
    ]);
    const fresh = await createSession(a, user.id);
    const live = await pool.query<{ id: number }>(
      `insert into messages (session_id, role, content, status) values ($1, 'assistant', '', 'streaming') returning id`,
      [fresh],
    );

    const recovered = await a.generations.sweep();
    expect(recovered).toEqual([orphan]);
    const rows = await pool.query<{ id: number; status: string; content: string }>(
      'select id, status, content from messages where id = any($1::int[]) order by id',
      [[orphan, live.rows[0]!.id]],
    );
    expect(rows.rows).toEqual([
      { id: orphan, status: 'stopped', content: 'half done' },
      { id: live.rows[0]!.id, status: 'streaming', content: '' },
    ]);
    const left = await pool.query('select 1 from stream_chunks where message_id = $1', [orphan]);
    expect(left.rowCount).toBe(0);
    // The session is usable again: a resume gets the recovered answer.
    const res = await fetch(`${servedA.baseUrl}/api/chat/sessions/${sessionId}/stream`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect((await new SseReader(res).rest()).at(-1)).toMatchObject({
      event: 'done',
      data: { assistantMessage: { status: 'stopped', content: 'half done' } },
    });
    await pool.query("update messages set status = 'stopped' where id = $1", [live.rows[0]!.id]);
  });

  it('keeps a live answer out of the sweep with its heartbeat', async () => {
    const chat = createChatService(a.ctx);
    const manager = createGenerationManager(a.ctx, chat, { heartbeatMs: 50, staleMs: 1_000 });
    try {
      fake.setScript({ reply: REPLY, chunkDelayMs: 250 });
      const sessionId = await createSession(a, user.id);
      const turn = await manager.start(user.id, sessionId, 'slow');
      const id = turn.assistantMessage.id;
      // Pretend the row was last touched long ago: the heartbeat must bring it back before a sweep looks.
      await a.database.pool.query("update messages set updated_at = now() - interval '1 hour' where id = $1", [id]);
      await waitFor(
        async () =>
          (
            await a.database.pool.query<{ fresh: boolean }>(
              "select updated_at > now() - interval '1 second' as fresh from messages where id = $1",
              [id],
            )
          ).rows[0]?.fresh,
        3_000,
        'the heartbeat',
      );
      expect(await manager.sweep()).not.toContain(id);
      await manager.stop(sessionId);
    } finally {
      await manager.close(500);
    }
  });
});
