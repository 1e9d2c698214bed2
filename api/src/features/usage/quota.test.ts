// The usage ledger and quotas over real HTTP and a real database: one ledger row per model call (provider usage or
// counted here), 429 QUOTA_EXCEEDED on every transport with nothing stored, the reservation race across two app
// instances, and GET /api/me/usage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeOpenAI } from '../../../test/fake-openai.js';
import { seedUser } from '../../../test/fixtures.js';
import {
  call,
  createAppWithModel,
  createTestApp,
  createTestDatabase,
  type TestAppWithModel,
  testConfig,
} from '../../../test/harness.js';
import { createSession, type Served, serveApp, WsClient } from '../../../test/stream/stream-helpers.js';
import { type AppInstance, createApp } from '../../app.js';
import { createLogger } from '../../lib/logger.js';
import { countTokens } from '../../llm/token-counter.js';
import { createUsageService } from './usage.service.js';

const REPLY = 'one two three four five';
let fake: FakeOpenAI;
let t: TestAppWithModel;
let served: Served;

const send = (token: string, sessionId: number, content = 'Hello there') =>
  call(t.app, 'POST', `/api/chat/sessions/${sessionId}/messages`, { token, body: { content } });

const ledger = async (userId: number) =>
  (
    await t.database.pool.query(
      `select user_id, session_id, message_id, kind, model, prompt_tokens, completion_tokens, ttft_ms, total_ms,
              outcome, error_code, finished_at from usage_ledger where user_id = $1 order by id`,
      [userId],
    )
  ).rows;

const countMessages = async (sessionId: number) =>
  Number(
    (await t.database.pool.query('select count(*) from messages where session_id = $1', [sessionId])).rows[0].count,
  );

const setQuota = (userId: number, q: { mpd?: number | null; tpd?: number | null; tpm?: number | null }) =>
  t.database.pool.query(
    'update users set quota_messages_per_day = $2, quota_tokens_per_day = $3, quota_tokens_per_month = $4 where id = $1',
    [userId, q.mpd ?? null, q.tpd ?? null, q.tpm ?? null],
  );

const nextUtcMidnight = () => {
  const n = new Date();
  return new Date(Date.UTC(n.getUTCFullYear(), n.getUTCMonth(), n.getUTCDate() + 1)).toISOString();
};

beforeAll(async () => {
  t = await createAppWithModel(
    { reply: REPLY, usage: { prompt_tokens: 11, completion_tokens: 7 } },
    { OPENAI_API_KEY: 'test', OPENAI_MODEL: 'fake-model', OPENAI_MAX_RETRIES: '0', MODEL_PRICES: 'fake-model:2:10' },
  );
  fake = t.fake;
  served = await serveApp(t);
});
afterAll(async () => {
  await served?.close();
  await t?.cleanup();
});

