// Integration tests of request validation on a real JSON route (register): bad JSON, content types, field names.
import type { ErrorBody } from '@chatbot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../../test/harness.js';

describe('validate()', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.cleanup());

  const valid = JSON.stringify({ username: 'validator', email: 'v@example.com', password: 'Str0ngPassword' });

  it('refuses malformed JSON with 400 VALIDATION_ERROR on the body', async () => {
    const res = await call(t.app, 'POST', '/api/auth/register', { body: '{"username": "abc",' });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'body' });
    expect(res.body.detail.message).toMatch(/JSON/);
  });

  it('refuses a body with no Content-Type', async () => {
    const res = await t.app.request('/api/auth/register', { method: 'POST', body: valid });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).detail).toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'body',
      message: 'Content-Type must be application/json',
    });
  });

  it('refuses a non-JSON Content-Type even when the body is JSON', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await call(t.app, 'POST', '/api/auth/register', { body: valid, headers: { 'content-type': type } });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'body' });
    }
  });

  it('accepts application/json with a charset', async () => {
    const res = await call(t.app, 'POST', '/api/auth/register', {
      body: valid,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.status).toBe(201);
  });

  it('refuses a JSON value that is not an object, naming the body', async () => {
    for (const body of ['[]', '"text"', 'null', '42']) {
      const res = await call(t.app, 'POST', '/api/auth/register', { body });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field: 'body' });
    }
  });

  it('says "is required" for a missing field but names the wrong type otherwise', async () => {
    const missing = await call(t.app, 'POST', '/api/auth/login', { body: { password: 'x' } });
    expect(missing.body.detail).toMatchObject({ field: 'username', message: 'username is required' });
    const wrongType = await call(t.app, 'POST', '/api/auth/login', { body: { username: 42, password: 'x' } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.detail.field).toBe('username');
    expect(wrongType.body.detail.message).not.toMatch(/required/);
    expect(wrongType.body.detail.message).toMatch(/string/);
  });
});
