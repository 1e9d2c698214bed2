// SSE over a real port: event order and shapes, errors before the stream, disconnect, resume (Last-Event-ID / ?after), stop.
import { sseDoneEventSchema } from '@chatbot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeOpenAI } from '../../../test/fake-openai.js';
import { seedUser } from '../../../test/fixtures.js';
import { call, createAppWithModel, type TestAppWithModel } from '../../../test/harness.js';
import {
  createSession,
  messageRows,
  postStream,
  type Served,
  SseReader,
  serveApp,
  waitFor,
} from '../../../test/stream/stream-helpers.js';

const REPLY = 'one two three four five six seven eight';
const PIECES = REPLY.match(/\s*\S+\s*/g)!;

let fake: FakeOpenAI;
let t: TestAppWithModel;
let served: Served;
let user: { id: number; token: string };

beforeAll(async () => {
  t = await createAppWithModel({ reply: REPLY, chunkDelayMs: 5 }, { OPENAI_API_KEY: 'test' });
  fake = t.fake;
  served = await serveApp(t);
  user = await seedUser(t, 'sse_user');
});

afterAll(async () => {
  await served?.close();
  await t?.cleanup();
});

describe('POST /api/chat/sessions/:id/messages/stream', () => {
  it('streams message, chunks with increasing ids, then done, and stores the answer', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 5 });
    const sessionId = await createSession(t, user.id);
    const res = await postStream(served.baseUrl, sessionId, user.token, 'Hello there');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    expect(res.headers.get('cache-control')).toContain('no-cache');
    // Written straight to the socket (http/text-stream.ts), still with what the middleware adds.
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const events = await new SseReader(res).rest();

    const [first, ...others] = events;
    expect(first?.event).toBe('message');
    expect(first?.id).toBe(0);
    if (first?.event !== 'message') throw new Error('no message event');
    expect(first.data.userMessage).toMatchObject({ role: 'user', content: 'Hello there', status: 'complete' });

    const chunks = others.filter((e) => e.event === 'chunk');
    expect(chunks.map((e) => e.id)).toEqual(PIECES.map((_, i) => i + 1));
    expect(chunks.map((e) => (e.event === 'chunk' ? e.data.content : '')).join('')).toBe(REPLY);

    const last = others.at(-1);
    expect(last?.event).toBe('done');
    expect(last?.id).toBe(PIECES.length + 1);
    const done = sseDoneEventSchema.parse(last?.data);
    expect(done.messageId).toBe(first.data.assistantMessageId);
    expect(done.assistantMessage).toMatchObject({ content: REPLY, status: 'complete', role: 'assistant' });

    const rows = await messageRows(t, sessionId);
    expect(rows.map((r) => [r.role, r.content, r.status])).toEqual([
      ['user', 'Hello there', 'complete'],
      ['assistant', REPLY, 'complete'],
    ]);
  });

  it('answers errors before the stream as ordinary JSON: 401, 400, 404, 403', async () => {
    const sessionId = await createSession(t, user.id);
    const other = await seedUser(t, 'sse_other');
    const noAuth = await call(t.app, 'POST', `/api/chat/sessions/${sessionId}/messages/stream`, {
      body: { content: 'x' },
    });
    expect(noAuth.status).toBe(401);
    expect(noAuth.body.detail.code).toBe('UNAUTHORIZED');
    const empty = await call(t.app, 'POST', `/api/chat/sessions/${sessionId}/messages/stream`, {
      body: { content: '  ' },
      token: user.token,
    });
    expect(empty.status).toBe(400);
    expect(empty.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'content' });
    const missing = await call(t.app, 'POST', '/api/chat/sessions/999999/messages/stream', {
      body: { content: 'x' },
      token: user.token,
    });
    expect(missing.status).toBe(404);
    const foreign = await call(t.app, 'POST', `/api/chat/sessions/${sessionId}/messages/stream`, {
      body: { content: 'x' },
      token: other.token,
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body.detail.code).toBe('FORBIDDEN');
    expect(await messageRows(t, sessionId)).toEqual([]);
  });

  it('refuses a second message while an answer is generated: 409 GENERATION_IN_PROGRESS, one answer stored', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 30 });
    const sessionId = await createSession(t, user.id);
    const [a, b] = await Promise.all([
      postStream(served.baseUrl, sessionId, user.token, 'first'),
      postStream(served.baseUrl, sessionId, user.token, 'second'),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    const winner = a.status === 200 ? a : b;
    expect(((await loser.json()) as { detail: { code: string } }).detail.code).toBe('GENERATION_IN_PROGRESS');
    const events = await new SseReader(winner).rest();
    expect(events.at(-1)?.event).toBe('done');
    const rows = await messageRows(t, sessionId);
    expect(rows.filter((r) => r.role === 'assistant')).toHaveLength(1);
    expect(rows.filter((r) => r.role === 'user')).toHaveLength(1);
  });

  it('goes on when the client disconnects: the session shows the full stored answer', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 30 });
    const sessionId = await createSession(t, user.id);
    const ac = new AbortController();
    const res = await postStream(served.baseUrl, sessionId, user.token, 'Hi', ac.signal);
    const reader = new SseReader(res);
    expect((await reader.next())?.event).toBe('message');
    expect((await reader.next())?.event).toBe('chunk');
    ac.abort();
    await reader.cancel();
    const stored = await waitFor(
      async () => (await messageRows(t, sessionId)).find((r) => r.role === 'assistant' && r.status !== 'streaming'),
      5_000,
      'the answer to be stored',
    );
    expect(stored).toMatchObject({ content: REPLY, status: 'complete' });
    const detail = await call(t.app, 'GET', `/api/chat/sessions/${sessionId}`, { token: user.token });
    expect(detail.body.messages.at(-1)).toMatchObject({ role: 'assistant', content: REPLY, status: 'complete' });
  });

  it('stores what came so far as error and sends an error event when the provider fails mid-answer', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 5, failAfterChunks: 3 });
    const sessionId = await createSession(t, user.id);
    const res = await postStream(served.baseUrl, sessionId, user.token, 'Hi');
    const events = await new SseReader(res).rest();
    const last = events.at(-1);
    expect(last?.event).toBe('error');
    if (last?.event !== 'error') throw new Error('no error event');
    expect(last.data.code).toBe('AI_API_ERROR');
    expect(last.data.message).toBe('The AI service is unavailable. Please try again.');
    const chunks = events.filter((e) => e.event === 'chunk').map((e) => (e.event === 'chunk' ? e.data.content : ''));
    expect(chunks.join('')).toBe(PIECES.slice(0, 3).join(''));
    const rows = await messageRows(t, sessionId);
    expect(rows.map((r) => [r.role, r.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'error'],
    ]);
    expect(rows[1]?.content).toBe(PIECES.slice(0, 3).join(''));
  });
});

