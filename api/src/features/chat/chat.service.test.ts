// The service seam the streaming transports build on: beginTurn, buildPrompt, finishAnswer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeOpenAI } from '../../../test/fake-openai.js';
import { seedUser } from '../../../test/fixtures.js';
import { createAppWithModel, createTestApp, type TestApp, type TestAppWithModel } from '../../../test/harness.js';
import { AppError } from '../../http/app-error.js';
import { type ChatService, createChatService } from './chat.service.js';

describe('chat service seam', () => {
  let t: TestApp;
  let chat: ChatService;
  let userId: number;

  beforeAll(async () => {
    t = await createTestApp({ SYSTEM_PROMPT: 'System says hi.' });
    chat = createChatService(t.ctx);
    userId = (await seedUser(t, 'seam_user')).id;
  });
  afterAll(async () => t.cleanup());

  it('begins a turn: user message complete, empty streaming answer with the model, session titled', async () => {
    const session = await chat.createSession(userId);
    const turn = await chat.beginTurn(userId, session.id, 'Hello there\nmore');
    expect(turn.userMessage).toMatchObject({ role: 'user', content: 'Hello there\nmore', status: 'complete' });
    expect(turn.assistantMessage).toMatchObject({
      role: 'assistant',
      content: '',
      status: 'streaming',
      model: 'offline',
    });
    expect((await chat.requireOwnedSession(userId, session.id)).title).toBe('Hello there');
  });

  it('refuses a second turn while one is streaming with 409 GENERATION_IN_PROGRESS, storing nothing', async () => {
    const session = await chat.createSession(userId);
    const first = await chat.beginTurn(userId, session.id, 'one');
    const second = await chat.beginTurn(userId, session.id, 'two').catch((e: unknown) => e);
    expect(second).toBeInstanceOf(AppError);
    expect(second).toMatchObject({ code: 'GENERATION_IN_PROGRESS', status: 409 });
    const detail = await chat.getSessionDetail(userId, session.id, { limit: 10 });
    expect(detail.messages).toHaveLength(2);
    await chat.finishAnswer(first.assistantMessage.id, { content: 'done', status: 'complete' });
    await expect(chat.beginTurn(userId, session.id, 'three')).resolves.toBeDefined();
  });

  it('lets only one of two simultaneous turns on a session through', async () => {
    const session = await chat.createSession(userId);
    const results = await Promise.allSettled([
      chat.beginTurn(userId, session.id, 'a'),
      chat.beginTurn(userId, session.id, 'b'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'GENERATION_IN_PROGRESS' });
  });

  it('builds the prompt from earlier final messages only, never the streaming answer or failed ones', async () => {
    const session = await chat.createSession(userId);
    const t1 = await chat.beginTurn(userId, session.id, 'first question');
    await chat.finishAnswer(t1.assistantMessage.id, { content: 'first answer', status: 'complete' });
    const t2 = await chat.beginTurn(userId, session.id, 'second question');
    await chat.finishAnswer(t2.assistantMessage.id, { content: '', status: 'error' });
    const t3 = await chat.beginTurn(userId, session.id, 'third question');
    await chat.finishAnswer(t3.assistantMessage.id, { content: 'partial', status: 'stopped' });
    const t4 = await chat.beginTurn(userId, session.id, 'fourth question');

    const prompt = await chat.buildPrompt(session.id, t4.assistantMessage.id);
    expect(prompt.map((m) => [m.getType(), m.content])).toEqual([
      ['system', 'System says hi.'],
      ['human', 'first question'],
      ['ai', 'first answer'],
      ['human', 'second question'],
      ['human', 'third question'],
      ['ai', 'partial'],
      ['human', 'fourth question'],
    ]);
  });

  it('reads a history longer than one page when the budget allows it', async () => {
    const session = await chat.createSession(userId);
    for (let i = 1; i <= 35; i++) {
      const turn = await chat.beginTurn(userId, session.id, `q${i}`);
      await chat.finishAnswer(turn.assistantMessage.id, { content: `a${i}`, status: 'complete' });
    }
    const last = await chat.beginTurn(userId, session.id, 'final');
    const prompt = await chat.buildPrompt(session.id, last.assistantMessage.id);
    expect(prompt).toHaveLength(1 + 70 + 1);
    expect(prompt.slice(1, 3).map((m) => m.content)).toEqual(['q1', 'a1']);
    expect(prompt.at(-1)!.content).toBe('final');
  });

  it('finishes an answer with its content, status and usage, and moves the session to the top', async () => {
    const older = await chat.createSession(userId);
    const newer = await chat.createSession(userId);
    const turn = await chat.beginTurn(userId, older.id, 'q');
    // Another session touched after the turn began, so only finishAnswer can put `older` back on top.
    await chat.updateSession(userId, newer.id, { title: 'touched' });
    const done = await chat.finishAnswer(turn.assistantMessage.id, {
      content: 'the answer',
      status: 'complete',
      usage: { promptTokens: 9, completionTokens: 4, totalTokens: 13 },
    });
    expect(done).toMatchObject({
      id: turn.assistantMessage.id,
      content: 'the answer',
      status: 'complete',
      usage: { promptTokens: 9, completionTokens: 4, totalTokens: 13 },
    });
    const list = await chat.listSessions(userId, { limit: 2, offset: 0, sort: 'updated_at_desc' });
    expect(list.sessions[0]!.id).toBe(older.id);
  });

  it('tells a missing session (404) from another user’s (403)', async () => {
    const other = await seedUser(t, 'seam_other');
    const session = await chat.createSession(userId);
    await expect(chat.requireOwnedSession(other.id, session.id)).rejects.toMatchObject({ status: 403 });
    await expect(chat.requireOwnedSession(userId, 2_000_000_000)).rejects.toMatchObject({ status: 404 });
    await expect(chat.beginTurn(other.id, session.id, 'x')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('the non-streaming turn (GenerationManager.complete over this seam)', () => {
  let fake: FakeOpenAI;
  let t: TestAppWithModel;
  let chat: ChatService;
  let userId: number;
  beforeAll(async () => {
    t = await createAppWithModel(
      { reply: 'hello back', usage: { prompt_tokens: 3, completion_tokens: 2 } },
      { OPENAI_MAX_RETRIES: '0' },
    );
    fake = t.fake;
    chat = createChatService(t.ctx);
    userId = (await seedUser(t, 'send_user')).id;
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('stores the complete answer with its usage', async () => {
    const session = await chat.createSession(userId);
    const turn = await t.generations.complete(userId, session.id, 'hello');
    expect(turn.assistantMessage).toMatchObject({
      content: 'hello back',
      status: 'complete',
      usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 },
    });
  });

  it('marks the answer as error and throws the product’s error when the provider fails', async () => {
    const session = await chat.createSession(userId);
    fake.setScript({ error: { status: 503 } });
    await expect(t.generations.complete(userId, session.id, 'hello')).rejects.toMatchObject({ code: 'AI_API_ERROR' });
    const detail = await chat.getSessionDetail(userId, session.id, { limit: 10 });
    expect(detail.messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'error'],
    ]);
  });
});
