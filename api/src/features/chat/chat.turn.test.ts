// The fast start of a new message (beginTurn): the prompt built while the turn is stored equals the one read afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUser } from '../../../test/fixtures.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { createChatRepo } from './chat.repo.js';
import { type ChatService, createChatService } from './chat.service.js';

const shape = (messages: { getType(): string; content: unknown }[] | undefined) =>
  messages?.map((m) => [m.getType(), m.content]);

describe('beginTurn builds the prompt with the turn', () => {
  let t: TestApp;
  let chat: ChatService;
  let userId: number;

  beforeAll(async () => {
    t = await createTestApp({ SYSTEM_PROMPT: 'Be brief.' });
    chat = createChatService(t.ctx);
    userId = (await seedUser(t, 'turn_user')).id;
  });
  afterAll(async () => t.cleanup());

  it('gives a new session the system prompt and the first message, the same prompt buildPrompt reads', async () => {
    const session = await chat.createSession(userId);
    const turn = await chat.beginTurn(userId, session.id, 'First question');
    expect(shape(turn.prompt)).toEqual([
      ['system', 'Be brief.'],
      ['human', 'First question'],
    ]);
    expect(shape(turn.prompt)).toEqual(shape(await chat.buildPrompt(session.id, turn.assistantMessage.id)));
  });

  it('includes the branch so far (newest last) and leaves out the answer being written', async () => {
    const session = await chat.createSession(userId);
    const first = await chat.beginTurn(userId, session.id, 'one');
    await chat.finishAnswer(first.assistantMessage.id, { content: 'answer one', status: 'complete' });
    const second = await chat.beginTurn(userId, session.id, 'two');
    expect(shape(second.prompt)).toEqual([
      ['system', 'Be brief.'],
      ['human', 'one'],
      ['ai', 'answer one'],
      ['human', 'two'],
    ]);
    expect(shape(second.prompt)).toEqual(shape(await chat.buildPrompt(session.id, second.assistantMessage.id)));
  });

  it('repairs a session whose messages have no tree yet before adding to it (an import, an old database)', async () => {
    const session = await chat.createSession(userId);
    for (const [role, content] of [
      ['user', 'old question'],
      ['assistant', 'old answer'],
    ] as const) {
      await t.database.pool.query(
        `insert into messages (session_id, role, content, status) values ($1, $2, $3, 'complete')`,
        [session.id, role, content],
      );
    }
    const turn = await chat.beginTurn(userId, session.id, 'new question');
    expect(shape(turn.prompt)).toEqual([
      ['system', 'Be brief.'],
      ['human', 'old question'],
      ['ai', 'old answer'],
      ['human', 'new question'],
    ]);
    const detail = await chat.getSessionDetail(userId, session.id, { limit: 10 });
    expect(detail.messages.map((m) => m.content)).toEqual(['old question', 'old answer', 'new question', '']);
  });

  it('stores the first turn of a new session even when some message elsewhere has an id equal to its session id', async () => {
    const repo = createChatRepo(t.database.db);
    // The exact coincidence that once made "has this session messages?" true for every session (an unqualified
    // column in a subquery): a message whose id is the id of its own session (ids far above the other tests').
    const fullId = 900_001;
    await t.database.pool.query(
      "insert into chat_sessions (id, user_id, title) overriding system value values ($1, $2, 'full')",
      [fullId, userId],
    );
    await t.database.pool.query(
      "insert into messages (id, session_id, role, content, status) overriding system value values ($1, $1, 'user', 'x', 'complete')",
      [fullId],
    );
    const turn = {
      userId,
      apiKeyId: null,
      content: 'hello',
      requestedModel: null,
      models: [t.ctx.llm.defaultModel],
      defaultModel: t.ctx.llm.defaultModel,
      titleIfUntitled: 'hello',
      historyLimit: 50,
    };
    const empty = await chat.createSession(userId);
    expect((await repo.appendTurnChecked({ ...turn, sessionId: empty.id })).kind).toBe('stored');
    // A session with messages but no tree is handed back for repair, with nothing stored.
    expect((await repo.appendTurnChecked({ ...turn, sessionId: fullId })).kind).toBe('needs-tree');
    const { rows } = await t.database.pool.query('select count(*)::int as n from messages where session_id = $1', [
      fullId,
    ]);
    expect(rows[0].n).toBe(1);
  });
});
