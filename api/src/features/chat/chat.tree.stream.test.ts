// Regenerate and edit streamed over a real port: SSE routes and WebSocket messages, through the GenerationManager.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, lastUserText } from '../../../test/fake-openai.js';
import { seedUser } from '../../../test/fixtures.js';
import { call, createAppWithModel, type TestAppWithModel } from '../../../test/harness.js';
import { createSession, type Served, SseReader, serveApp, WsClient } from '../../../test/stream/stream-helpers.js';

type ErrorBody = { detail: { code: string; field?: string } };

let fake: FakeOpenAI;
let t: TestAppWithModel;
let served: Served;
let user: { id: number; token: string };
let other: { id: number; token: string };
let n = 0;

beforeAll(async () => {
  t = await createAppWithModel(
    { reply: (req) => `answer ${++n} to ${lastUserText(req)}`, chunkDelayMs: 2 },
    { OPENAI_API_KEY: 'test', SYSTEM_PROMPT: 'Be kind.' },
  );
  fake = t.fake;
  served = await serveApp(t);
  user = await seedUser(t, 'tree_stream_user');
  other = await seedUser(t, 'tree_stream_other');
});

afterAll(async () => {
  await served?.close();
  await t?.cleanup();
});

async function turn(sessionId: number, content: string) {
  const res = await call(t.app, 'POST', `/api/chat/sessions/${sessionId}/messages`, {
    token: user.token,
    body: { content },
  });
  expect(res.status).toBe(201);
  return res.body as { userMessage: { id: number }; assistantMessage: { id: number; content: string } };
}

function post(path: string, token: string, body?: unknown) {
  return fetch(`${served.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function branchContents(sessionId: number): Promise<string[]> {
  const res = await call(t.app, 'GET', `/api/chat/sessions/${sessionId}`, { token: user.token });
  return res.body.messages.map((m: { content: string }) => m.content);
}

describe('SSE regenerate and edit', () => {
  it('streams a regenerated answer: message (the question answered), chunks, done; the old answer stays', async () => {
    const sid = await createSession(t, user.id);
    const one = await turn(sid, 'Q1');
    const res = await post(
      `/api/chat/sessions/${sid}/messages/${one.assistantMessage.id}/regenerate/stream`,
      user.token,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = await new SseReader(res).rest();
    const first = events[0];
    if (first?.event !== 'message') throw new Error('no message event first');
    expect(first.data.userMessage).toMatchObject({ id: one.userMessage.id, content: 'Q1' });
    const chunks = events.filter((e) => e.event === 'chunk').map((e) => (e.event === 'chunk' ? e.data.content : ''));
    const last = events.at(-1);
    if (last?.event !== 'done') throw new Error('no done event last');
    expect(last.data.assistantMessage).toMatchObject({ status: 'complete', content: chunks.join('') });
    expect(last.data.messageId).toBe(first.data.assistantMessageId);
    expect(chunks.join('')).not.toBe(one.assistantMessage.content);

    expect(await branchContents(sid)).toEqual(['Q1', chunks.join('')]);
    const detail = await call(t.app, 'GET', `/api/chat/sessions/${sid}`, { token: user.token });
    expect(detail.body.messages[1].siblings).toEqual({
      index: 1,
      count: 2,
      ids: [one.assistantMessage.id, last.data.messageId],
    });
  });

  it('streams the answer to an edited message; the model sees only the new branch', async () => {
    const sid = await createSession(t, user.id);
    const one = await turn(sid, 'Q1');
    const two = await turn(sid, 'Q2');
    const res = await post(`/api/chat/sessions/${sid}/messages/${two.userMessage.id}/edit/stream`, user.token, {
      content: 'Q2 again',
    });
    expect(res.status).toBe(200);
    const events = await new SseReader(res).rest();
    const first = events[0];
    if (first?.event !== 'message') throw new Error('no message event first');
    expect(first.data.userMessage).toMatchObject({
      role: 'user',
      content: 'Q2 again',
      parentId: one.assistantMessage.id,
    });
    expect(events.at(-1)?.event).toBe('done');
    const sent = fake
      .chatRequests()
      .at(-1)!
      .body.messages.map((m) => m.content);
    expect(sent).toEqual(['Be kind.', 'Q1', one.assistantMessage.content, 'Q2 again']);
    expect((await branchContents(sid)).slice(0, 3)).toEqual(['Q1', one.assistantMessage.content, 'Q2 again']);
  });

  it('answers refusals before the stream as ordinary JSON errors', async () => {
    const sid = await createSession(t, user.id);
    const one = await turn(sid, 'Q1');
    const base = `/api/chat/sessions/${sid}/messages`;
    const forbidden = await post(`${base}/${one.assistantMessage.id}/regenerate/stream`, other.token);
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as ErrorBody).detail.code).toBe('FORBIDDEN');
    const wrongKind = await post(`${base}/${one.userMessage.id}/regenerate/stream`, user.token);
    expect(wrongKind.status).toBe(400);
    expect(((await wrongKind.json()) as ErrorBody).detail).toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'messageId',
    });
    const forbiddenEdit = await post(`${base}/${one.userMessage.id}/edit/stream`, other.token, { content: 'x' });
    expect(forbiddenEdit.status).toBe(403);
    const emptyEdit = await post(`${base}/${one.userMessage.id}/edit/stream`, user.token, { content: '' });
    expect(emptyEdit.status).toBe(400);
    expect(await branchContents(sid)).toEqual(['Q1', one.assistantMessage.content]);
  });
});

describe('WebSocket regenerate and edit', () => {
  it('regenerates and edits on the socket, each streamed as message, chunks, done', async () => {
    const sid = await createSession(t, user.id);
    const one = await turn(sid, 'Q1');
    const ws = await WsClient.open(`${served.wsUrl}/api/chat/ws/${sid}?token=${encodeURIComponent(user.token)}`);
    try {
      ws.send({ type: 'regenerate', messageId: one.assistantMessage.id });
      const regen = await ws.untilEnd();
      expect(regen[0]).toMatchObject({ type: 'message', userMessage: { id: one.userMessage.id } });
      const done = regen.at(-1);
      if (done?.type !== 'done') throw new Error('no done');
      expect(done.assistantMessage.status).toBe('complete');
      const text = regen.map((m) => (m.type === 'chunk' ? m.content : '')).join('');
      expect(done.assistantMessage.content).toBe(text);
      expect(await branchContents(sid)).toEqual(['Q1', text]);

      ws.send({ type: 'edit', messageId: one.userMessage.id, content: 'Q1 edited' });
      const edit = await ws.untilEnd();
      expect(edit[0]).toMatchObject({ type: 'message', userMessage: { content: 'Q1 edited', parentId: null } });
      expect(edit.at(-1)?.type).toBe('done');
      expect(
        fake
          .chatRequests()
          .at(-1)!
          .body.messages.map((m) => m.content),
      ).toEqual(['Be kind.', 'Q1 edited']);

      // The wrong kind of message is an error on the socket, which stays open.
      ws.send({ type: 'edit', messageId: one.assistantMessage.id, content: 'x' });
      expect(await ws.next()).toMatchObject({ type: 'error', code: 'VALIDATION_ERROR' });
      ws.send({ type: 'regenerate', messageId: 'abc' });
      expect(await ws.next()).toMatchObject({ type: 'error', code: 'VALIDATION_ERROR' });
      expect(ws.closed).toBeUndefined();
    } finally {
      ws.close();
    }
  });
});
