import { type TransferFile, transferFileSchema } from '@chatbot/shared';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededUser, seedSession, seedUser } from '../../../test/fixtures.js';
import { call, createTestApp, type TestApp } from '../../../test/harness.js';
import { streamChunks } from '../../db/schema/index.js';
import { createTransferService } from './transfer.service.js';

async function sessionCount(t: TestApp, userId: number): Promise<number> {
  const r = await t.ctx.db.execute<{ n: number }>(
    sql`select count(*)::integer as n from chat_sessions where user_id = ${userId}`,
  );
  return r.rows[0]!.n;
}

/** A valid export file with `n` sessions of two messages each. */
function fileWith(n: number): TransferFile {
  return {
    version: 1,
    exportedAt: '2026-03-01T10:00:00.000Z',
    sessions: Array.from({ length: n }, (_, i) => ({
      title: `Imported ${i + 1}`,
      createdAt: `2026-02-0${(i % 9) + 1}T08:00:00.000Z`,
      updatedAt: `2026-02-0${(i % 9) + 1}T09:00:00.000Z`,
      messages: [
        {
          role: 'user' as const,
          content: `question ${i + 1}`,
          status: 'complete' as const,
          createdAt: '2026-02-01T08:00:01.000Z',
        },
        {
          role: 'assistant' as const,
          content: `answer ${i + 1}`,
          status: 'complete' as const,
          createdAt: '2026-02-01T08:00:02.000Z',
          model: 'gpt-4o',
          usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
        },
      ],
    })),
  };
}

