// The conversation tree over HTTP: regenerate, edit, switching branches, what the model is sent, and every refusal.
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, lastUserText } from '../../../test/fake-openai.js';
import { seedUser } from '../../../test/fixtures.js';
import { call, createAppWithModel, type TestApp, type TestAppWithModel } from '../../../test/harness.js';

async function newSession(t: TestApp, token: string): Promise<number> {
  const res = await call(t.app, 'POST', '/api/chat/sessions', { token, body: {} });
  expect(res.status).toBe(201);
  return res.body.id;
}

interface Msg {
  id: number;
  role: string;
  content: string;
  parentId: number | null;
  siblings: { index: number; count: number; ids: number[] };
}

/** The last chat request the fake received, as [role, text] pairs (the system prompt included). */
function lastPrompt(fake: FakeOpenAI): [string, string][] {
  const req = fake.chatRequests().at(-1)!;
  return req.body.messages.map((m) => [m.role, String(m.content)]);
}

describe('the conversation tree against the fake provider', () => {
  let fake: FakeOpenAI;
  let t: TestAppWithModel;
  let alice: { id: number; token: string };
  let bob: { id: number; token: string };
  let answers = 0;

  beforeAll(async () => {
    t = await createAppWithModel(
      {},
      {
        OPENAI_API_KEY: 'test',
        OPENAI_MODEL: 'fake-model',
        OPENAI_MAX_RETRIES: '0',
        OPENAI_TIMEOUT_MS: '2000',
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
  // Every answer differs, so alternatives can be told apart.
  afterEach(() => fake.setScript({ reply: (req) => `A${++answers} to ${lastUserText(req)}` }));

  async function send(sessionId: number, content: string) {
    fake.setScript({ reply: (req) => `A${++answers} to ${lastUserText(req)}` });
    const res = await call(t.app, 'POST', `/api/chat/sessions/${sessionId}/messages`, {
      token: alice.token,
      body: { content },
    });
    expect(res.status).toBe(201);
    return res.body as { userMessage: Msg; assistantMessage: Msg };
  }

  async function branch(sessionId: number, query = ''): Promise<{ messages: Msg[]; hasMore: boolean }> {
    const res = await call(t.app, 'GET', `/api/chat/sessions/${sessionId}${query}`, { token: alice.token });
    expect(res.status).toBe(200);
    return res.body;
  }

  it('regenerates an answer twice, keeps all three as alternatives, and switching shows each', async () => {
    const sid = await newSession(t, alice.token);
    const first = await send(sid, 'Q1');
    const second = await send(sid, 'Q2');

    const r1 = await call(
      t.app,
      'POST',
      `/api/chat/sessions/${sid}/messages/${second.assistantMessage.id}/regenerate`,
      { token: alice.token },
    );
    expect(r1.status).toBe(201);
    expect(r1.body.userMessage).toBeUndefined();
    expect(r1.body.assistantMessage).toMatchObject({
      role: 'assistant',
      status: 'complete',
      parentId: second.userMessage.id,
    });
    // The model is asked the same question again, without the answer being replaced.
    expect(lastPrompt(fake)).toEqual([
      ['system', 'You are a test assistant.'],
      ['user', 'Q1'],
      ['assistant', first.assistantMessage.content],
      ['user', 'Q2'],
    ]);
    const r2 = await call(
      t.app,
      'POST',
      `/api/chat/sessions/${sid}/messages/${r1.body.assistantMessage.id}/regenerate`,
      { token: alice.token },
    );
    expect(r2.status).toBe(201);

    const alternatives = [second.assistantMessage, r1.body.assistantMessage, r2.body.assistantMessage] as Msg[];
    expect(new Set(alternatives.map((m) => m.content)).size).toBe(3);
    const ids = alternatives.map((m) => m.id);

    // The newest alternative is shown, with its place among the three.
    const now = await branch(sid);
    expect(now.messages.map((m) => m.content)).toEqual([
      'Q1',
      first.assistantMessage.content,
      'Q2',
      alternatives[2]!.content,
    ]);
    expect(now.messages[3]!.siblings).toEqual({ index: 2, count: 3, ids });
    expect(now.messages[2]!.siblings).toEqual({ index: 0, count: 1, ids: [second.userMessage.id] });

    // Flip back through each alternative.
    for (const [i, alt] of alternatives.entries()) {
      const sel = await call(t.app, 'POST', `/api/chat/sessions/${sid}/messages/${alt.id}/select`, {
        token: alice.token,
      });
      expect(sel.status).toBe(200);
      expect(sel.body.messages.at(-1)).toMatchObject({
        id: alt.id,
        content: alt.content,
        siblings: { index: i, count: 3 },
      });
      const shown = await branch(sid);
      expect(shown.messages.map((m) => m.id)).toEqual([
        first.userMessage.id,
        first.assistantMessage.id,
        second.userMessage.id,
        alt.id,
      ]);
    }

    // Continuing from the first alternative: the model sees it, not the other two.
    await call(t.app, 'POST', `/api/chat/sessions/${sid}/messages/${ids[0]}/select`, { token: alice.token });
    const third = await send(sid, 'Q3');
    expect(third.userMessage.parentId).toBe(ids[0]);
    const sent = lastPrompt(fake);
    expect(sent.map(([, text]) => text)).toContain(alternatives[0]!.content);
    expect(sent.map(([, text]) => text)).not.toContain(alternatives[1]!.content);
    expect(sent.map(([, text]) => text)).not.toContain(alternatives[2]!.content);

    // Paging backwards follows the branch, never an alternative.
    const page = await branch(sid, '?limit=2');
    expect(page.messages.map((m) => m.content)).toEqual(['Q3', third.assistantMessage.content]);
    expect(page.hasMore).toBe(true);
    const older = await branch(sid, `?limit=3&before=${page.messages[0]!.id}`);
    expect(older.messages.map((m) => m.id)).toEqual([first.assistantMessage.id, second.userMessage.id, ids[0]]);
    expect(older.hasMore).toBe(true);
  });

  it('edits a message in the middle: the model sees only the new branch, and the old one stays reachable', async () => {
    const sid = await newSession(t, alice.token);
    const one = await send(sid, 'Q1');
    const two = await send(sid, 'Q2');
    const three = await send(sid, 'Q3');

    const edit = await call(t.app, 'POST', `/api/chat/sessions/${sid}/messages/${two.userMessage.id}/edit`, {
      token: alice.token,
      body: { content: '  Q2 edited  ' },
    });
    expect(edit.status).toBe(201);
    expect(edit.body.userMessage).toMatchObject({
      role: 'user',
      content: 'Q2 edited',
      parentId: one.assistantMessage.id,
    });
    expect(edit.body.assistantMessage).toMatchObject({ status: 'complete', parentId: edit.body.userMessage.id });
    expect(lastPrompt(fake)).toEqual([
      ['system', 'You are a test assistant.'],
      ['user', 'Q1'],
      ['assistant', one.assistantMessage.content],
      ['user', 'Q2 edited'],
    ]);

    const shown = await branch(sid);
    expect(shown.messages.map((m) => m.content)).toEqual([
      'Q1',
      one.assistantMessage.content,
      'Q2 edited',
      edit.body.assistantMessage.content,
    ]);
    expect(shown.messages[2]!.siblings).toEqual({
      index: 1,
      count: 2,
      ids: [two.userMessage.id, edit.body.userMessage.id],
    });

    // Continue the new branch: the old Q2, Q3 and their answers are never sent.
    await send(sid, 'Q4');
    expect(lastPrompt(fake)).toEqual([
      ['system', 'You are a test assistant.'],
      ['user', 'Q1'],
      ['assistant', one.assistantMessage.content],
      ['user', 'Q2 edited'],
      ['assistant', edit.body.assistantMessage.content],
      ['user', 'Q4'],
    ]);

    // Back to the original Q2: its whole branch, to its latest end.
    const back = await call(t.app, 'POST', `/api/chat/sessions/${sid}/messages/${two.userMessage.id}/select`, {
      token: alice.token,
    });
    expect(back.status).toBe(200);
    expect(back.body.messages.map((m: Msg) => m.id)).toEqual([
      one.userMessage.id,
      one.assistantMessage.id,
      two.userMessage.id,
      two.assistantMessage.id,
      three.userMessage.id,
      three.assistantMessage.id,
    ]);
    expect(back.body.messages[2].siblings).toEqual({
      index: 0,
      count: 2,
      ids: [two.userMessage.id, edit.body.userMessage.id],
    });

    // Editing the very first message makes a second root.
    const root = await call(t.app, 'POST', `/api/chat/sessions/${sid}/messages/${one.userMessage.id}/edit`, {
      token: alice.token,
      body: { content: 'Q1 again' },
    });
    expect(root.status).toBe(201);
    expect(root.body.userMessage.parentId).toBeNull();
    const fresh = await branch(sid);
    expect(fresh.messages.map((m) => m.content)).toEqual(['Q1 again', root.body.assistantMessage.content]);
    expect(fresh.messages[0]!.siblings).toEqual({
      index: 1,
      count: 2,
      ids: [one.userMessage.id, root.body.userMessage.id],
    });
    expect(lastPrompt(fake)).toEqual([
      ['system', 'You are a test assistant.'],
      ['user', 'Q1 again'],
    ]);
  });

  it('keeps a failed regeneration as an error alternative and answers 502', async () => {
    const sid = await newSession(t, alice.token);
    const one = await send(sid, 'Q1');
    fake.setScript({ error: { status: 500 } });
    const res = await call(t.app, 'POST', `/api/chat/sessions/${sid}/messages/${one.assistantMessage.id}/regenerate`, {
      token: alice.token,
    });
    expect(res.status).toBe(502);
    expect(res.body.detail.code).toBe('AI_API_ERROR');
    const shown = await branch(sid);
    expect(shown.messages[1]).toMatchObject({ status: 'error', siblings: { index: 1, count: 2 } });
    // The good answer is one switch away.
    const back = await call(t.app, 'POST', `/api/chat/sessions/${sid}/messages/${one.assistantMessage.id}/select`, {
      token: alice.token,
    });
    expect(back.body.messages[1]).toMatchObject({ id: one.assistantMessage.id, status: 'complete' });
  });

  it('refuses the wrong kind of message (400), a message of another session (404) and bad ids (400)', async () => {
    const sid = await newSession(t, alice.token);
    const other = await newSession(t, alice.token);
    const one = await send(sid, 'Q1');
    const elsewhere = await send(other, 'Q elsewhere');
    const before = fake.chatRequests().length;
    const base = `/api/chat/sessions/${sid}/messages`;

    const regenUser = await call(t.app, 'POST', `${base}/${one.userMessage.id}/regenerate`, { token: alice.token });
    expect(regenUser.status).toBe(400);
    expect(regenUser.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'messageId' });
    const editAnswer = await call(t.app, 'POST', `${base}/${one.assistantMessage.id}/edit`, {
      token: alice.token,
      body: { content: 'x' },
    });
    expect(editAnswer.status).toBe(400);
    expect(editAnswer.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'messageId' });
    const emptyEdit = await call(t.app, 'POST', `${base}/${one.userMessage.id}/edit`, {
      token: alice.token,
      body: { content: '   ' },
    });
    expect(emptyEdit.status).toBe(400);
    expect(emptyEdit.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'content' });

    for (const [path, body] of [
      [`${base}/${elsewhere.assistantMessage.id}/regenerate`, undefined],
      [`${base}/${elsewhere.userMessage.id}/edit`, { content: 'x' }],
      [`${base}/${elsewhere.userMessage.id}/select`, undefined],
      [`${base}/999999/select`, undefined],
    ] as const) {
      const res = await call(t.app, 'POST', path, { token: alice.token, body });
      expect(res.status, path).toBe(404);
      expect(res.body.detail.code).toBe('NOT_FOUND');
    }
    for (const path of [`${base}/abc/regenerate`, `${base}/0/select`, `/api/chat/sessions/x/messages/1/select`]) {
      const res = await call(t.app, 'POST', path, { token: alice.token });
      expect(res.status, path).toBe(400);
      expect(res.body.detail.code).toBe('VALIDATION_ERROR');
    }
    const missing = await call(t.app, 'POST', `/api/chat/sessions/999999/messages/1/regenerate`, {
      token: alice.token,
    });
    expect(missing.status).toBe(404);
    const noToken = await call(t.app, 'POST', `${base}/${one.assistantMessage.id}/regenerate`);
    expect(noToken.status).toBe(401);

    expect(fake.chatRequests().length).toBe(before);
    expect((await branch(sid)).messages).toHaveLength(2);
  });

  it('answers 409 to regenerate, edit and switch while an answer is being generated', async () => {
    const sid = await newSession(t, alice.token);
    const one = await send(sid, 'Q1');
    const res = await t.database.db.execute<{ id: number }>(
      sql`insert into messages (session_id, role, content, status, parent_id)
          values (${sid}, 'assistant', '', 'streaming', ${one.userMessage.id}) returning id`,
    );
    const base = `/api/chat/sessions/${sid}/messages`;
    const attempts = [
      await call(t.app, 'POST', `${base}/${one.assistantMessage.id}/regenerate`, { token: alice.token }),
      await call(t.app, 'POST', `${base}/${one.userMessage.id}/edit`, { token: alice.token, body: { content: 'x' } }),
      await call(t.app, 'POST', `${base}/${one.assistantMessage.id}/select`, { token: alice.token }),
    ];
    for (const r of attempts) {
      expect(r.status).toBe(409);
      expect(r.body.detail.code).toBe('GENERATION_IN_PROGRESS');
    }
    await t.database.db.execute(sql`update messages set status = 'error' where id = ${res.rows[0]!.id}`);
    const count = await t.database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from messages where session_id = ${sid}`,
    );
    expect(Number(count.rows[0]!.n)).toBe(3);
  });

  it('refuses every new route on another user’s session with 403, and changes nothing', async () => {
    const sid = await newSession(t, alice.token);
    const one = await send(sid, 'Q1');
    const before = fake.chatRequests().length;
    const base = `/api/chat/sessions/${sid}/messages`;
    const attempts = [
      await call(t.app, 'POST', `${base}/${one.assistantMessage.id}/regenerate`, { token: bob.token }),
      await call(t.app, 'POST', `${base}/${one.userMessage.id}/edit`, { token: bob.token, body: { content: 'x' } }),
      await call(t.app, 'POST', `${base}/${one.assistantMessage.id}/select`, { token: bob.token }),
      await call(t.app, 'PATCH', `/api/chat/sessions/${sid}`, { token: bob.token, body: { pinned: true } }),
      await call(t.app, 'PATCH', `/api/chat/sessions/${sid}`, { token: bob.token, body: { systemPrompt: 'hijack' } }),
    ];
    for (const r of attempts) {
      expect(r.status).toBe(403);
      expect(r.body.detail.code).toBe('FORBIDDEN');
    }
    expect(fake.chatRequests().length).toBe(before);
    const detail = await call(t.app, 'GET', `/api/chat/sessions/${sid}`, { token: alice.token });
    expect(detail.body.messages).toHaveLength(2);
    expect(detail.body).toMatchObject({ pinned: false, systemPrompt: null });
  });
});

describe('the conversation tree and the chat rate limit', () => {
  let _fake: FakeOpenAI;
  let t: TestAppWithModel;

  beforeAll(async () => {
    t = await createAppWithModel(
      {},
      { OPENAI_API_KEY: 'test', OPENAI_MAX_RETRIES: '0', CHAT_RATE_LIMIT_PER_MINUTE: '2' },
    );
    _fake = t.fake;
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('counts regenerate and edit as messages: over the limit, 429 and nothing stored', async () => {
    const alice = await seedUser(t);
    const sid = await newSession(t, alice.token);
    const sent = await call(t.app, 'POST', `/api/chat/sessions/${sid}/messages`, {
      token: alice.token,
      body: { content: 'Q1' },
    });
    expect(sent.status).toBe(201);
    const base = `/api/chat/sessions/${sid}/messages`;
    const regen = await call(t.app, 'POST', `${base}/${sent.body.assistantMessage.id}/regenerate`, {
      token: alice.token,
    });
    expect(regen.status).toBe(201);
    const edit = await call(t.app, 'POST', `${base}/${sent.body.userMessage.id}/edit`, {
      token: alice.token,
      body: { content: 'Q1 edited' },
    });
    expect(edit.status).toBe(429);
    expect(edit.body.detail.code).toBe('RATE_LIMITED');
    expect(edit.headers.get('retry-after')).toMatch(/^\d+$/);
    const again = await call(t.app, 'POST', `${base}/${sent.body.assistantMessage.id}/regenerate`, {
      token: alice.token,
    });
    expect(again.status).toBe(429);
    const count = await t.database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from messages where session_id = ${sid}`,
    );
    expect(Number(count.rows[0]!.n)).toBe(3);
  });
});
