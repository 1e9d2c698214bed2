// Integration tests of the HTTP guards: security headers, CORS allow-list, body limit, request ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../../../test/harness.js';

describe('security middleware', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ALLOWED_ORIGINS: 'https://app.example,http://localhost:8080', BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(async () => t.cleanup());

  it('sets security headers on success, on errors and on unknown routes', async () => {
    for (const [method, path] of [
      ['GET', '/api/health'],
      ['GET', '/api/auth/me'],
      ['GET', '/api/nope'],
    ] as const) {
      const res = await call(t.app, method, path);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      // Connections only to this origin (ws/wss included by 'self'): no ws:/wss: wildcard to any host.
      expect(res.headers.get('content-security-policy')).toMatch(/connect-src 'self';/);
    }
  });

  it('answers a preflight from an allowed origin with that origin', async () => {
    const res = await t.app.request('/api/auth/login', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(/authorization/);
  });

  it('gives no CORS grant to an origin outside ALLOWED_ORIGINS', async () => {
    const preflight = await t.app.request('/api/auth/login', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await call(t.app, 'GET', '/api/health', { headers: { origin: 'https://evil.example' } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const allowed = await call(t.app, 'GET', '/api/health', { headers: { origin: 'http://localhost:8080' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:8080');
    expect(allowed.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/i);
  });

  it('refuses a body over BODY_LIMIT_BYTES with 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ username: 'big', email: 'big@example.com', password: `Aa1${'x'.repeat(3000)}` });
    const res = await call(t.app, 'POST', '/api/auth/register', { body: big });
    expect(res.status).toBe(413);
    expect(res.body.detail).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    // Streamed without Content-Length, the limit still holds.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const chunked = await t.app.request('/api/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      // A stream body needs duplex in Node's fetch Request.
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);
  });

  it('puts an X-Request-Id on every response, keeping a sane incoming one and replacing an unsafe one', async () => {
    const generated = await call(t.app, 'POST', '/api/auth/login', { body: {} });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await call(t.app, 'GET', '/api/nope', { headers: { 'x-request-id': 'trace-42' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-42');
    const unsafe = await call(t.app, 'GET', '/api/health', { headers: { 'x-request-id': 'bad id\twith "quotes"' } });
    expect(unsafe.headers.get('x-request-id')).not.toContain('bad id');
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
