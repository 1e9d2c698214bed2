// Text PostgreSQL cannot store (NUL, lone surrogates) is refused on every route that takes text, with a 400 naming
// the field, and nothing of the request is stored (before the fix a NUL in a message was a 500).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededUser, seedSession, seedUser } from '../../test/fixtures.js';
import { call, createTestApp, type TestApp } from '../../test/harness.js';

const NUL = 'bad\u0000text';
const LONE = 'bad\uD800text';

describe('text that cannot be stored', () => {
  let t: TestApp;
  let alice: SeededUser;
  let sessionId: number;
  let userMessageId: number;

  const counts = async () => {
    const r = await t.ctx.db.execute<{ sessions: number; messages: number; users: number }>(sql`
      select (select count(*)::int from chat_sessions) as sessions, (select count(*)::int from messages) as messages,
             (select count(*)::int from users) as users`);
    return r.rows[0]!;
  };

  beforeAll(async () => {
    t = await createTestApp();
    alice = await seedUser(t);
    const seeded = await seedSession(t, alice.id, 'Kept', [
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'first answer' },
    ]);
    sessionId = seeded.sessionId;
    userMessageId = seeded.messageIds[0]!;
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  const cases: { name: string; method: string; path: () => string; body?: (bad: string) => unknown; field: string }[] =
    [
      {
        name: 'a message',
        method: 'POST',
        path: () => `/api/chat/sessions/${sessionId}/messages`,
        body: (b) => ({ content: b }),
        field: 'content',
      },
      {
        name: 'a streamed message',
        method: 'POST',
        path: () => `/api/chat/sessions/${sessionId}/messages/stream`,
        body: (b) => ({ content: b }),
        field: 'content',
      },
      {
        name: 'an edit',
        method: 'POST',
        path: () => `/api/chat/sessions/${sessionId}/messages/${userMessageId}/edit`,
        body: (b) => ({ content: b }),
        field: 'content',
      },
      {
        name: 'a new title',
        method: 'POST',
        path: () => '/api/chat/sessions',
        body: (b) => ({ title: b }),
        field: 'title',
      },
      {
        name: 'a rename',
        method: 'PATCH',
        path: () => `/api/chat/sessions/${sessionId}`,
        body: (b) => ({ title: b }),
        field: 'title',
      },
      {
        name: 'a system prompt',
        method: 'PATCH',
        path: () => `/api/chat/sessions/${sessionId}`,
        body: (b) => ({ systemPrompt: b }),
        field: 'systemPrompt',
      },
      {
        name: 'an import',
        method: 'POST',
        path: () => '/api/import',
        body: (b) => ({
          version: 1,
          exportedAt: '2026-03-01T10:00:00.000Z',
          sessions: [
            {
              title: 'ok',
              createdAt: '2026-02-01T08:00:00.000Z',
              updatedAt: '2026-02-01T08:00:00.000Z',
              messages: [{ role: 'user', content: b, status: 'complete', createdAt: '2026-02-01T08:00:01.000Z' }],
            },
          ],
        }),
        field: 'sessions.0.messages.0.content',
      },
    ];

  for (const c of cases) {
    for (const [kind, bad] of [
      ['NUL', NUL],
      ['a lone surrogate', LONE],
    ] as const) {
      it(`refuses ${kind} in ${c.name} with 400 naming ${c.field}, storing nothing`, async () => {
        const before = await counts();
        const res = await call(t.app, c.method, c.path(), { body: c.body?.(bad), token: alice.token });
        expect(res.status).toBe(400);
        expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: c.field });
        expect(res.body.detail.message).toContain(c.field);
        expect(await counts()).toEqual(before);
      });
    }
  }

  it('refuses NUL in a search query and in a registration, naming the field', async () => {
    const search = await call(t.app, 'GET', `/api/chat/search?q=${encodeURIComponent(NUL)}`, { token: alice.token });
    expect(search.status).toBe(400);
    expect(search.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'q' });

    const before = await counts();
    const reg = await call(t.app, 'POST', '/api/auth/register', {
      body: { username: 'nul_user', email: 'nul@example.com', password: `pass${NUL}word-long-enough` },
    });
    expect(reg.status).toBe(400);
    expect(reg.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'password' });
    expect(await counts()).toEqual(before);
  });

  it('still stores text with emoji, Vietnamese and other non-BMP characters exactly', async () => {
    const title = 'Tiếng Việt 😀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢';
    const res = await call(t.app, 'PATCH', `/api/chat/sessions/${sessionId}`, { body: { title }, token: alice.token });
    expect(res.status).toBe(200);
    expect(res.body.title).toBe(title);
  });
});
