import { modelsResponseSchema } from '@chatbot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { seedUser } from '../../../test/fixtures.js';
import { call, createTestApp, type TestApp } from '../../../test/harness.js';
import type { LlmProvider } from '../../llm/provider.js';

/** A provider that only describes its models: this route never asks it for an answer. */
function providerOffering(defaultModel: string, models: string[]): LlmProvider {
  return {
    kind: 'openai-compatible',
    defaultModel,
    models,
    chatModel() {
      throw new Error('not used by GET /api/models');
    },
  };
}

describe('GET /api/models', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it('requires a token', async () => {
    t = await createTestApp();
    const res = await call(t.app, 'GET', '/api/models');
    expect(res.status).toBe(401);
    expect(res.body.detail.code).toBe('UNAUTHORIZED');
  });

  it('offers only "offline" when no model server is configured', async () => {
    t = await createTestApp();
    const user = await seedUser(t);
    const res = await call(t.app, 'GET', '/api/models', { token: user.token });
    expect(res.status).toBe(200);
    expect(modelsResponseSchema.parse(res.body)).toEqual({ models: ['offline'], default: 'offline' });
  });

  it('lists the configured models with the default first', async () => {
    t = await createTestApp({}, { llm: providerOffering('llama3.1', ['qwen2.5', 'llama3.1', 'mistral']) });
    const user = await seedUser(t);
    const res = await call(t.app, 'GET', '/api/models', { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ models: ['llama3.1', 'qwen2.5', 'mistral'], default: 'llama3.1' });
  });
});
