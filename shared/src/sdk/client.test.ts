// The SDK against the real API on a real port: every method, every error path, streaming (abort, resume, stop),
// and at the end every JSON response and streamed event seen here validated against the served OpenAPI document.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { type JsonSchema, validateJson } from '../../../api/src/features/docs/json-schema.js';
import type { SseEvent, WsServerMessage } from '../contracts/stream.js';
import { type RecordedResponse, type RunningApi, recordingFetch, startApi } from './api.test-support.js';
import { type ChatbotClient, createClient } from './client.js';
import { ApiError, isAbortError } from './errors.js';

const REPLY = 'alpha beta gamma delta epsilon zeta eta theta iota kappa';
const PIECES = REPLY.match(/\s*\S+\s*/g)!;
const PASSWORD = 'Correct horse 42';

let api: RunningApi;
let recorder: ReturnType<typeof recordingFetch>;
const sseSeen: SseEvent[] = [];
const wsSeen: WsServerMessage[] = [];
let token: string | undefined;
let unauthorizedCalls = 0;
let client: ChatbotClient;

/** Reads a whole SSE iterator, remembering every event for the OpenAPI check. */
async function drain(events: AsyncIterable<SseEvent>, stopAfterChunks = Number.POSITIVE_INFINITY): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const ev of events) {
    out.push(ev);
    sseSeen.push(ev);
    if (out.filter((e) => e.event === 'chunk').length >= stopAfterChunks) break;
  }
  return out;
}

async function expectApiError(p: Promise<unknown>, status: number, code: string, field?: string): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  const apiErr = err as ApiError;
  expect({ status: apiErr.status, code: apiErr.code }).toEqual({ status, code });
  if (field !== undefined) expect(apiErr.field).toBe(field);
  return apiErr;
}

function textOf(events: SseEvent[]): string {
  return events.map((e) => (e.event === 'chunk' ? e.data.content : '')).join('');
}

async function newUser(name: string): Promise<ChatbotClient> {
  let own: string | undefined;
  const c = createClient({ baseUrl: api.baseUrl, fetch: recorder.fetch, token: () => own, WebSocket: NodeWebSocket });
  await c.auth.register({ username: name, email: `${name}@example.com`, password: PASSWORD });
  own = (await c.auth.login({ username: name, password: PASSWORD })).accessToken;
  return c;
}

beforeAll(async () => {
  api = await startApi();
  api.fake.setScript({ reply: REPLY, chunkDelayMs: 2 });
  recorder = recordingFetch();
  client = createClient({
    baseUrl: api.baseUrl,
    fetch: recorder.fetch,
    token: () => token,
    WebSocket: NodeWebSocket,
    validate: true,
    onUnauthorized: () => {
      unauthorizedCalls++;
    },
  });
});

afterAll(async () => {
  await api?.close();
});

