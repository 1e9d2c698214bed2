// Chat over HTTP: sessions, history paging, ownership, sending with memory, provider failures, rate limits.
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, lastUserText } from '../../../test/fake-openai.js';
import { seedUser } from '../../../test/fixtures.js';
import { call, createAppWithModel, createTestApp, type TestApp, type TestAppWithModel } from '../../../test/harness.js';
import { TRUNCATED_NOTE } from '../../llm/memory.js';
import { countTokens } from '../../llm/token-counter.js';

async function newSession(t: TestApp, token: string, title?: string): Promise<number> {
  const res = await call(t.app, 'POST', '/api/chat/sessions', { token, body: title === undefined ? {} : { title } });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function countMessages(t: TestApp, sessionId: number): Promise<number> {
  const r = await t.database.db.execute<{ n: number }>(
    sql`select count(*)::int as n from messages where session_id = ${sessionId}`,
  );
  return Number(r.rows[0]!.n);
}

describe('chat sessions and messages with a real model client against the fake provider', () => {
  let fake: FakeOpenAI;
  let t: TestAppWithModel;
  let alice: { id: number; token: string };
  let bob: { id: number; token: string };

  beforeAll(async () => {
    t = await createAppWithModel(
      {},
      {
        OPENAI_API_KEY: 'test',
        OPENAI_MODEL: 'fake-model',
        OPENAI_MAX_RETRIES: '0',
        OPENAI_TIMEOUT_MS: '1500',
        SYSTEM_PROMPT: 'You are a test assistant.',
      },
    );
    fake = t.fake;
    alice = await seedUser(t);
    bob = await seedUser(t);
  });
  afterAll(async () => {
    await t.cleanup();
  });
  afterEach(() => fake.setScript({}));

  describe('sessions', () => {
    it('creates a session with the default title, or a trimmed given one', async () => {
      const def = await call(t.app, 'POST', '/api/chat/sessions', { token: alice.token, body: {} });
      expect(def.status).toBe(201);
      expect(def.body).toEqual({
        id: expect.any(Number),
        title: 'New Conversation',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const named = await call(t.app, 'POST', '/api/chat/sessions', {
        token: alice.token,
        body: { title: '  Trip  ' },
      });
      expect(named.status).toBe(201);
      expect(named.body.title).toBe('Trip');
    });

    it('refuses a title that is empty after trimming or longer than 255 characters', async () => {
      const blank = await call(t.app, 'POST', '/api/chat/sessions', { token: alice.token, body: { title: '   ' } });
      expect(blank.status).toBe(400);
      expect(blank.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'title' });
      const long = await call(t.app, 'POST', '/api/chat/sessions', {
        token: alice.token,
        body: { title: 'x'.repeat(256) },
      });
      expect(long.status).toBe(400);
      expect(long.body.detail.field).toBe('title');
    });

    it('requires a token on every chat route', async () => {
      const routes: [string, string][] = [
        ['GET', '/api/chat/sessions'],
        ['POST', '/api/chat/sessions'],
        ['GET', '/api/chat/sessions/1'],
        ['PATCH', '/api/chat/sessions/1'],
        ['DELETE', '/api/chat/sessions/1'],
        ['POST', '/api/chat/sessions/1/messages'],
      ];
      for (const [method, path] of routes) {
        const res = await call(t.app, method, path, { body: method === 'GET' || method === 'DELETE' ? undefined : {} });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.body.detail.code).toBe('UNAUTHORIZED');
      }
    });

    it('lists only the caller’s sessions with message counts and the total, newest activity first', async () => {
      const u = await seedUser(t);
      const a = await newSession(t, u.token, 'A');
      const b = await newSession(t, u.token, 'B');
      const c = await newSession(t, u.token, 'C');
      await call(t.app, 'POST', `/api/chat/sessions/${a}/messages`, { token: u.token, body: { content: 'hi' } });
      await newSession(t, bob.token, 'not yours');

      const res = await call(t.app, 'GET', '/api/chat/sessions', { token: u.token });
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(3);
      // Sending to A moved it to the top.
      expect(res.body.sessions.map((s: { id: number }) => s.id)).toEqual([a, c, b]);
      expect(res.body.sessions[0]).toEqual({
        id: a,
        title: 'A',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        messageCount: 2,
        pinned: false,
      });
      expect(res.body.sessions[1].messageCount).toBe(0);
    });

    it('writes the list’s timestamps exactly as the session itself does (UTC, milliseconds, microseconds cut)', async () => {
      const u = await seedUser(t);
      const id = await newSession(t, u.token, 'stamped');
      // The list formats timestamps in SQL; the detail goes through a JS Date: both must agree to the character.
      await t.database.db.execute(
        sql`update chat_sessions set created_at = '1970-01-01 00:00:00.000999+00',
            updated_at = '2026-12-31 23:59:59.999999+07' where id = ${id}`,
      );
      const listed = (await call(t.app, 'GET', '/api/chat/sessions', { token: u.token })).body.sessions[0];
      const detail = (await call(t.app, 'GET', `/api/chat/sessions/${id}`, { token: u.token })).body;
      expect(listed).toMatchObject({
        id,
        createdAt: '1970-01-01T00:00:00.000Z',
        updatedAt: '2026-12-31T16:59:59.999Z',
      });
      expect([listed.createdAt, listed.updatedAt]).toEqual([detail.createdAt, detail.updatedAt]);
    });

    it('sorts by creation or activity in both directions and pages with limit and offset', async () => {
      const u = await seedUser(t);
      const ids = [];
      for (const title of ['one', 'two', 'three']) ids.push(await newSession(t, u.token, title));
      await call(t.app, 'PATCH', `/api/chat/sessions/${ids[0]}`, { token: u.token, body: { title: 'one again' } });
      const list = async (q: string) =>
        (await call(t.app, 'GET', `/api/chat/sessions?${q}`, { token: u.token })).body.sessions.map(
          (s: { id: number }) => s.id,
        );
      expect(await list('sort=created_at_asc')).toEqual([ids[0], ids[1], ids[2]]);
      expect(await list('sort=created_at_desc')).toEqual([ids[2], ids[1], ids[0]]);
      expect(await list('sort=updated_at_desc')).toEqual([ids[0], ids[2], ids[1]]);
      expect(await list('sort=updated_at_asc')).toEqual([ids[1], ids[2], ids[0]]);
      expect(await list('sort=created_at_asc&limit=2&offset=1')).toEqual([ids[1], ids[2]]);
      const past = await call(t.app, 'GET', '/api/chat/sessions?offset=10', { token: u.token });
      expect(past.body).toEqual({ sessions: [], total: 3 });
    });

    it('refuses a bad limit, offset or sort', async () => {
      for (const q of ['limit=0', 'limit=101', 'limit=abc', 'offset=-1', 'sort=title']) {
        const res = await call(t.app, 'GET', `/api/chat/sessions?${q}`, { token: alice.token });
        expect(res.status, q).toBe(400);
        expect(res.body.detail.code).toBe('VALIDATION_ERROR');
      }
    });

    it('lists in one query however many sessions are on the page', async () => {
      const u = await seedUser(t);
      for (let i = 0; i < 5; i++) await newSession(t, u.token, `s${i}`);
      const queries: string[] = [];
      const pool = t.database.pool;
      const original = pool.query.bind(pool);
      // Counting what reaches the real pool (the queries still run); the token check is one, the list must be one.
      pool.query = ((...args: Parameters<typeof pool.query>) => {
        const q = args[0] as string | { text: string };
        queries.push(typeof q === 'string' ? q : q.text);
        return original(...args);
      }) as typeof pool.query;
      try {
        const res = await call(t.app, 'GET', '/api/chat/sessions?limit=5', { token: u.token });
        expect(res.body.sessions).toHaveLength(5);
      } finally {
        pool.query = original;
      }
      const chatQueries = queries.filter((q) => /chat_sessions/.test(q));
      expect(chatQueries).toHaveLength(1);
    });

    it('renames a session, which keeps the name from being replaced by the first message', async () => {
      const id = await newSession(t, alice.token);
      const res = await call(t.app, 'PATCH', `/api/chat/sessions/${id}`, {
        token: alice.token,
        body: { title: '  Renamed  ' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, title: 'Renamed' });
      await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
        token: alice.token,
        body: { content: 'This would otherwise name it' },
      });
      const detail = await call(t.app, 'GET', `/api/chat/sessions/${id}`, { token: alice.token });
      expect(detail.body.title).toBe('Renamed');
    });

    it('deletes a session and its messages', async () => {
      const id = await newSession(t, alice.token);
      await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, { token: alice.token, body: { content: 'bye' } });
      expect(await countMessages(t, id)).toBe(2);
      const res = await call(t.app, 'DELETE', `/api/chat/sessions/${id}`, { token: alice.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Session deleted successfully' });
      expect(await countMessages(t, id)).toBe(0);
      expect((await call(t.app, 'GET', `/api/chat/sessions/${id}`, { token: alice.token })).status).toBe(404);
    });

    it('answers 404 for a session that does not exist and 400 for an id that is not a positive integer', async () => {
      for (const [method, body] of [
        ['GET', undefined],
        ['PATCH', { title: 'x' }],
        ['DELETE', undefined],
        ['POST', { content: 'x' }],
      ] as const) {
        const path = method === 'POST' ? '/api/chat/sessions/999999/messages' : '/api/chat/sessions/999999';
        const missing = await call(t.app, method, path, { token: alice.token, body });
        expect(missing.status, `${method} missing`).toBe(404);
        expect(missing.body.detail.code).toBe('NOT_FOUND');
      }
      for (const bad of ['0', '-1', 'abc', '1.5', '99999999999']) {
        const res = await call(t.app, 'GET', `/api/chat/sessions/${bad}`, { token: alice.token });
        expect(res.status, bad).toBe(400);
        expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'id' });
      }
    });

    it('refuses every route of another user’s session with 403, and changes nothing', async () => {
      const id = await newSession(t, alice.token, 'private');
      await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, { token: alice.token, body: { content: 'mine' } });
      const before = fake.chatRequests().length;
      const attempts = [
        await call(t.app, 'GET', `/api/chat/sessions/${id}`, { token: bob.token }),
        await call(t.app, 'PATCH', `/api/chat/sessions/${id}`, { token: bob.token, body: { title: 'stolen' } }),
        await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, { token: bob.token, body: { content: 'hi' } }),
        await call(t.app, 'DELETE', `/api/chat/sessions/${id}`, { token: bob.token }),
      ];
      for (const res of attempts) {
        expect(res.status).toBe(403);
        expect(res.body.detail.code).toBe('FORBIDDEN');
      }
      const detail = await call(t.app, 'GET', `/api/chat/sessions/${id}`, { token: alice.token });
      expect(detail.body.title).toBe('private');
      expect(detail.body.messages).toHaveLength(2);
      expect(fake.chatRequests().length).toBe(before);
    });
  });

  describe('history', () => {
    it('returns the latest messages oldest first, pages backwards with before, and says when older ones exist', async () => {
      const id = await newSession(t, alice.token);
      for (let i = 1; i <= 3; i++) {
        await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
          token: alice.token,
          body: { content: `m${i}` },
        });
      }
      const all = await call(t.app, 'GET', `/api/chat/sessions/${id}`, { token: alice.token });
      expect(all.status).toBe(200);
      expect(all.body.messages.map((m: { content: string }) => m.content)).toEqual([
        'm1',
        'Echo: m1',
        'm2',
        'Echo: m2',
        'm3',
        'Echo: m3',
      ]);
      expect(all.body.hasMore).toBe(false);

      const last2 = await call(t.app, 'GET', `/api/chat/sessions/${id}?limit=2`, { token: alice.token });
      expect(last2.body.messages.map((m: { content: string }) => m.content)).toEqual(['m3', 'Echo: m3']);
      expect(last2.body.hasMore).toBe(true);

      const older = await call(t.app, 'GET', `/api/chat/sessions/${id}?limit=3&before=${last2.body.messages[0].id}`, {
        token: alice.token,
      });
      expect(older.body.messages.map((m: { content: string }) => m.content)).toEqual(['Echo: m1', 'm2', 'Echo: m2']);
      expect(older.body.hasMore).toBe(true);
      const oldest = await call(t.app, 'GET', `/api/chat/sessions/${id}?before=${older.body.messages[0].id}`, {
        token: alice.token,
      });
      expect(oldest.body.messages.map((m: { content: string }) => m.content)).toEqual(['m1']);
      expect(oldest.body.hasMore).toBe(false);
    });

    it('refuses a bad limit or before', async () => {
      const id = await newSession(t, alice.token);
      for (const q of ['limit=0', 'limit=501', 'before=0', 'before=x']) {
        const res = await call(t.app, 'GET', `/api/chat/sessions/${id}?${q}`, { token: alice.token });
        expect(res.status, q).toBe(400);
      }
    });
  });

  describe('sending', () => {
    it('stores the user message and the answer, with status, model and the usage the provider reported', async () => {
      fake.setScript({ reply: 'Paris is the capital.', usage: { prompt_tokens: 12, completion_tokens: 5 } });
      const id = await newSession(t, alice.token);
      const res = await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
        token: alice.token,
        body: { content: '  What is the capital of France?  ' },
      });
      expect(res.status).toBe(201);
      expect(res.body.userMessage).toMatchObject({
        id: expect.any(Number),
        role: 'user',
        content: 'What is the capital of France?',
        status: 'complete',
        createdAt: expect.any(String),
      });
      expect(res.body.assistantMessage).toMatchObject({
        role: 'assistant',
        content: 'Paris is the capital.',
        status: 'complete',
        model: 'fake-model',
        usage: { promptTokens: 12, completionTokens: 5, totalTokens: 17 },
      });
      const sent = fake.chatRequests().at(-1)!.body;
      expect(sent.model).toBe('fake-model');
      expect(sent.messages).toEqual([
        { role: 'system', content: 'You are a test assistant.' },
        { role: 'user', content: 'What is the capital of France?' },
      ]);
      const detail = await call(t.app, 'GET', `/api/chat/sessions/${id}`, { token: alice.token });
      // History adds each message's place in the tree (one alternative each here).
      expect(detail.body.messages).toEqual([
        { ...res.body.userMessage, parentId: null, siblings: { index: 0, count: 1, ids: [res.body.userMessage.id] } },
        {
          ...res.body.assistantMessage,
          parentId: res.body.userMessage.id,
          siblings: { index: 0, count: 1, ids: [res.body.assistantMessage.id] },
        },
      ]);
    });

    it('names an untitled session from its first message, and only from the first', async () => {
      const id = await newSession(t, alice.token);
      await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
        token: alice.token,
        body: { content: 'Plan a   weekend in Lisbon\nwith kids, cheap' },
      });
      await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
        token: alice.token,
        body: { content: 'Other' },
      });
      const detail = await call(t.app, 'GET', `/api/chat/sessions/${id}`, { token: alice.token });
      expect(detail.body.title).toBe('Plan a weekend in Lisbon');
    });

    it('refuses content that is empty after trimming or longer than 10,000 characters, storing nothing', async () => {
      const id = await newSession(t, alice.token);
      for (const content of ['   ', 'x'.repeat(10_001)]) {
        const res = await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
          token: alice.token,
          body: { content },
        });
        expect(res.status).toBe(400);
        expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'content' });
      }
      const exact = await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
        token: alice.token,
        body: { content: 'y'.repeat(10_000) },
      });
      expect(exact.status).toBe(201);
      expect(await countMessages(t, id)).toBe(2);
    });

    it('sends the model the earlier turns of the conversation', async () => {
      fake.setScript({ reply: (req) => `answer to ${lastUserText(req)}` });
      const id = await newSession(t, alice.token);
      for (const content of ['My name is Ada.', 'I like tea.', 'What is my name?']) {
        await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, { token: alice.token, body: { content } });
      }
      expect(fake.chatRequests().at(-1)!.body.messages).toEqual([
        { role: 'system', content: 'You are a test assistant.' },
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: 'answer to My name is Ada.' },
        { role: 'user', content: 'I like tea.' },
        { role: 'assistant', content: 'answer to I like tea.' },
        { role: 'user', content: 'What is my name?' },
      ]);
    });

    it('rejects a second turn while an answer is being generated, with 409 and nothing stored', async () => {
      const id = await newSession(t, alice.token);
      fake.setScript({ reply: 'slow', firstChunkDelayMs: 400 });
      const first = call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
        token: alice.token,
        body: { content: 'a' },
      });
      // Wait until the first turn's rows exist.
      for (let i = 0; i < 50 && (await countMessages(t, id)) < 2; i++) await new Promise((r) => setTimeout(r, 10));
      const second = await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
        token: alice.token,
        body: { content: 'b' },
      });
      expect(second.status).toBe(409);
      expect(second.body.detail.code).toBe('GENERATION_IN_PROGRESS');
      expect((await first).status).toBe(201);
      expect(await countMessages(t, id)).toBe(2);
    });
  });

  describe('provider failures', () => {
    async function failingSend(script: Parameters<FakeOpenAI['setScript']>[0]) {
      const id = await newSession(t, alice.token);
      fake.setScript(script);
      const res = await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
        token: alice.token,
        body: { content: 'Are you there?' },
      });
      const detail = await call(t.app, 'GET', `/api/chat/sessions/${id}`, { token: alice.token });
      return { res, messages: detail.body.messages as { role: string; content: string; status: string }[] };
    }

    it('answers 502 AI_API_ERROR in the product’s words when the provider fails, keeping the user message', async () => {
      const { res, messages } = await failingSend({ error: { status: 500, message: 'secret internal detail' } });
      expect(res.status).toBe(502);
      expect(res.body.detail).toMatchObject({
        code: 'AI_API_ERROR',
        message: 'The AI service is unavailable. Please try again.',
      });
      expect(JSON.stringify(res.body)).not.toContain('secret internal detail');
      expect(messages).toMatchObject([
        { role: 'user', content: 'Are you there?', status: 'complete' },
        { role: 'assistant', content: '', status: 'error' },
      ]);
    });

    it('answers 429 AI_RATE_LIMIT with the provider’s Retry-After when the provider rate-limits', async () => {
      const { res, messages } = await failingSend({ error: { status: 429, retryAfter: 7 } });
      expect(res.status).toBe(429);
      expect(res.body.detail.code).toBe('AI_RATE_LIMIT');
      expect(res.headers.get('retry-after')).toBe('7');
      expect(messages.map((m) => m.status)).toEqual(['complete', 'error']);
    });

    it('gives up after OPENAI_TIMEOUT_MS when the provider hangs, with 502 and the user message kept', async () => {
      const started = Date.now();
      const { res, messages } = await failingSend({ hang: true });
      expect(res.status).toBe(502);
      expect(res.body.detail.code).toBe('AI_API_ERROR');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(messages).toMatchObject([{ role: 'user', status: 'complete' }, { status: 'error' }]);
    });

    it('leaves failed answers out of the next prompt, and the session free for the next turn', async () => {
      const id = await newSession(t, alice.token);
      fake.setScript({ error: { status: 500 } });
      await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
        token: alice.token,
        body: { content: 'first' },
      });
      fake.setScript({ reply: 'fine' });
      const res = await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
        token: alice.token,
        body: { content: 'second' },
      });
      expect(res.status).toBe(201);
      expect(fake.chatRequests().at(-1)!.body.messages).toEqual([
        { role: 'system', content: 'You are a test assistant.' },
        { role: 'user', content: 'first' },
        { role: 'user', content: 'second' },
      ]);
    });
  });
});