describe('the usage ledger', () => {
  it('records one row per answer with the provider’s token counts, timings and outcome, and counts the day', async () => {
    const u = await seedUser(t);
    const sessionId = await createSession(t, u.id);
    const res = await send(u.token, sessionId);
    expect(res.status).toBe(201);
    const rows = await ledger(u.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      user_id: u.id,
      session_id: sessionId,
      message_id: res.body.assistantMessage.id,
      kind: 'answer',
      model: 'fake-model',
      prompt_tokens: 11,
      completion_tokens: 7,
      outcome: 'complete',
      error_code: null,
    });
    expect(rows[0].ttft_ms).toBeGreaterThanOrEqual(0);
    expect(rows[0].total_ms).toBeGreaterThanOrEqual(rows[0].ttft_ms);
    expect(rows[0].finished_at).not.toBeNull();
    const day = await t.database.pool.query('select messages, tokens::int from usage_daily where user_id = $1', [u.id]);
    expect(day.rows).toEqual([{ messages: 1, tokens: 18 }]);
  });

  it('counts tokens locally when the provider streams without usage (SSE)', async () => {
    const u = await seedUser(t);
    const sessionId = await createSession(t, u.id);
    const res = await fetch(`${served.baseUrl}/api/chat/sessions/${sessionId}/messages/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'Count me please' }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('event: done');
    const rows = await ledger(u.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].outcome).toBe('complete');
    expect(rows[0].completion_tokens).toBe(countTokens(REPLY));
    // The system prompt and the message, with their framing.
    expect(rows[0].prompt_tokens).toBeGreaterThan(countTokens('Count me please'));
  });

  it('records a failed call with its error code, and a regeneration and an edit as answers of their own', async () => {
    const u = await seedUser(t);
    const sessionId = await createSession(t, u.id);
    const first = await send(u.token, sessionId);
    fake.setScript({ error: { status: 500 }, errorTimes: 10 });
    const failed = await call(
      t.app,
      'POST',
      `/api/chat/sessions/${sessionId}/messages/${first.body.assistantMessage.id}/regenerate`,
      {
        token: u.token,
      },
    );
    expect(failed.status).toBe(502);
    fake.setScript({ reply: REPLY, usage: { prompt_tokens: 11, completion_tokens: 7 } });
    const edited = await call(
      t.app,
      'POST',
      `/api/chat/sessions/${sessionId}/messages/${first.body.userMessage.id}/edit`,
      {
        token: u.token,
        body: { content: 'Edited' },
      },
    );
    expect(edited.status).toBe(201);
    const rows = await ledger(u.id);
    expect(rows.map((r) => [r.outcome, r.error_code])).toEqual([
      ['complete', null],
      ['error', 'AI_API_ERROR'],
      ['complete', null],
    ]);
    const day = await t.database.pool.query('select messages from usage_daily where user_id = $1', [u.id]);
    expect(day.rows[0].messages).toBe(3);
  });

  it('completes the rows of answers a dead process left (stored as stopped by recovery), counting their text', async () => {
    const u = await seedUser(t);
    const sessionId = await createSession(t, u.id);
    const { rows } = await t.database.pool.query(
      `with m as (insert into messages (session_id, role, content, status, model)
                  values ($1, 'assistant', 'partial answer text', 'stopped', 'fake-model') returning id)
       insert into usage_ledger (user_id, session_id, message_id, kind, model, created_at)
       select $2, $1, id, 'answer', 'fake-model', now() - interval '5 minutes' from m returning id`,
      [sessionId, u.id],
    );
    // A row still being answered (its message streaming) is left alone.
    await t.database.pool.query(
      `with m as (insert into messages (session_id, role, content, status, model)
                  values ($1, 'assistant', '', 'streaming', 'fake-model') returning id)
       insert into usage_ledger (user_id, session_id, message_id, kind, model, created_at)
       select $2, $1, id, 'answer', 'fake-model', now() - interval '5 minutes' from m`,
      [sessionId, u.id],
    );
    const usage = createUsageService(t.ctx);
    expect(await usage.reconcileOrphans()).toBe(1);
    const row = await t.database.pool.query('select outcome, completion_tokens from usage_ledger where id = $1', [
      rows[0].id,
    ]);
    expect(row.rows[0]).toEqual({ outcome: 'stopped', completion_tokens: countTokens('partial answer text') });
    const day = await t.database.pool.query('select tokens::int from usage_daily where user_id = $1', [u.id]);
    expect(day.rows[0].tokens).toBe(countTokens('partial answer text'));
    expect(await usage.reconcileOrphans()).toBe(0);
  });

  it('outlives the session it belongs to', async () => {
    const u = await seedUser(t);
    const sessionId = await createSession(t, u.id);
    await send(u.token, sessionId);
    expect((await call(t.app, 'DELETE', `/api/chat/sessions/${sessionId}`, { token: u.token })).status).toBe(200);
    const rows = await ledger(u.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ session_id: null, message_id: null, prompt_tokens: 11 });
  });
});

describe('quotas', () => {
  it('refuses the send past messagesPerDay: 429 QUOTA_EXCEEDED, Retry-After, resetAt, nothing stored', async () => {
    const u = await seedUser(t);
    await setQuota(u.id, { mpd: 2 });
    const sessionId = await createSession(t, u.id);
    expect((await send(u.token, sessionId)).status).toBe(201);
    expect((await send(u.token, sessionId)).status).toBe(201);
    const before = await countMessages(sessionId);
    const calls = fake.chatRequests().length;
    const refused = await send(u.token, sessionId);
    expect(refused.status).toBe(429);
    expect(refused.body.detail.code).toBe('QUOTA_EXCEEDED');
    expect(refused.body.detail.resetAt).toBe(nextUtcMidnight());
    expect(refused.body.detail.message).toMatch(/daily message limit/);
    const retry = Number(refused.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(Math.abs(retry - (Date.parse(nextUtcMidnight()) - Date.now()) / 1000)).toBeLessThan(5);
    expect(await countMessages(sessionId)).toBe(before);
    expect(fake.chatRequests().length).toBe(calls);
    expect(await ledger(u.id)).toHaveLength(2);
    expect((await t.ctx.metrics.quotaRefusals.get()).values[0]?.value).toBeGreaterThanOrEqual(1);
  });

  it('refuses on SSE (JSON 429 before any stream), WebSocket (an error frame), regenerate and edit alike', async () => {
    const u = await seedUser(t);
    const sessionId = await createSession(t, u.id);
    const first = await send(u.token, sessionId);
    await setQuota(u.id, { mpd: 1 });
    const before = await countMessages(sessionId);

    const sse = await fetch(`${served.baseUrl}/api/chat/sessions/${sessionId}/messages/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'more' }),
    });
    expect(sse.status).toBe(429);
    expect(sse.headers.get('retry-after')).toMatch(/^\d+$/);
    const body = (await sse.json()) as { detail: { code: string; resetAt: string } };
    expect(body.detail).toMatchObject({ code: 'QUOTA_EXCEEDED', resetAt: nextUtcMidnight() });

    const ws = await WsClient.open(`${served.wsUrl}/api/chat/ws/${sessionId}?token=${encodeURIComponent(u.token)}`);
    ws.send({ type: 'message', content: 'more' });
    expect(await ws.next()).toMatchObject({ type: 'error', code: 'QUOTA_EXCEEDED', resetAt: nextUtcMidnight() });
    ws.close();

    const regen = await call(
      t.app,
      'POST',
      `/api/chat/sessions/${sessionId}/messages/${first.body.assistantMessage.id}/regenerate`,
      { token: u.token },
    );
    expect(regen.status).toBe(429);
    const edit = await call(
      t.app,
      'POST',
      `/api/chat/sessions/${sessionId}/messages/${first.body.userMessage.id}/edit`,
      {
        token: u.token,
        body: { content: 'again' },
      },
    );
    expect(edit.status).toBe(429);
    expect(edit.body.detail.code).toBe('QUOTA_EXCEEDED');
    expect(await countMessages(sessionId)).toBe(before);
    expect(await ledger(u.id)).toHaveLength(1);
    // 0 means no limit: the user may send again.
    await setQuota(u.id, { mpd: 0 });
    expect((await send(u.token, sessionId)).status).toBe(201);
  });

  it('refuses once the tokens used reach the day’s or the month’s limit (the running answer may finish past it)', async () => {
    const u = await seedUser(t);
    const sessionId = await createSession(t, u.id);
    await setQuota(u.id, { tpd: 10 });
    expect((await send(u.token, sessionId)).status).toBe(201); // 18 tokens: past the limit, allowed to finish
    const day = await send(u.token, sessionId);
    expect(day.status).toBe(429);
    expect(day.body.detail.message).toMatch(/daily token limit/);
    await setQuota(u.id, { tpm: 18 });
    const month = await send(u.token, sessionId);
    expect(month.status).toBe(429);
    expect(month.body.detail.message).toMatch(/monthly token limit/);
    const n = new Date();
    expect(month.body.detail.resetAt).toBe(
      new Date(Date.UTC(n.getUTCFullYear(), n.getUTCMonth() + 1, 1)).toISOString(),
    );
    await setQuota(u.id, { tpm: 19 });
    expect((await send(u.token, sessionId)).status).toBe(201);
  });

  it('uses the server default unless an override replaces it (QUOTA_MESSAGES_PER_DAY)', async () => {
    const t2 = await createTestApp({
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test',
      QUOTA_MESSAGES_PER_DAY: '1',
    });
    try {
      const u = await seedUser(t2);
      const sessionId = await createSession(t2, u.id);
      const path = `/api/chat/sessions/${sessionId}/messages`;
      expect((await call(t2.app, 'POST', path, { token: u.token, body: { content: 'a' } })).status).toBe(201);
      expect((await call(t2.app, 'POST', path, { token: u.token, body: { content: 'b' } })).status).toBe(429);
      await t2.database.pool.query('update users set quota_messages_per_day = 0 where id = $1', [u.id]);
      expect((await call(t2.app, 'POST', path, { token: u.token, body: { content: 'c' } })).status).toBe(201);
    } finally {
      await t2.cleanup();
    }
  });
});

