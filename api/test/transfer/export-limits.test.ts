// GET /api/export is streamed (#17.7): written session by session from paged queries, never one string in memory,
// and the file is the same as before. Imports and exports are rate-limited per user, and MAX_SESSIONS_PER_USER
// bounds what creating and importing sessions can add (409 LIMIT_REACHED, nothing imported).
import { transferFileSchema } from '@chatbot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransferRepo } from '../../src/features/transfer/transfer.repo.js';
import { EXPORT_MESSAGE_PAGE, EXPORT_SESSION_PAGE } from '../../src/features/transfer/transfer.service.js';
import { seedUser } from '../fixtures.js';
import { call, createTestApp, type TestApp } from '../harness.js';
import { type Served, serveApp } from '../stream/stream-helpers.js';

const at = '2026-02-01T08:00:00.000Z';
const oneSession = (title: string) => ({
  title,
  createdAt: at,
  updatedAt: at,
  messages: [{ role: 'user' as const, content: 'hi', status: 'complete' as const, createdAt: at }],
});
const fileOf = (n: number) => ({
  version: 1,
  exportedAt: at,
  sessions: Array.from({ length: n }, (_, i) => oneSession(`imported ${i}`)),
});

describe('GET /api/export, streamed', () => {
  let t: TestApp;
  let served: Served;
  beforeAll(async () => {
    t = await createTestApp();
    served = await serveApp(t);
  });
  afterAll(async () => {
    await served?.close();
    await t?.cleanup();
  });

  it('writes every session (more than a page of each) as it reads them, the same file as before', async () => {
    const user = await seedUser(t, 'exporter');
    const pool = t.database.pool;
    const sessions = EXPORT_SESSION_PAGE + 30;
    // Sessions created in the same microsecond too (the page cursor must not skip or repeat them).
    await pool.query(
      `insert into chat_sessions (user_id, title, created_at, updated_at)
       select $1, 'session ' || g, timestamptz '2026-01-01 00:00:00.123456+00' + ((g / 3) * interval '1 microsecond'),
              timestamptz '2026-01-02' from generate_series(1, $2) g`,
      [user.id, sessions],
    );
    const { rows } = await pool.query<{ id: number }>(
      'select id from chat_sessions where user_id = $1 order by created_at, id',
      [user.id],
    );
    // One long session (more than a page of messages), and a message in each of the others.
    await pool.query(
      `insert into messages (session_id, role, content, status, created_at, updated_at)
       select $1, case when g % 2 = 0 then 'user' else 'assistant' end, 'message ' || g || ' "quoted" \\ ünïcode',
              'complete', now(), now() from generate_series(1, $2) g`,
      [rows[5]!.id, EXPORT_MESSAGE_PAGE * 2 + 7],
    );
    await pool.query(
      `insert into messages (session_id, role, content, status, model, prompt_tokens, completion_tokens, created_at, updated_at)
       select s.id, 'assistant', 'answer of ' || s.title, 'complete', 'gpt-4o', 3, 4, now(), now()
       from chat_sessions s where s.user_id = $1 and s.id <> $2`,
      [user.id, rows[5]!.id],
    );

    const res = await fetch(`${served.baseUrl}/api/export`, { headers: { authorization: `Bearer ${user.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="chatbot-export-/);
    // Streamed: no length known up front, the body arrives in several writes.
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const reader = res.body!.getReader();
    let text = '';
    let reads = 0;
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      reads++;
      text += decoder.decode(value, { stream: true });
    }
    expect(reads).toBeGreaterThan(1);
    const file = transferFileSchema.parse(JSON.parse(text));
    expect(file.user).toEqual({ username: user.username, email: user.email });
    expect(file.sessions).toHaveLength(sessions);
    // Exactly what reading everything at once gives (the repo's one-shot read, used for one session's export).
    expect(file.sessions).toEqual(await createTransferRepo(t.ctx.db).loadSessions(user.id));
    expect(file.sessions[5]!.messages).toHaveLength(EXPORT_MESSAGE_PAGE * 2 + 7);
    // And it imports back.
    const again = await call(t.app, 'POST', '/api/import', { token: user.token, body: file });
    expect(again.status).toBe(201);
    expect(again.body.imported).toBe(sessions);
  });

  it('cuts the connection when the database fails part way, so a partial file is never taken as whole', async () => {
    const user = await seedUser(t, 'broken_exporter');
    const pool = t.database.pool;
    // About 6 MB, read page by page: far more than the socket buffers, so the server waits for this client.
    await pool.query(
      `insert into chat_sessions (user_id, title) select $1, 'big ' || g from generate_series(1, 300) g`,
      [user.id],
    );
    await pool.query(
      `insert into messages (session_id, role, content, status)
       select s.id, 'assistant', repeat('x', 20000), 'complete' from chat_sessions s where s.user_id = $1`,
      [user.id],
    );
    const res = await fetch(`${served.baseUrl}/api/export`, { headers: { authorization: `Bearer ${user.token}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let received = (await reader.read()).value?.length ?? 0;
    // The next page cannot be read: the table is gone for a moment (as a failover or a lost privilege would).
    await pool.query('alter table messages rename to messages_away');
    let failed = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.length;
      }
    } catch {
      failed = true;
    } finally {
      await pool.query('alter table messages_away rename to messages');
    }
    expect(failed).toBe(true);
    expect(received).toBeLessThan(6_000_000);
  });

  it('exports an empty account as a valid file', async () => {
    const user = await seedUser(t, 'empty_exporter');
    const res = await call(t.app, 'GET', '/api/export', { token: user.token });
    expect(res.status).toBe(200);
    expect(transferFileSchema.parse(res.body).sessions).toEqual([]);
  });
});

describe('per-user limits on import, export and sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRANSFER_RATE_LIMIT_PER_MINUTE: '3', MAX_SESSIONS_PER_USER: '3' });
  });
  afterAll(async () => t?.cleanup());

  it('rate-limits imports and exports per user: 429 RATE_LIMITED with Retry-After, others unaffected', async () => {
    const user = await seedUser(t, 'busy_exporter');
    const other = await seedUser(t, 'calm_exporter');
    expect((await call(t.app, 'GET', '/api/export', { token: user.token })).status).toBe(200);
    expect((await call(t.app, 'POST', '/api/import', { token: user.token, body: fileOf(1) })).status).toBe(201);
    const created = await call(t.app, 'GET', '/api/chat/sessions', { token: user.token });
    const id = created.body.sessions[0].id as number;
    expect((await call(t.app, 'GET', `/api/chat/sessions/${id}/export`, { token: user.token })).status).toBe(200);
    for (const [method, path, body] of [
      ['GET', '/api/export', undefined],
      ['POST', '/api/import', fileOf(1)],
      ['GET', `/api/chat/sessions/${id}/export?format=json`, undefined],
    ] as const) {
      const res = await call(t.app, method, path, { token: user.token, body });
      expect(res.status, path).toBe(429);
      expect(res.body.detail.code).toBe('RATE_LIMITED');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect((await call(t.app, 'GET', '/api/export', { token: other.token })).status).toBe(200);
  });

  it('refuses a session past MAX_SESSIONS_PER_USER with 409 LIMIT_REACHED, and imports nothing past it', async () => {
    const user = await seedUser(t, 'collector');
    const count = async () =>
      (await call(t.app, 'GET', '/api/chat/sessions', { token: user.token })).body.total as number;
    expect((await call(t.app, 'POST', '/api/import', { token: user.token, body: fileOf(2) })).status).toBe(201);
    // One place left: a file of two takes none of it.
    const tooMany = await call(t.app, 'POST', '/api/import', { token: user.token, body: fileOf(2) });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.detail.code).toBe('LIMIT_REACHED');
    expect(tooMany.body.detail.message).toMatch(/room for 1/);
    expect(await count()).toBe(2);
    expect((await call(t.app, 'POST', '/api/chat/sessions', { token: user.token, body: {} })).status).toBe(201);
    const full = await call(t.app, 'POST', '/api/chat/sessions', { token: user.token, body: {} });
    expect(full.status).toBe(409);
    expect(full.body.detail).toMatchObject({ code: 'LIMIT_REACHED' });
    expect(full.body.detail.message).toMatch(/3/);
    expect((await call(t.app, 'POST', '/api/import', { token: user.token, body: fileOf(1) })).status).toBe(409);
    expect(await count()).toBe(3);
  });

  it('holds under concurrent creations: exactly the limit is created', async () => {
    const user = await seedUser(t, 'racer');
    const results = await Promise.all(
      Array.from({ length: 8 }, () => call(t.app, 'POST', '/api/chat/sessions', { token: user.token, body: {} })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 409)).toHaveLength(5);
  });
});