describe('memory trimmed to CONTEXT_MAX_TOKENS', () => {
  let fake: FakeOpenAI;
  let t: TestAppWithModel;
  beforeAll(async () => {
    t = await createAppWithModel(
      { reply: 'ok' },
      { OPENAI_MODEL: 'fake-model', OPENAI_MAX_RETRIES: '0', CONTEXT_MAX_TOKENS: '300', SYSTEM_PROMPT: 'Be brief.' },
    );
    fake = t.fake;
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('sends the newest turns that fit the budget and drops the oldest', async () => {
    const u = await seedUser(t);
    const id = await newSession(t, u.token);
    // Each message is about 40 tokens: ten turns (20 messages) cannot fit in 300.
    for (let i = 1; i <= 10; i++) {
      const res = await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
        token: u.token,
        body: { content: `turn ${i}: ${'lorem ipsum dolor sit amet '.repeat(7)}` },
      });
      expect(res.status).toBe(201);
    }
    const sent = fake.chatRequests().at(-1)!.body.messages;
    expect(sent[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(sent.at(-1)!.content).toMatch(/^turn 10:/);
    const userTurns = sent.filter((m) => m.role === 'user').map((m) => Number(/^turn (\d+)/.exec(m.content)![1]));
    expect(userTurns.length).toBeGreaterThan(1);
    expect(userTurns.length).toBeLessThan(10);
    // An unbroken run of the newest turns, starting with a user message.
    expect(userTurns).toEqual(Array.from({ length: userTurns.length }, (_, i) => 11 - userTurns.length + i));
    expect(sent[1]!.role).toBe('user');
  });

  it('still sends the newest message when it alone is over the budget, cut to fit with a note', async () => {
    const u = await seedUser(t);
    const id = await newSession(t, u.token);
    await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, { token: u.token, body: { content: 'short one' } });
    const huge = 'word '.repeat(1000).trim();
    const res = await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
      token: u.token,
      body: { content: huge },
    });
    expect(res.status).toBe(201);
    const sent = fake.chatRequests().at(-1)!.body.messages;
    expect(sent).toHaveLength(2);
    expect(sent[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(sent[1]!.role).toBe('user');
    expect(sent[1]!.content.endsWith(TRUNCATED_NOTE)).toBe(true);
    expect(huge.startsWith(sent[1]!.content.slice(0, -TRUNCATED_NOTE.length))).toBe(true);
    expect(countTokens(sent[1]!.content)).toBeLessThan(300);
  });
});

describe('per-user send rate limit', () => {
  let fake: FakeOpenAI;
  let t: TestAppWithModel;
  beforeAll(async () => {
    t = await createAppWithModel({ reply: 'ok' }, { CHAT_RATE_LIMIT_PER_MINUTE: '2', OPENAI_MAX_RETRIES: '0' });
    fake = t.fake;
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('refuses the third message in a minute with 429 RATE_LIMITED and Retry-After, storing nothing', async () => {
    const u = await seedUser(t);
    const other = await seedUser(t);
    const id = await newSession(t, u.token);
    for (const content of ['one', 'two']) {
      const ok = await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, { token: u.token, body: { content } });
      expect(ok.status).toBe(201);
    }
    const third = await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
      token: u.token,
      body: { content: 'three' },
    });
    expect(third.status).toBe(429);
    expect(third.body.detail.code).toBe('RATE_LIMITED');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await countMessages(t, id)).toBe(4);
    expect(fake.chatRequests()).toHaveLength(2);
    // The limit is per user: someone else still gets through.
    const otherId = await newSession(t, other.token);
    const theirs = await call(t.app, 'POST', `/api/chat/sessions/${otherId}/messages`, {
      token: other.token,
      body: { content: 'hi' },
    });
    expect(theirs.status).toBe(201);
  });
});

describe('the offline model, end to end (no OPENAI_* settings)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.cleanup());

  it('answers as the offline model, quoting the user and saying how to configure a real one', async () => {
    const u = await seedUser(t);
    const id = await newSession(t, u.token);
    const res = await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
      token: u.token,
      body: { content: 'Hello offline world' },
    });
    expect(res.status).toBe(201);
    const answer = res.body.assistantMessage;
    expect(answer).toMatchObject({ role: 'assistant', status: 'complete', model: 'offline' });
    expect(answer.content).toContain('offline model');
    expect(answer.content).toContain('> Hello offline world');
    expect(answer.content).toContain('OPENAI_API_KEY');
    expect(answer.content).toContain('OPENAI_BASE_URL');
    expect(answer.usage.promptTokens).toBeGreaterThan(0);

    const second = await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
      token: u.token,
      body: { content: 'And again' },
    });
    expect(second.body.assistantMessage.content).toContain('2 earlier messages');
    const health = await call(t.app, 'GET', '/api/health');
    expect(health.body).toMatchObject({ provider: 'offline', model: 'offline' });
  });
});