describe('export and import', () => {
  let t: TestApp;
  let alice: SeededUser;
  let bob: SeededUser;
  let aliceSession: { sessionId: number; messageIds: number[] };

  beforeAll(async () => {
    t = await createTestApp();
    alice = await seedUser(t, 'alice');
    bob = await seedUser(t, 'bob');
    aliceSession = await seedSession(t, alice.id, 'Trip to Hội An: plans / "ideas"', [
      { role: 'user', content: 'What should I see in **Hội An**?' },
      {
        role: 'assistant',
        content: '1. The Japanese Bridge\n2. The night market\n\n```js\nconsole.log("lanterns")\n```',
        model: 'gpt-4o',
        promptTokens: 12,
        completionTokens: 30,
      },
      { role: 'user', content: 'And food?' },
      { role: 'assistant', content: 'Cao lầu', status: 'stopped', model: 'gpt-4o-mini' },
    ]);
  });
  afterAll(async () => t.cleanup());

  describe('GET /api/chat/sessions/:id/export', () => {
    it('returns a readable Markdown transcript as an attachment', async () => {
      const res = await call(t.app, 'GET', `/api/chat/sessions/${aliceSession.sessionId}/export?format=markdown`, {
        token: alice.token,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
      const disposition = res.headers.get('content-disposition')!;
      // The title's path separators and quotes never reach the file name.
      expect(disposition).toMatch(/^attachment; filename="Trip to H_i An plans ideas.md"; filename\*=UTF-8''/);
      expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe('Trip to Hội An plans ideas.md');
      const md: string = res.body;
      expect(md.startsWith('# Trip to Hội An: plans / "ideas"\n')).toBe(true);
      expect(md).toContain('- Created: 2026-01-02 03:04 UTC');
      const order = ['**You** ·', 'What should I see in **Hội An**?', '**Assistant (gpt-4o)** ·', '```js', 'And food?'];
      const positions = order.map((s) => md.indexOf(s));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(md).toMatch(/\*\*Assistant \(gpt-4o-mini\)\*\* · .* · _stopped_\n\nCao lầu\n$/);
    });

    it('defaults to Markdown', async () => {
      const res = await call(t.app, 'GET', `/api/chat/sessions/${aliceSession.sessionId}/export`, {
        token: alice.token,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/markdown/);
    });

    it('returns the session in the shared JSON format', async () => {
      const res = await call(t.app, 'GET', `/api/chat/sessions/${aliceSession.sessionId}/export?format=json`, {
        token: alice.token,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".*\.json"/);
      const file = transferFileSchema.parse(res.body);
      expect(file.version).toBe(1);
      expect(file.user).toBeUndefined();
      expect(file.sessions).toHaveLength(1);
      expect(file.sessions[0]).toMatchObject({
        title: 'Trip to Hội An: plans / "ideas"',
        createdAt: '2026-01-02T03:04:05.678Z',
        updatedAt: '2026-01-02T03:05:05.678Z',
      });
      expect(file.sessions[0]!.messages.map((m) => [m.role, m.status, m.model])).toEqual([
        ['user', 'complete', null],
        ['assistant', 'complete', 'gpt-4o'],
        ['user', 'complete', null],
        ['assistant', 'stopped', 'gpt-4o-mini'],
      ]);
      expect(file.sessions[0]!.messages[1]!.usage).toEqual({ promptTokens: 12, completionTokens: 30, totalTokens: 42 });
    });

    it('exports an answer still being generated as stopped, with the text generated so far', async () => {
      const { sessionId, messageIds } = await seedSession(t, alice.id, 'In flight', [
        { role: 'user', content: 'Tell me a story' },
        { role: 'assistant', content: '', status: 'streaming' },
      ]);
      await t.ctx.db.insert(streamChunks).values([
        { messageId: messageIds[1]!, seq: 1, content: 'Once upon ' },
        { messageId: messageIds[1]!, seq: 2, content: 'a time' },
      ]);
      const res = await call(t.app, 'GET', `/api/chat/sessions/${sessionId}/export?format=json`, {
        token: alice.token,
      });
      expect(res.status).toBe(200);
      expect(res.body.sessions[0].messages[1]).toMatchObject({ status: 'stopped', content: 'Once upon a time' });
    });

    it('requires a token', async () => {
      const res = await call(t.app, 'GET', `/api/chat/sessions/${aliceSession.sessionId}/export`);
      expect(res.status).toBe(401);
    });

    it('refuses another user’s session with 403', async () => {
      const res = await call(t.app, 'GET', `/api/chat/sessions/${aliceSession.sessionId}/export?format=json`, {
        token: bob.token,
      });
      expect(res.status).toBe(403);
      expect(res.body.detail.code).toBe('FORBIDDEN');
      expect(JSON.stringify(res.body)).not.toContain('Hội An');
    });

    it('answers 404 for a session that does not exist', async () => {
      const res = await call(t.app, 'GET', '/api/chat/sessions/2147483647/export', { token: alice.token });
      expect(res.status).toBe(404);
      expect(res.body.detail.code).toBe('NOT_FOUND');
    });

    it.each([
      ['/api/chat/sessions/abc/export', 'id'],
      ['/api/chat/sessions/0/export', 'id'],
      ['/api/chat/sessions/1/export?format=pdf', 'format'],
    ])('rejects %s with 400 naming %s', async (path, field) => {
      const res = await call(t.app, 'GET', path, { token: alice.token });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field });
    });
  });

  describe('GET /api/export', () => {
    it('returns all of the user’s sessions and account, and nothing of anyone else', async () => {
      await seedSession(t, bob.id, 'Bob only', [{ role: 'user', content: 'private to bob' }]);
      const res = await call(t.app, 'GET', '/api/export', { token: alice.token });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(
        /^attachment; filename="chatbot-export-\d{4}-\d{2}-\d{2}\.json"/,
      );
      const file = transferFileSchema.parse(res.body);
      expect(file.user).toEqual({ username: 'alice', email: 'alice@example.com' });
      expect(file.sessions.length).toBe(await sessionCount(t, alice.id));
      expect(JSON.stringify(file)).not.toContain('bob');
    });

    it('requires a token', async () => {
      expect((await call(t.app, 'GET', '/api/export')).status).toBe(401);
    });
  });

  describe('POST /api/import', () => {
    it('round-trips: exporting what was imported gives back the original export', async () => {
      const original = (await call(t.app, 'GET', '/api/export', { token: alice.token })).body as TransferFile;
      expect(original.sessions.length).toBeGreaterThanOrEqual(2);
      const carol = await seedUser(t, 'carol');
      const imported = await call(t.app, 'POST', '/api/import', { token: carol.token, body: original });
      expect(imported.status).toBe(201);
      expect(imported.body.imported).toBe(original.sessions.length);
      expect(imported.body.sessionIds).toHaveLength(original.sessions.length);
      const again = (await call(t.app, 'GET', '/api/export', { token: carol.token })).body as TransferFile;
      expect(again.sessions).toEqual(original.sessions);
      expect(again.user).toEqual({ username: 'carol', email: 'carol@example.com' });
    });

    it('creates new sessions owned by the importer, findable by search', async () => {
      const dave = await seedUser(t, 'dave');
      const file = fileWith(2);
      file.sessions[1]!.messages[0]!.content = 'where do flamingos sleep';
      const res = await call(t.app, 'POST', '/api/import', { token: dave.token, body: file });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ imported: 2, sessionIds: [expect.any(Number), expect.any(Number)] });
      const own = await call(t.app, 'GET', `/api/chat/sessions/${res.body.sessionIds[1]}/export?format=json`, {
        token: dave.token,
      });
      expect(own.body.sessions[0].title).toBe('Imported 2');
      const found = await call(t.app, 'GET', '/api/chat/search?q=flamingos', { token: dave.token });
      expect(found.body.results.map((r: { sessionId: number }) => r.sessionId)).toEqual([res.body.sessionIds[1]]);
    });

    it('imports nothing when the third session is invalid', async () => {
      const erin = await seedUser(t, 'erin');
      const file = fileWith(4) as unknown as { sessions: { title: string }[] };
      file.sessions[2]!.title = '   ';
      const res = await call(t.app, 'POST', '/api/import', { token: erin.token, body: file });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'sessions.2.title' });
      expect(await sessionCount(t, erin.id)).toBe(0);
    });

    it('rolls back the sessions already written when a later one fails in the database', async () => {
      const frank = await seedUser(t, 'frank');
      const file = fileWith(3);
      // NUL passes no validation (the contract refuses it), so give it to the service directly: PostgreSQL rejects it.
      file.sessions[2]!.messages[1]!.content = 'bad \u0000 byte';
      await expect(createTransferService(t.ctx).importFile(frank.id, file)).rejects.toThrow();
      expect(await sessionCount(t, frank.id)).toBe(0);
    });

    it.each([
      ['a newer format version', { ...fileWith(1), version: 2 }, 'version'],
      [
        'a message with an unknown role',
        {
          ...fileWith(1),
          sessions: [
            {
              ...fileWith(1).sessions[0],
              messages: [{ role: 'system', content: 'x', status: 'complete', createdAt: '2026-01-01T00:00:00Z' }],
            },
          ],
        },
        'sessions.0.messages.0.role',
      ],
      [
        'a message still streaming',
        {
          ...fileWith(1),
          sessions: [
            {
              ...fileWith(1).sessions[0],
              messages: [{ role: 'assistant', content: 'x', status: 'streaming', createdAt: '2026-01-01T00:00:00Z' }],
            },
          ],
        },
        'sessions.0.messages.0.status',
      ],
      [
        'a date that is not ISO 8601',
        { ...fileWith(1), sessions: [{ ...fileWith(1).sessions[0], createdAt: 'yesterday' }] },
        'sessions.0.createdAt',
      ],
      [
        'a NUL character',
        { ...fileWith(1), sessions: [{ ...fileWith(1).sessions[0], title: 'a\u0000b' }] },
        'sessions.0.title',
      ],
      ['no sessions list', { version: 1, exportedAt: '2026-01-01T00:00:00Z' }, 'sessions'],
    ])('rejects %s with 400', async (_what, body, field) => {
      const res = await call(t.app, 'POST', '/api/import', { token: alice.token, body });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field });
    });

    it('rejects a body that is not JSON', async () => {
      const bad = await call(t.app, 'POST', '/api/import', { token: alice.token, body: '{"version":1,' });
      expect(bad.status).toBe(400);
      const text = await call(t.app, 'POST', '/api/import', {
        token: alice.token,
        body: JSON.stringify(fileWith(1)),
        headers: { 'content-type': 'text/plain' },
      });
      expect(text.status).toBe(400);
      expect(text.body.detail.code).toBe('VALIDATION_ERROR');
    });

    it('requires a token', async () => {
      const res = await call(t.app, 'POST', '/api/import', { body: fileWith(1) });
      expect(res.status).toBe(401);
    });

    it('accepts a file larger than the general body limit', async () => {
      const george = await seedUser(t, 'george');
      const file = fileWith(1);
      file.sessions[0]!.messages[1]!.content = 'long answer '.repeat(20_000); // 240 KB > 64 KiB
      const res = await call(t.app, 'POST', '/api/import', { token: george.token, body: file });
      expect(res.status).toBe(201);
      expect(res.body.imported).toBe(1);
    });

    it('still applies the general body limit to every other route', async () => {
      const res = await call(t.app, 'POST', '/api/import-not', { token: alice.token, body: { x: 'y'.repeat(70_000) } });
      expect(res.status).toBe(413);
      expect(res.body.detail.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });
});

describe('POST /api/import size limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ IMPORT_MAX_BYTES: '4096' });
  });
  afterAll(async () => t.cleanup());

  it('answers 413 past IMPORT_MAX_BYTES and imports nothing', async () => {
    const user = await seedUser(t);
    const file = fileWith(1);
    file.sessions[0]!.messages[0]!.content = 'x'.repeat(5_000);
    const res = await call(t.app, 'POST', '/api/import', { token: user.token, body: file });
    expect(res.status).toBe(413);
    expect(res.body.detail).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(res.body.detail.message).toMatch(/4096 bytes/);
    expect(await sessionCount(t, user.id)).toBe(0);
  });

  it('accepts a file under the limit', async () => {
    const user = await seedUser(t);
    const res = await call(t.app, 'POST', '/api/import', { token: user.token, body: fileWith(2) });
    expect(res.status).toBe(201);
    expect(res.body.imported).toBe(2);
  });
});
