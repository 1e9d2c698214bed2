// WebSocket over a real port: refusals at the upgrade, the protocol's messages, invalid input, stop, resume, 409.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeOpenAI } from '../../../test/fake-openai.js';
import { seedUser } from '../../../test/fixtures.js';
import { createAppWithModel, createTestApp, type TestAppWithModel } from '../../../test/harness.js';
import { createSession, messageRows, type Served, serveApp, WsClient } from '../../../test/stream/stream-helpers.js';

const REPLY = 'alpha beta gamma delta epsilon zeta eta theta';
const PIECES = REPLY.match(/\s*\S+\s*/g)!;
const ORIGIN = 'http://localhost:8080';

let fake: FakeOpenAI;
let t: TestAppWithModel;
let served: Served;
let user: { id: number; token: string };

const wsUrl = (sessionId: number | string, token: string) =>
  `${served.wsUrl}/api/chat/ws/${sessionId}?token=${encodeURIComponent(token)}`;

beforeAll(async () => {
  t = await createAppWithModel({ reply: REPLY, chunkDelayMs: 5 }, { OPENAI_API_KEY: 'test', ALLOWED_ORIGINS: ORIGIN });
  fake = t.fake;
  served = await serveApp(t);
  user = await seedUser(t, 'ws_user');
});

afterAll(async () => {
  await served?.close();
  await t?.cleanup();
});