describe('resume and stop over SSE', () => {
  it('replays the chunks after Last-Event-ID, then follows live, with no gap and no duplicate', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 40 });
    const sessionId = await createSession(t, user.id);
    const ac = new AbortController();
    const first = new SseReader(await postStream(served.baseUrl, sessionId, user.token, 'Hi', ac.signal));
    await first.next(); // message
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      const ev = await first.next();
      if (ev?.event === 'chunk') seen.push(ev.data.content);
    }
    ac.abort();
    await first.cancel();
    await new Promise((r) => setTimeout(r, 100)); // chunks go on while nobody listens

    const res = await fetch(`${served.baseUrl}/api/chat/sessions/${sessionId}/stream`, {
      headers: { authorization: `Bearer ${user.token}`, 'last-event-id': '2' },
    });
    expect(res.status).toBe(200);
    const events = await new SseReader(res).rest();
    const chunks = events.filter((e) => e.event === 'chunk');
    expect(chunks.map((e) => e.id)).toEqual(PIECES.slice(2).map((_, i) => i + 3));
    const text = seen.join('') + chunks.map((e) => (e.event === 'chunk' ? e.data.content : '')).join('');
    expect(text).toBe(REPLY);
    expect(events.at(-1)?.event).toBe('done');
  });

  it('answers a resume with the latest stored answer when nothing is in progress, 404 when there is none', async () => {
    fake.setScript({ reply: 'short answer' });
    const sessionId = await createSession(t, user.id);
    const none = await call(t.app, 'GET', `/api/chat/sessions/${sessionId}/stream`, { token: user.token });
    expect(none.status).toBe(404);
    await new SseReader(await postStream(served.baseUrl, sessionId, user.token, 'Hi')).rest();
    const res = await fetch(`${served.baseUrl}/api/chat/sessions/${sessionId}/stream?after=0`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    const events = await new SseReader(res).rest();
    expect(events).toHaveLength(1);
    expect(events[0]?.event).toBe('done');
    expect(events[0]?.data).toMatchObject({ assistantMessage: { content: 'short answer', status: 'complete' } });
    const bad = await call(t.app, 'GET', `/api/chat/sessions/${sessionId}/stream?after=abc`, { token: user.token });
    expect(bad.status).toBe(400);
  });

  it('refuses a resume point that is not a whole number from 0 to 2^31-1 with 400 naming the field', async () => {
    const sessionId = await createSession(t, user.id);
    const path = `/api/chat/sessions/${sessionId}/stream`;
    for (const after of ['abc', '-1', '1.5', '2147483648', '99999999999', '']) {
      const res = await call(t.app, 'GET', `${path}?after=${encodeURIComponent(after)}`, { token: user.token });
      expect(res.status, `after=${after}`).toBe(400);
      expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'after' });
    }
    for (const header of ['x', '-3', '2147483648']) {
      const res = await call(t.app, 'GET', path, { token: user.token, headers: { 'last-event-id': header } });
      expect(res.status, `Last-Event-ID: ${header}`).toBe(400);
      expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'last-event-id' });
    }
    // In range: no answer yet is a 404, not a 400.
    const ok = await call(t.app, 'GET', `${path}?after=2147483647`, { token: user.token });
    expect(ok.status).toBe(404);
  });

  it('stops an answer over HTTP: partial text stored as stopped, the stream ends with done status stopped', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 60 });
    const sessionId = await createSession(t, user.id);
    const reader = new SseReader(await postStream(served.baseUrl, sessionId, user.token, 'Hi'));
    await reader.next(); // message
    await reader.next(); // first chunk
    const stop = await call(t.app, 'POST', `/api/chat/sessions/${sessionId}/stop`, { token: user.token });
    expect(stop.status).toBe(200);
    expect(stop.body.assistantMessage.status).toBe('stopped');
    const events = await reader.rest();
    const last = events.at(-1);
    expect(last?.event).toBe('done');
    expect(last?.data).toMatchObject({ assistantMessage: { status: 'stopped' } });
    const rows = await messageRows(t, sessionId);
    expect(rows[1]?.status).toBe('stopped');
    expect(rows[1]?.content.length).toBeGreaterThan(0);
    expect(REPLY.startsWith(rows[1]!.content)).toBe(true);
    expect(rows[1]?.content).not.toBe(REPLY);
    const again = await call(t.app, 'POST', `/api/chat/sessions/${sessionId}/stop`, { token: user.token });
    expect(again.status).toBe(404);
  });
});