describe('the reservation under concurrency', () => {
  it('accepts exactly k of N parallel sends from two app instances on one database (messagesPerDay = k)', async () => {
    const db = await createTestDatabase();
    const config = testConfig({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test', QUOTA_MESSAGES_PER_DAY: '5' });
    const logger = createLogger('silent');
    const apps: AppInstance[] = [
      createApp({ config, database: db.database, logger }),
      createApp({ config, database: db.database, logger }),
    ];
    try {
      const u = await seedUser(apps[0]!);
      const N = 16;
      const sessions: number[] = [];
      for (let i = 0; i < N; i++) sessions.push(await createSession(apps[0]!, u.id));
      const results = await Promise.all(
        sessions.map((id, i) =>
          call(apps[i % 2]!.app, 'POST', `/api/chat/sessions/${id}/messages`, {
            token: u.token,
            body: { content: `parallel ${i}` },
          }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(N - 5);
      const stored = await db.database.pool.query('select count(*)::int as n from messages');
      expect(stored.rows[0].n).toBe(10);
      const day = await db.database.pool.query('select messages from usage_daily where user_id = $1', [u.id]);
      expect(day.rows[0].messages).toBe(5);
      const rows = await db.database.pool.query('select count(*)::int as n from usage_ledger where user_id = $1', [
        u.id,
      ]);
      expect(rows.rows[0].n).toBe(5);
    } finally {
      for (const a of apps) await a.close(1000);
      await db.drop();
    }
  });
});

describe('GET /api/me/usage', () => {
  it('answers by day (every day of the range) and by model, with totals, costs, limits and what is used', async () => {
    const u = await seedUser(t);
    const sessionId = await createSession(t, u.id);
    await setQuota(u.id, { mpd: 100 });
    await send(u.token, sessionId);
    await send(u.token, sessionId);
    await t.database.pool.query(
      `insert into usage_ledger (user_id, kind, model, prompt_tokens, completion_tokens, outcome, created_at)
       values ($1, 'answer', 'unpriced', 1000, 500, 'complete', now() - interval '3 days'),
              ($1, 'title', 'fake-model', 1000000, 0, 'complete', now() - interval '40 days')`,
      [u.id],
    );
    const res = await call(t.app, 'GET', '/api/me/usage', { token: u.token });
    expect(res.status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    expect(res.body).toMatchObject({ to: today, groupBy: 'day' });
    expect(res.body.rows).toHaveLength(30);
    expect(res.body.rows[0].key).toBe(res.body.from);
    expect(res.body.rows.at(-1)).toEqual({
      key: today,
      messages: 2,
      promptTokens: 22,
      completionTokens: 14,
      totalTokens: 36,
      cost: (22 * 2 + 14 * 10) / 1_000_000,
    });
    expect(res.body.rows.at(-4)).toMatchObject({ messages: 1, totalTokens: 1500, cost: null });
    expect(res.body.rows.at(-2)).toMatchObject({ messages: 0, totalTokens: 0, cost: 0 });
    expect(res.body.totals).toEqual({
      messages: 3,
      promptTokens: 1022,
      completionTokens: 514,
      totalTokens: 1536,
      cost: (22 * 2 + 14 * 10) / 1_000_000,
    });
    expect(res.body.limits).toEqual({ tokensPerDay: null, tokensPerMonth: null, messagesPerDay: 100 });
    expect(res.body.used).toEqual({ tokensToday: 36, tokensThisMonth: 36, messagesToday: 2 });

    const byModel = await call(t.app, 'GET', '/api/me/usage?groupBy=model&from=2000-01-01&to=2000-06-01', {
      token: u.token,
    });
    expect(byModel.body.rows).toEqual([]);
    const models = await call(t.app, 'GET', `/api/me/usage?groupBy=model&to=${today}`, { token: u.token });
    expect(models.body.rows.map((r: { key: string }) => r.key)).toEqual(['unpriced', 'fake-model']);
    // A title call counts its tokens, not as a message.
    const from = new Date(Date.now() - 45 * 86_400_000).toISOString().slice(0, 10);
    const wide = await call(t.app, 'GET', `/api/me/usage?groupBy=model&from=${from}`, { token: u.token });
    expect(wide.body.rows[0]).toMatchObject({
      key: 'fake-model',
      messages: 2,
      promptTokens: 1_000_022,
      cost: 2.000184,
    });
  });

  it('refuses a bad range with 400 VALIDATION_ERROR naming the field', async () => {
    const u = await seedUser(t);
    for (const [q, field] of [
      ['from=2026-02-30', 'from'],
      ['to=tomorrow', 'to'],
      ['groupBy=week', 'groupBy'],
      ['from=2026-03-02&to=2026-03-01', 'from'],
      ['from=2000-01-01&to=2026-01-01', 'from'],
    ]) {
      const res = await call(t.app, 'GET', `/api/me/usage?${q}`, { token: u.token });
      expect(res.status, q).toBe(400);
      expect(res.body.detail.field, q).toBe(field);
    }
    expect((await call(t.app, 'GET', '/api/me/usage')).status).toBe(401);
  });
});