describe('the upgrade', () => {
  it('refuses a bad token 401, a revoked token 401, a missing session 404, another user’s session 403, a foreign Origin 403', async () => {
    const sessionId = await createSession(t, user.id);
    const other = await seedUser(t, 'ws_other');
    const revoked = await seedUser(t, 'ws_revoked');
    const revokedSession = await createSession(t, revoked.id);
    const authUser = await t.ctx.tokens.authenticate(revoked.token);
    await t.ctx.tokens.revoke(authUser);

    expect(await WsClient.refusal(wsUrl(sessionId, 'not-a-token'))).toBe(401);
    expect(await WsClient.refusal(`${served.wsUrl}/api/chat/ws/${sessionId}`)).toBe(401);
    expect(await WsClient.refusal(wsUrl(revokedSession, revoked.token))).toBe(401);
    expect(await WsClient.refusal(wsUrl(999999, user.token))).toBe(404);
    expect(await WsClient.refusal(wsUrl(sessionId, other.token))).toBe(403);
    expect(await WsClient.refusal(wsUrl(sessionId, user.token), { origin: 'http://evil.example' })).toBe(403);
    expect(await WsClient.refusal(wsUrl('abc', user.token))).toBe(400);
    // An allowed Origin, and none at all (a script, the SDK in Node), both upgrade.
    expect(await WsClient.refusal(wsUrl(sessionId, user.token), { origin: ORIGIN })).toBe(101);
    expect(await WsClient.refusal(wsUrl(sessionId, user.token))).toBe(101);
    // The page's own origin is always accepted, though not listed (the app served on another host or port) ...
    const own = served.baseUrl;
    expect(ORIGIN).not.toBe(own);
    expect(await WsClient.refusal(wsUrl(sessionId, user.token), { origin: own })).toBe(101);
    // ... but only the host the browser asked for: another name, or a forged X-Forwarded-Host without TRUST_PROXY.
    const port = new URL(own).port;
    expect(await WsClient.refusal(wsUrl(sessionId, user.token), { origin: `http://localhost:${port}` })).toBe(403);
    expect(
      await WsClient.refusal(wsUrl(sessionId, user.token), {
        origin: 'http://evil.example',
        'x-forwarded-host': 'evil.example',
      }),
    ).toBe(403);
  });

  it('refuses before the upgrade with the error body when asked over plain HTTP', async () => {
    const sessionId = await createSession(t, user.id);
    const res = await fetch(`${served.baseUrl}/api/chat/ws/${sessionId}?token=bad`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { detail: { code: string } };
    expect(body.detail.code).toBe('TOKEN_INVALID');
  });
});

describe('the protocol', () => {
  it('sends message, chunks with seq and messageId, then done with the stored answer', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 5 });
    const sessionId = await createSession(t, user.id);
    const ws = await WsClient.open(wsUrl(sessionId, user.token), { origin: ORIGIN });
    ws.send({ type: 'message', content: 'Hello' });
    const msgs = await ws.untilEnd();
    const [first, ...rest] = msgs;
    if (first?.type !== 'message') throw new Error(`expected message, got ${first?.type}`);
    expect(first.userMessage).toMatchObject({ role: 'user', content: 'Hello', status: 'complete' });
    const chunks = rest.filter((m) => m.type === 'chunk');
    expect(chunks.map((m) => (m.type === 'chunk' ? m.seq : 0))).toEqual(PIECES.map((_, i) => i + 1));
    expect(chunks.every((m) => m.type === 'chunk' && m.messageId === first.assistantMessageId)).toBe(true);
    expect(chunks.map((m) => (m.type === 'chunk' ? m.content : '')).join('')).toBe(REPLY);
    const done = rest.at(-1);
    expect(done).toMatchObject({
      type: 'done',
      messageId: first.assistantMessageId,
      status: 'complete',
      assistantMessage: { content: REPLY, status: 'complete' },
    });
    ws.close();
  });

  it('answers invalid JSON, unknown types and bad fields with VALIDATION_ERROR and keeps the socket open', async () => {
    fake.setScript({ reply: 'still here' });
    const sessionId = await createSession(t, user.id);
    const ws = await WsClient.open(wsUrl(sessionId, user.token));
    for (const bad of [
      '{not json',
      JSON.stringify({ type: 'dance' }),
      JSON.stringify({ type: 'message', content: '' }),
      JSON.stringify({ type: 'resume', after: 2_147_483_648 }),
      '42',
    ]) {
      ws.send(bad);
      expect(await ws.next()).toMatchObject({ type: 'error', code: 'VALIDATION_ERROR' });
    }
    ws.send({ type: 'message', content: 'works?' });
    const msgs = await ws.untilEnd();
    expect(msgs.at(-1)).toMatchObject({ type: 'done', assistantMessage: { content: 'still here' } });
    expect(ws.closed).toBeUndefined();
    ws.close();
  });

  it('refuses text PostgreSQL cannot store (NUL, a lone surrogate) in a frame, naming the field, and stores nothing', async () => {
    const sessionId = await createSession(t, user.id);
    const ws = await WsClient.open(wsUrl(sessionId, user.token));
    for (const content of ['a\u0000b', 'x\ud800y']) {
      ws.send({ type: 'message', content });
      const reply = await ws.next();
      expect(reply).toMatchObject({ type: 'error', code: 'VALIDATION_ERROR' });
      expect(String((reply as { message: string }).message)).toContain('content');
    }
    expect(await messageRows(t, sessionId)).toHaveLength(0);
    expect(ws.closed).toBeUndefined();
    ws.close();
  });

  it('stops on {"type":"stop"}: done says stopped, the partial text is stored as stopped', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 60 });
    const sessionId = await createSession(t, user.id);
    const ws = await WsClient.open(wsUrl(sessionId, user.token));
    ws.send({ type: 'message', content: 'Hello' });
    expect((await ws.next()).type).toBe('message');
    expect((await ws.next()).type).toBe('chunk');
    ws.send({ type: 'stop' });
    const rest = await ws.untilEnd();
    const done = rest.at(-1);
    if (done?.type !== 'done') throw new Error('no done');
    expect(done.status).toBe('stopped');
    expect(done.assistantMessage.status).toBe('stopped');
    const rows = await messageRows(t, sessionId);
    expect(rows[1]).toMatchObject({ status: 'stopped', content: done.assistantMessage.content });
    expect(REPLY.startsWith(rows[1]!.content) && rows[1]!.content.length < REPLY.length).toBe(true);
    ws.send({ type: 'stop' });
    expect(await ws.next()).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
    ws.close();
  });

  it('resumes on a new socket after a drop: replays after N, then live, no gap, no duplicate', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 40 });
    const sessionId = await createSession(t, user.id);
    const a = await WsClient.open(wsUrl(sessionId, user.token));
    a.send({ type: 'message', content: 'Hello' });
    expect((await a.next()).type).toBe('message');
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await a.next();
      if (m.type === 'chunk') got.push(m.content);
    }
    a.ws.terminate();
    await new Promise((r) => setTimeout(r, 100));
    const b = await WsClient.open(wsUrl(sessionId, user.token));
    b.send({ type: 'resume', after: 3 });
    const rest = await b.untilEnd();
    const chunks = rest.filter((m) => m.type === 'chunk');
    expect(chunks.map((m) => (m.type === 'chunk' ? m.seq : 0))).toEqual(PIECES.slice(3).map((_, i) => i + 4));
    expect(got.join('') + chunks.map((m) => (m.type === 'chunk' ? m.content : '')).join('')).toBe(REPLY);
    expect(rest.at(-1)).toMatchObject({ type: 'done', status: 'complete' });
    // Nothing in progress any more: a resume gets the stored answer.
    b.send({ type: 'resume', after: 0 });
    expect(await b.next()).toMatchObject({ type: 'done', assistantMessage: { content: REPLY } });
    b.close();
  });

  it('lets one of two senders win: the other gets a GENERATION_IN_PROGRESS error', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 20 });
    const sessionId = await createSession(t, user.id);
    const a = await WsClient.open(wsUrl(sessionId, user.token));
    const b = await WsClient.open(wsUrl(sessionId, user.token));
    a.send({ type: 'message', content: 'from a' });
    b.send({ type: 'message', content: 'from b' });
    const [ma, mb] = await Promise.all([a.next(), b.next()]);
    const types = [ma.type, mb.type].sort();
    expect(types).toEqual(['error', 'message']);
    const err = ma.type === 'error' ? ma : mb;
    expect(err).toMatchObject({ code: 'GENERATION_IN_PROGRESS' });
    const winner = ma.type === 'message' ? a : b;
    expect((await winner.untilEnd()).at(-1)).toMatchObject({ type: 'done', status: 'complete' });
    expect((await messageRows(t, sessionId)).filter((r) => r.role === 'assistant')).toHaveLength(1);
    a.close();
    b.close();
  });

  it('counts WebSocket messages against the chat rate limit', async () => {
    const limited = await createTestApp({
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test',
      CHAT_RATE_LIMIT_PER_MINUTE: '1',
    });
    const srv = await serveApp(limited);
    try {
      fake.setScript({ reply: 'ok' });
      const u = await seedUser(limited, 'ws_limited');
      const sessionId = await createSession(limited, u.id);
      const ws = await WsClient.open(`${srv.wsUrl}/api/chat/ws/${sessionId}?token=${u.token}`);
      ws.send({ type: 'message', content: 'one' });
      expect((await ws.untilEnd()).at(-1)?.type).toBe('done');
      ws.send({ type: 'message', content: 'two' });
      expect(await ws.next()).toMatchObject({ type: 'error', code: 'RATE_LIMITED' });
      ws.close();
    } finally {
      await srv.close();
      await limited.cleanup();
    }
  });

  it('refuses a message once the token is revoked, and closes the socket', async () => {
    const u = await seedUser(t, 'ws_logout');
    const sessionId = await createSession(t, u.id);
    const ws = await WsClient.open(wsUrl(sessionId, u.token));
    await t.ctx.tokens.revoke(await t.ctx.tokens.authenticate(u.token));
    ws.send({ type: 'message', content: 'after logout' });
    expect(await ws.next()).toMatchObject({ type: 'error', code: 'TOKEN_INVALID' });
    await new Promise((r) => setTimeout(r, 100));
    expect(ws.closed?.code).toBe(1008);
    expect(await messageRows(t, sessionId)).toEqual([]);
  });
});
