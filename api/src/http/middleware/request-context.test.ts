// Tests of the access log: one structured line per request with id, method, path, status, latency and user id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../../../test/harness.js';
import { createLogger } from '../../lib/logger.js';

describe('request logging', () => {
  const lines: string[] = [];
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, { logger: createLogger('info', { write: (s: string) => void lines.push(s) }) });
  });
  afterAll(async () => t.cleanup());

  const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  it('logs one JSON line per request with request id, method, path, status and latency', async () => {
    await call(t.app, 'GET', '/api/nope', { headers: { 'x-request-id': 'log-1' } });
    const line = entries().find((e) => e.requestId === 'log-1' && e.msg === 'request');
    expect(line).toMatchObject({ method: 'GET', path: '/api/nope', status: 404, service: 'chatbot-api' });
    expect(typeof line?.latencyMs).toBe('number');
    expect(typeof line?.time).toBe('string');
  });

  it('logs auth events and the user id, never the password or the token', async () => {
    const u = { username: 'logged_user', email: 'logged@example.com', password: 'S3cretPassphrase' };
    await call(t.app, 'POST', '/api/auth/register', { body: u, headers: { 'x-request-id': 'log-reg' } });
    await call(t.app, 'POST', '/api/auth/login', { body: { ...u, password: 'Wr0ngGuess99' } });
    const login = await call(t.app, 'POST', '/api/auth/login', { body: u });
    const token = login.body.accessToken as string;
    await call(t.app, 'GET', '/api/auth/me', { token, headers: { 'x-request-id': 'log-me' } });
    await call(t.app, 'POST', '/api/auth/logout', { token });
    const all = entries();
    const events = all.map((e) => e.event).filter(Boolean);
    expect(events).toEqual(['auth.register', 'auth.login_failed', 'auth.login', 'auth.logout']);
    expect(all.find((e) => e.event === 'auth.register')).toMatchObject({
      requestId: 'log-reg',
      userId: login.body.user.id,
    });
    expect(all.find((e) => e.requestId === 'log-me' && e.msg === 'request')).toMatchObject({
      status: 200,
      userId: login.body.user.id,
    });
    const text = lines.join('');
    expect(text).not.toContain(u.password);
    expect(text).not.toContain('Wr0ngGuess99');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]);
  });
});