describe('health and accounts', () => {
  it('reads health with the provider in use', async () => {
    const health = await client.health();
    expect(health).toMatchObject({ status: 'ok', provider: 'openai-compatible' });
  });

  it('registers, logs in, reads me, and logs out', async () => {
    const user = await client.auth.register({
      username: 'sdk_alice',
      email: 'SDK_Alice@Example.com',
      password: PASSWORD,
    });
    expect(user).toMatchObject({ username: 'sdk_alice', email: 'sdk_alice@example.com' });
    const login = await client.auth.login({ username: 'sdk_alice@example.com', password: PASSWORD });
    expect(login.tokenType).toBe('Bearer');
    token = login.accessToken;
    expect(await client.auth.me()).toMatchObject({ id: user.id, username: 'sdk_alice' });

    // log out a second token, then that token is refused with TOKEN_INVALID and onUnauthorized hears of it
    const second = (await client.auth.login({ username: 'sdk_alice', password: PASSWORD })).accessToken;
    const other = createClient({ baseUrl: api.baseUrl, fetch: recorder.fetch, token: second });
    expect((await other.auth.logout()).message).toMatch(/.+/);
    await expectApiError(other.auth.me(), 401, 'TOKEN_INVALID');
    // the first token still works
    expect((await client.auth.me()).id).toBe(user.id);
  });

  it('throws ApiError with the code and field for each refusal', async () => {
    await expectApiError(
      client.auth.register({ username: 'sdk_alice', email: 'new@example.com', password: PASSWORD }),
      409,
      'DUPLICATE_USERNAME',
      'username',
    );
    await expectApiError(
      client.auth.register({ username: 'sdk_bob', email: 'sdk_alice@example.com', password: PASSWORD }),
      409,
      'DUPLICATE_EMAIL',
      'email',
    );
    await expectApiError(
      client.auth.register({ username: 'sdk_bob', email: 'bob@example.com', password: 'short' }),
      400,
      'VALIDATION_ERROR',
      'password',
    );
    const failed = await expectApiError(
      client.auth.login({ username: 'sdk_alice', password: 'Wrong password 1' }),
      401,
      'AUTHENTICATION_FAILED',
    );
    expect(failed.requestId).toMatch(/.+/);
    expect(failed.message).toMatch(/.+/);
  });

  it('calls onUnauthorized on a 401 and reads the token before every call', async () => {
    const saved = token;
    token = undefined;
    const before = unauthorizedCalls;
    await expectApiError(client.auth.me(), 401, 'UNAUTHORIZED');
    expect(unauthorizedCalls).toBe(before + 1);
    token = 'not-a-jwt';
    await expectApiError(client.auth.me(), 401, 'TOKEN_INVALID');
    token = saved;
    expect((await client.auth.me()).username).toBe('sdk_alice');
    // a failed login is not a lost token
    await expectApiError(
      client.auth.login({ username: 'sdk_alice', password: 'Wrong-pass-1' }),
      401,
      'AUTHENTICATION_FAILED',
    );
    expect(unauthorizedCalls).toBe(before + 2);
  });

  it('refuses a body over the limit with PAYLOAD_TOO_LARGE', async () => {
    await expectApiError(
      client.auth.login({ username: 'sdk_alice', password: 'x'.repeat(70_000) }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('turns an unreachable server into status 0 SERVICE_UNAVAILABLE', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const offline = createClient({ baseUrl: `http://127.0.0.1:${port}` });
    await expectApiError(offline.health(), 0, 'SERVICE_UNAVAILABLE');
  });

  it('rethrows an abort as the AbortError, not as an ApiError', async () => {
    const err = await client.health({ signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(isAbortError(err)).toBe(true);
    expect(err).not.toBeInstanceOf(ApiError);
  });

  it('reports a response that breaks the contract when validating', async () => {
    const liar = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'ok', provider: 'nobody-knows', model: 'x' }));
    });
    await new Promise<void>((r) => liar.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
    try {
      const err = await expectApiError(createClient({ baseUrl: base, validate: true }).health(), 0, 'INTERNAL_ERROR');
      expect(err.message).toContain('healthResponseSchema');
      // without validation the same body is returned as is
      expect((await createClient({ baseUrl: base, validate: false }).health()).provider).toBe('nobody-knows');
    } finally {
      await new Promise<void>((r) => liar.close(() => r()));
    }
  });
});

describe('sessions and messages', () => {
  it('creates, lists, reads, renames and deletes sessions', async () => {
    const a = await client.sessions.create();
    expect(a.title).toBe('New Conversation');
    const b = await client.sessions.create({ title: '  Second  ' });
    expect(b.title).toBe('Second');

    const list = await client.sessions.list({ limit: 1, sort: 'created_at_asc' });
    expect(list.total).toBeGreaterThanOrEqual(2);
    expect(list.sessions).toHaveLength(1);
    expect(list.sessions[0]?.id).toBe(a.id);

    const renamed = await client.sessions.rename(a.id, 'Renamed');
    expect(renamed).toMatchObject({ id: a.id, title: 'Renamed' });
    expect((await client.sessions.get(a.id)).title).toBe('Renamed');

    expect((await client.sessions.delete(b.id)).message).toMatch(/deleted/i);
    await expectApiError(client.sessions.get(b.id), 404, 'NOT_FOUND');
  });

  it('sends a message and pages the history backwards', async () => {
    const s = await client.sessions.create();
    const first = await client.messages.send(s.id, 'first question');
    expect(first.userMessage).toMatchObject({ role: 'user', content: 'first question' });
    expect(first.assistantMessage).toMatchObject({ role: 'assistant', content: REPLY, status: 'complete' });
    await client.messages.send(s.id, 'second question');

    const latest = await client.sessions.get(s.id, { limit: 2 });
    expect(latest.messages.map((m) => m.content)).toEqual(['second question', REPLY]);
    expect(latest.hasMore).toBe(true);
    const older = await client.sessions.get(s.id, { limit: 10, before: latest.messages[0]!.id });
    expect(older.messages.map((m) => m.content)).toEqual(['first question', REPLY]);
    expect(older.hasMore).toBe(false);
  });

  it("maps every session error: bad id, bad input, someone else's session, provider failure", async () => {
    const mine = await client.sessions.create({ title: 'Mine' });
    await expectApiError(client.sessions.get(0), 400, 'VALIDATION_ERROR', 'id');
    await expectApiError(client.sessions.list({ limit: 0 }), 400, 'VALIDATION_ERROR', 'limit');
    await expectApiError(client.sessions.rename(mine.id, '   '), 400, 'VALIDATION_ERROR', 'title');
    await expectApiError(client.messages.send(mine.id, ' '), 400, 'VALIDATION_ERROR', 'content');
    await expectApiError(client.sessions.get(999_999), 404, 'NOT_FOUND');

    const bob = await newUser('sdk_bob');
    await expectApiError(bob.sessions.get(mine.id), 403, 'FORBIDDEN');
    await expectApiError(bob.sessions.rename(mine.id, 'x'), 403, 'FORBIDDEN');
    await expectApiError(bob.sessions.delete(mine.id), 403, 'FORBIDDEN');
    await expectApiError(bob.messages.send(mine.id, 'hi'), 403, 'FORBIDDEN');
    await expectApiError(bob.chat.stop(mine.id), 403, 'FORBIDDEN');

    api.fake.setScript({ error: { status: 500 } });
    try {
      await expectApiError(client.messages.send(mine.id, 'will fail'), 502, 'AI_API_ERROR');
    } finally {
      api.fake.setScript({ reply: REPLY, chunkDelayMs: 2 });
    }
    const after = await client.sessions.get(mine.id);
    expect(after.messages[0]).toMatchObject({ role: 'user', content: 'will fail' });
  });
});

describe('branches, settings and pins', () => {
  it('regenerates, edits and switches branches, waiting or streamed', async () => {
    api.fake.setScript({ reply: REPLY, chunkDelayMs: 1 });
    const s = await client.sessions.create();
    const first = await client.messages.send(s.id, 'branch me');
    const again = await client.messages.regenerate(s.id, first.assistantMessage.id);
    expect(again.assistantMessage.id).not.toBe(first.assistantMessage.id);
    const streamed = await drain(client.chat.regenerate(s.id, again.assistantMessage.id));
    expect(streamed.at(-1)?.event).toBe('done');
    const detail = await client.sessions.get(s.id);
    expect(detail.messages.at(-1)?.siblings?.count).toBe(3);

    const edited = await client.messages.edit(s.id, first.userMessage.id, 'branch me, edited');
    expect(edited.userMessage?.content).toBe('branch me, edited');
    const editStream = await drain(client.chat.edit(s.id, first.userMessage.id, 'edited again'));
    expect(editStream[0]).toMatchObject({ event: 'message', data: { userMessage: { content: 'edited again' } } });

    const back = await client.sessions.selectBranch(s.id, first.assistantMessage.id);
    expect(back.messages.map((m) => m.id)).toEqual([first.userMessage.id, first.assistantMessage.id]);
    await expectApiError(client.messages.regenerate(s.id, 999_999), 404, 'NOT_FOUND');
  });

  it('updates settings and pins, and refuses an unknown model', async () => {
    const s = await client.sessions.create({ title: 'Settings' });
    const updated = await client.sessions.update(s.id, { pinned: true, temperature: 0.5, systemPrompt: 'Be brief' });
    expect(updated).toMatchObject({ pinned: true, temperature: 0.5, systemPrompt: 'Be brief' });
    await expectApiError(client.sessions.update(s.id, { model: 'no-such-model' }), 400, 'VALIDATION_ERROR', 'model');
    const list = await client.sessions.list();
    expect(list.sessions[0]?.id).toBe(s.id);
  });
});

describe('models, search, export and import', () => {
  it('lists the models with the default first', async () => {
    const models = await client.models();
    expect(models.models[0]).toBe(models.default);
  });

  it("finds the user's own text and refuses an empty query", async () => {
    const s = await client.sessions.create({ title: 'Searchable' });
    await client.messages.send(s.id, 'the zanzibar archipelago');
    const found = await client.search('zanzibar', { limit: 5 });
    expect(found.total).toBeGreaterThanOrEqual(1);
    const hit = found.results.find((r) => r.messageId !== null)!;
    expect(hit.sessionId).toBe(s.id);
    const [h] = hit.highlights;
    expect(hit.snippet.slice(h!.start, h!.end).toLowerCase()).toBe('zanzibar');
    await expectApiError(client.search(''), 400, 'VALIDATION_ERROR', 'q');
  });

  it('exports a session as Markdown and JSON, and imports the file back', async () => {
    const s = await client.sessions.create({ title: 'Exported' });
    await client.messages.send(s.id, 'keep this');
    const markdown = await client.sessions.export(s.id);
    expect(markdown).toContain('Exported');
    expect(markdown).toContain('keep this');
    const file = await client.sessions.export(s.id, 'json');
    expect(file.sessions[0]?.messages.map((m) => m.content)).toEqual(['keep this', REPLY]);

    const imported = await client.importData(file);
    expect(imported.imported).toBe(1);
    const copy = await client.sessions.get(imported.sessionIds[0]!);
    expect(copy.messages.map((m) => m.content)).toEqual(['keep this', REPLY]);

    const all = await client.exportAll();
    expect(all.sessions.length).toBeGreaterThanOrEqual(2);
    await expectApiError(client.importData({ ...file, version: 2 as 1 }), 400, 'VALIDATION_ERROR', 'version');
    await expectApiError(client.sessions.export(999_999, 'json'), 404, 'NOT_FOUND');
  });
});

describe('rate limits', () => {
  it('throws RATE_LIMITED with retryAfter once the limit is reached', async () => {
    const limited = await startApi({ AUTH_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const c = createClient({ baseUrl: limited.baseUrl, fetch: recorder.fetch });
      // The limit counts per minute window: 5 attempts span at most two windows, so one must be refused.
      let err: ApiError | undefined;
      for (let i = 0; i < 5 && !err; i++) {
        const e = await c.auth.login({ username: 'nobody', password: 'Nope-1234' }).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(ApiError);
        if ((e as ApiError).status === 429) err = e as ApiError;
        else expect((e as ApiError).code).toBe('AUTHENTICATION_FAILED');
      }
      expect(err?.code).toBe('RATE_LIMITED');
      expect(err?.retryAfter).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('streaming over SSE', () => {
  it('yields message, every chunk in order, then done', async () => {
    const s = await client.sessions.create();
    const events = await drain(client.chat.stream(s.id, 'stream please'));
    expect(events[0]).toMatchObject({ event: 'message', id: 0 });
    const chunks = events.filter((e) => e.event === 'chunk');
    expect(chunks.map((e) => e.id)).toEqual(PIECES.map((_, i) => i + 1));
    expect(textOf(events)).toBe(REPLY);
    const done = events.at(-1);
    expect(done?.event).toBe('done');
    if (done?.event === 'done')
      expect(done.data.assistantMessage).toMatchObject({ content: REPLY, status: 'complete' });
  });

  it('throws the ApiError of a refused stream from the loop (404, 400)', async () => {
    await expectApiError(drain(client.chat.stream(999_999, 'x')), 404, 'NOT_FOUND');
    const s = await client.sessions.create();
    await expectApiError(drain(client.chat.stream(s.id, '')), 400, 'VALIDATION_ERROR', 'content');
  });

  it('stops reading on abort, while the answer goes on and is stored', async () => {
    api.fake.setScript({ reply: REPLY, chunkDelayMs: 30 });
    const s = await client.sessions.create();
    const controller = new AbortController();
    const seen: SseEvent[] = [];
    const err = await (async () => {
      for await (const ev of client.chat.stream(s.id, 'abort me', { signal: controller.signal })) {
        seen.push(ev);
        if (ev.event === 'chunk' && ev.id === 2) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(isAbortError(err)).toBe(true);
    expect(seen.filter((e) => e.event === 'chunk')).toHaveLength(2);
    // the server kept generating: the stored answer ends up whole
    const stored = await waitForAnswer(s.id);
    expect(stored).toMatchObject({ content: REPLY, status: 'complete' });
  });

  it('resumes after chunk N with no duplicate and no gap', async () => {
    api.fake.setScript({ reply: REPLY, chunkDelayMs: 25 });
    const s = await client.sessions.create();
    const firstPart = await drain(client.chat.stream(s.id, 'resume me'), 3);
    const firstChunks = firstPart.filter((e) => e.event === 'chunk');
    expect(firstChunks.map((e) => e.id)).toEqual([1, 2, 3]);

    const rest = await drain(client.chat.resume(s.id, { after: 3 }));
    const restChunks = rest.filter((e) => e.event === 'chunk');
    expect(restChunks[0]?.id).toBe(4);
    expect(restChunks.map((e) => e.id)).toEqual(restChunks.map((_, i) => i + 4));
    expect(textOf(firstPart) + textOf(rest)).toBe(REPLY);
    expect(rest.at(-1)?.event).toBe('done');
  });

  it('resumes a finished answer as its stored done event', async () => {
    api.fake.setScript({ reply: REPLY, chunkDelayMs: 1 });
    const s = await client.sessions.create();
    await client.messages.send(s.id, 'already answered');
    const events = await drain(client.chat.resume(s.id, { after: 0 }));
    expect(events).toHaveLength(1);
    expect(events[0]?.event).toBe('done');
    if (events[0]?.event === 'done') expect(events[0].data.assistantMessage.content).toBe(REPLY);
  });

  it('stops an answer: the text so far is stored as stopped and the stream ends with it', async () => {
    api.fake.setScript({ reply: REPLY, chunkDelayMs: 40 });
    const s = await client.sessions.create();
    const events: SseEvent[] = [];
    let stopped: Awaited<ReturnType<ChatbotClient['chat']['stop']>> | undefined;
    for await (const ev of client.chat.stream(s.id, 'stop me')) {
      events.push(ev);
      sseSeen.push(ev);
      if (ev.event === 'chunk' && ev.id === 1) stopped = await client.chat.stop(s.id);
    }
    expect(stopped?.assistantMessage.status).toBe('stopped');
    const done = events.at(-1);
    expect(done?.event).toBe('done');
    if (done?.event === 'done') {
      expect(done.data.assistantMessage.status).toBe('stopped');
      expect(REPLY.startsWith(done.data.assistantMessage.content)).toBe(true);
      expect(done.data.assistantMessage.content.length).toBeLessThan(REPLY.length);
    }
  });

  it('refuses a second answer while one is in progress with GENERATION_IN_PROGRESS', async () => {
    api.fake.setScript({ reply: REPLY, chunkDelayMs: 30 });
    const s = await client.sessions.create();
    const first = client.chat.stream(s.id, 'one')[Symbol.asyncIterator]();
    expect((await first.next()).value).toMatchObject({ event: 'message' });
    await expectApiError(drain(client.chat.stream(s.id, 'two')), 409, 'GENERATION_IN_PROGRESS');
    await expectApiError(client.messages.send(s.id, 'three'), 409, 'GENERATION_IN_PROGRESS');
    await client.chat.stop(s.id);
    for (let r = await first.next(); !r.done; r = await first.next()) sseSeen.push(r.value);
  });
});

describe('streaming over WebSocket (the ws package as constructor)', () => {
  async function collectUntilDone(socket: ReturnType<ChatbotClient['chat']['connect']>): Promise<WsServerMessage[]> {
    const out: WsServerMessage[] = [];
    for await (const m of socket) {
      out.push(m);
      wsSeen.push(m);
      if (m.type === 'done' || m.type === 'error') break;
    }
    return out;
  }

  it('sends a message and reads message, chunks with seq, then done', async () => {
    api.fake.setScript({ reply: REPLY, chunkDelayMs: 2 });
    const s = await client.sessions.create();
    const socket = client.chat.connect(s.id);
    await socket.opened;
    expect(socket.state).toBe('open');
    socket.send('over the socket');
    const messages = await collectUntilDone(socket);
    expect(messages[0]?.type).toBe('message');
    const chunks = messages.filter((m) => m.type === 'chunk');
    expect(chunks.map((m) => (m.type === 'chunk' ? m.seq : 0))).toEqual(PIECES.map((_, i) => i + 1));
    expect(messages.at(-1)).toMatchObject({ type: 'done', status: 'complete' });
    expect(socket.lastSeq).toBe(PIECES.length);
    socket.close();
  });

  it('resumes on a new socket after the last chunk seen, and stops from the socket', async () => {
    api.fake.setScript({ reply: REPLY, chunkDelayMs: 25 });
    const s = await client.sessions.create();
    const first = client.chat.connect(s.id);
    first.send('resume over ws');
    const seen: string[] = [];
    let lastSeq = 0;
    for await (const m of first) {
      wsSeen.push(m);
      if (m.type === 'chunk') {
        seen.push(m.content);
        lastSeq = m.seq;
        if (m.seq === 3) break;
      }
    }
    first.close();
    expect(lastSeq).toBe(3);

    const second = client.chat.connect(s.id);
    second.resume(lastSeq);
    const rest = await collectUntilDone(second);
    const restChunks = rest.filter((m) => m.type === 'chunk');
    expect(restChunks.map((m) => (m.type === 'chunk' ? m.seq : 0))).toEqual(restChunks.map((_, i) => i + 4));
    expect(seen.join('') + restChunks.map((m) => (m.type === 'chunk' ? m.content : '')).join('')).toBe(REPLY);
    expect(rest.at(-1)).toMatchObject({ type: 'done', status: 'complete' });

    second.send('now stop this one');
    const stopped: WsServerMessage[] = [];
    for await (const m of second) {
      stopped.push(m);
      wsSeen.push(m);
      if (m.type === 'chunk') second.stop();
      if (m.type === 'done') break;
    }
    expect(stopped.at(-1)).toMatchObject({ type: 'done', status: 'stopped' });
    second.close();
  });

  it('regenerates and edits over the socket', async () => {
    api.fake.setScript({ reply: REPLY, chunkDelayMs: 1 });
    const s = await client.sessions.create();
    const first = await client.messages.send(s.id, 'socket branch');
    const socket = client.chat.connect(s.id);
    socket.regenerate(first.assistantMessage.id);
    const regenerated = await collectUntilDone(socket);
    expect(regenerated[0]).toMatchObject({ type: 'message', userMessage: { id: first.userMessage.id } });
    expect(regenerated.at(-1)).toMatchObject({ type: 'done', status: 'complete' });
    socket.edit(first.userMessage.id, 'socket branch, edited');
    const edited = await collectUntilDone(socket);
    expect(edited[0]).toMatchObject({ type: 'message', userMessage: { content: 'socket branch, edited' } });
    expect(edited.at(-1)).toMatchObject({ type: 'done', status: 'complete' });
    socket.close();
  });

  it('refuses the upgrade with the API error: bad token 401, missing 404, not yours 403', async () => {
    const s = await client.sessions.create();
    const bad = createClient({ baseUrl: api.baseUrl, token: 'nope', WebSocket: NodeWebSocket });
    const refused = bad.chat.connect(s.id);
    const err = await refused.opened.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    // @hono/node-server sends a refused upgrade without its body, so the code comes from the status
    expect((err as ApiError).code).toBe('UNAUTHORIZED');
    expect(refused.state).toBe('closed');

    const missing = client.chat.connect(999_999);
    await expectApiError(missing.opened, 404, 'NOT_FOUND');
    const bob = await newUser('sdk_ws_bob');
    const notYours = bob.chat.connect(s.id);
    // iterating a refused socket throws the same error
    await expectApiError(
      (async () => {
        for await (const _ of notYours) {
          // nothing arrives
        }
      })(),
      403,
      'FORBIDDEN',
    );
  });

  it('keeps the socket open after an invalid message and closes on abort', async () => {
    const s = await client.sessions.create();
    const controller = new AbortController();
    const socket = client.chat.connect(s.id, { signal: controller.signal });
    await socket.opened;
    const errors: WsServerMessage[] = [];
    socket.on('message', (m) => {
      if (m.type === 'error') errors.push(m);
    });
    const closed = new Promise<{ code: number }>((r) => socket.on('close', r));
    socket.send('');
    await new Promise<void>((r) => {
      const off = socket.on('message', () => {
        off();
        r();
      });
    });
    expect(errors[0]).toMatchObject({ type: 'error', code: 'VALIDATION_ERROR' });
    expect(socket.state).toBe('open');
    controller.abort();
    await closed;
    expect(socket.state).toBe('closed');
    expect(() => socket.send('late')).toThrow(ApiError);
  });
});

describe('the OpenAPI document against what the API really sent', () => {
  it('validates every JSON response and every streamed event seen in this file', async () => {
    const docRes = await fetch(`${api.baseUrl}/api/openapi.json`);
    const doc = (await docRes.json()) as {
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, JsonSchema> }>>;
      components: { responses: Record<string, { content: Record<string, { schema: JsonSchema }> }> };
    };
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        re: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`),
        op,
      })),
    );
    const schemaFor = (r: RecordedResponse): JsonSchema => {
      const match = ops.find((o) => o.method === r.method && o.re.test(r.path));
      if (!match) throw new Error(`no operation for ${r.method} ${r.path}`);
      const response = match.op.responses[String(r.status)];
      if (!response) throw new Error(`${match.op.operationId} does not document status ${r.status}`);
      const resolved = response.$ref
        ? doc.components.responses[String(response.$ref).split('/').pop()!]!
        : (response as { content: Record<string, { schema: JsonSchema }> });
      const json = resolved.content['application/json'];
      if (!json) throw new Error(`${match.op.operationId} ${r.status} documents no JSON body`);
      return json.schema;
    };

    const responses = await recorder.responses();
    const operationsSeen = new Set<string>();
    const problems: string[] = [];
    for (const r of responses) {
      const issues = validateJson(schemaFor(r), r.body, doc);
      operationsSeen.add(`${r.method} ${r.path.replace(/\/\d+/g, '/{id}')} ${r.status}`);
      for (const i of issues) problems.push(`${r.method} ${r.path} ${r.status}: ${i.path} ${i.message}`);
    }
    expect(problems).toEqual([]);
    expect(operationsSeen.size).toBeGreaterThan(20);

    const stream = doc.paths['/api/chat/sessions/{id}/messages/stream']!.post!.responses['200'] as {
      content: Record<string, { 'x-event-schema': JsonSchema }>;
    };
    const eventSchema = stream.content['text/event-stream']!['x-event-schema'];
    expect(sseSeen.length).toBeGreaterThan(20);
    for (const ev of sseSeen) expect(validateJson(eventSchema, ev, doc)).toEqual([]);

    const ws = doc.paths['/api/chat/ws/{sessionId}']!.get!.responses['101'] as { 'x-message-schema': JsonSchema };
    expect(wsSeen.length).toBeGreaterThan(10);
    for (const m of wsSeen) expect(validateJson(ws['x-message-schema'], m, doc)).toEqual([]);
  });
});

async function waitForAnswer(sessionId: number) {
  const end = Date.now() + 10_000;
  for (;;) {
    const detail = await client.sessions.get(sessionId);
    const answer = detail.messages.at(-1);
    if (answer && answer.role === 'assistant' && answer.status !== 'streaming') return answer;
    if (Date.now() > end) throw new Error('the answer was never stored');
    await new Promise((r) => setTimeout(r, 30));
  }
}
