// GET /metrics over a real port, read by a real Prometheus text-format parser: the contract's series and labels
// (route templates, never raw paths), answers, tokens, quota refusals, pool and sockets; METRICS_TOKEN or loopback.
import { networkInterfaces } from 'node:os';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/fake-openai.js';
import { seedUser } from '../../../test/fixtures.js';
import { call, createTestApp, type TestApp } from '../../../test/harness.js';
import { createSession, type Served, serveApp, WsClient } from '../../../test/stream/stream-helpers.js';
import { buildOpenApiDocument } from '../docs/openapi.js';

let fake: FakeOpenAI;

async function scrape(
  url: string,
  token?: string,
): Promise<{ status: number; families: Map<string, ParsedFamily>; text: string }> {
  const res = await fetch(`${url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  const families = new Map<string, ParsedFamily>();
  if (res.status === 200) for (const f of parsePrometheusTextFormat(text)) families.set(f.name, f);
  return { status: res.status, families, text };
}

const value = (f: ParsedFamily | undefined, labels: Record<string, string> = {}) =>
  Number(f?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? Number.NaN);

beforeAll(async () => {
  fake = await startFakeOpenAI({ reply: 'alpha beta gamma', chunkDelayMs: 5 });
});
afterAll(async () => fake?.close());

describe('GET /metrics without METRICS_TOKEN', () => {
  let t: TestApp;
  let served: Served;
  beforeAll(async () => {
    t = await createTestApp({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test', OPENAI_MODEL: 'fake-model' });
    served = await serveApp(t);
  });
  afterAll(async () => {
    await served.close();
    await t.cleanup();
  });

  it('answers loopback with every series of the contract, labelled by route template', async () => {
    const u = await seedUser(t);
    const sessionId = await createSession(t, u.id);
    const ws = await WsClient.open(`${served.wsUrl}/api/chat/ws/${sessionId}?token=${encodeURIComponent(u.token)}`);
    const sent = await fetch(`${served.baseUrl}/api/chat/sessions/${sessionId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'Hi' }),
    });
    expect(sent.status).toBe(201);
    await fetch(`${served.baseUrl}/api/chat/sessions/987654`, { headers: { authorization: `Bearer ${u.token}` } });
    await t.database.pool.query('update users set quota_messages_per_day = 1 where id = $1', [u.id]);
    expect(
      (
        await call(t.app, 'POST', `/api/chat/sessions/${sessionId}/messages`, {
          token: u.token,
          body: { content: 'x' },
        })
      ).status,
    ).toBe(429);

    const { status, families, text } = await scrape(served.baseUrl);
    expect(status).toBe(200);
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds',
      'chatbot_answers_started_total',
      'chatbot_answers_finished_total',
      'chatbot_answers_in_flight',
      'chatbot_ttft_seconds',
      'chatbot_tokens_total',
      'chatbot_quota_refusals_total',
      'chatbot_db_pool_connections',
      'chatbot_websockets_open',
      // prom-client's defaults, event-loop lag among them
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(families.has(name), name).toBe(true);
    }
    const http = families.get('http_requests_total');
    expect(http?.type).toBe('COUNTER');
    expect(value(http, { method: 'POST', route: '/api/chat/sessions/:id/messages', status: '201' })).toBe(1);
    expect(value(http, { method: 'GET', route: '/api/chat/sessions/:id', status: '404' })).toBe(1);
    expect(text).not.toContain('987654');
    expect(families.get('http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(value(families.get('chatbot_answers_started_total'))).toBe(1);
    expect(value(families.get('chatbot_answers_finished_total'), { status: 'complete' })).toBe(1);
    expect(value(families.get('chatbot_answers_in_flight'))).toBe(0);
    const ttft = families.get('chatbot_ttft_seconds');
    expect(ttft?.type).toBe('HISTOGRAM');
    expect(Number(ttft?.metrics[0]?.count)).toBe(1);
    const tokens = families.get('chatbot_tokens_total');
    expect(value(tokens, { model: 'fake-model', kind: 'prompt' })).toBeGreaterThan(0);
    expect(value(tokens, { model: 'fake-model', kind: 'completion' })).toBeGreaterThan(0);
    expect(value(families.get('chatbot_quota_refusals_total'))).toBe(1);
    const pool = families.get('chatbot_db_pool_connections');
    expect(value(pool, { state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(Number.isFinite(value(pool, { state: 'idle' }))).toBe(true);
    expect(Number.isFinite(value(pool, { state: 'waiting' }))).toBe(true);
    expect(value(families.get('chatbot_websockets_open'))).toBe(1);
    ws.close();
  });

  it('refuses a peer that is not loopback (403), and is neither under /api nor in the OpenAPI document', async () => {
    // app.request() has no socket: no peer to trust, as from a remote address.
    const res = await call(t.app, 'GET', '/metrics');
    expect(res.status).toBe(403);
    expect(res.body.detail.code).toBe('FORBIDDEN');
    // A forwarded header cannot make a remote peer look local.
    const forwarded = await call(t.app, 'GET', '/metrics', { headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(forwarded.status).toBe(403);
    const ext = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (ext) {
      // Reached on a real non-loopback address of this machine.
      const { startServer } = await import('../../server.js');
      const wide = await startServer(t.app.fetch, { port: 0, host: '0.0.0.0' });
      try {
        const port = new URL(wide.url).port;
        expect((await fetch(`http://${ext.address}:${port}/metrics`)).status).toBe(403);
      } finally {
        await wide.close();
      }
    }
    expect(JSON.stringify(buildOpenApiDocument())).not.toContain('"/metrics"');
    expect((await call(t.app, 'GET', '/api/metrics')).status).toBe(404);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  it('needs the bearer token (401 without or with a wrong one), from any address', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const t = await createTestApp({ METRICS_TOKEN: token });
    try {
      expect((await call(t.app, 'GET', '/metrics')).status).toBe(401);
      expect((await call(t.app, 'GET', '/metrics', { token: 'metrics-token-0123456789abcdeX' })).status).toBe(401);
      const ok = await t.app.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toContain('text/plain');
      const families = parsePrometheusTextFormat(await ok.text());
      expect(families.some((f) => f.name === 'chatbot_answers_in_flight')).toBe(true);
    } finally {
      await t.cleanup();
    }
  });
});
