import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../../../test/harness.js';

describe('health and readiness', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.cleanup());

  it('reports liveness with the provider in use', async () => {
    const res = await call(t.app, 'GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', provider: 'offline' });
    expect(res.headers.get('x-request-id')).toMatch(/.+/);
  });

  it('is ready when the database answers', async () => {
    const res = await call(t.app, 'GET', '/api/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready' });
  });

  it('answers an unknown API route with the error body', async () => {
    const res = await call(t.app, 'GET', '/api/does-not-exist');
    expect(res.status).toBe(404);
    expect(res.body.detail).toMatchObject({ code: 'NOT_FOUND' });
    expect(typeof res.body.detail.timestamp).toBe('string');
  });

  it('keeps a sane incoming request id', async () => {
    const res = await call(t.app, 'GET', '/api/health', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });
});
