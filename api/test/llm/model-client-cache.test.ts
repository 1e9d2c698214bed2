// The model-client cache is bounded (#17.6): one client per (model, temperature, streaming), but users set any
// temperature, so only the MODEL_CLIENT_CACHE_MAX most recently used are kept; each call still sends its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmProvider, MODEL_CLIENT_CACHE_MAX } from '../../src/llm/model-factory.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-openai.js';
import { testConfig } from '../harness.js';

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI({ reply: 'ok' });
});
afterAll(async () => fake.close());

const provider = () => createLlmProvider(testConfig({ OPENAI_BASE_URL: fake.url, OPENAI_MAX_RETRIES: '0' }));

describe('model-client cache', () => {
  it(`keeps at most ${MODEL_CLIENT_CACHE_MAX} clients, dropping the least recently used`, () => {
    const p = provider();
    const first = p.chatModel({ temperature: 0 });
    const kept = p.chatModel({ temperature: 0.01 });
    // A thousand distinct temperatures, as many users' settings would be; 0.01 is used now and then.
    for (let i = 2; i < 1_000; i++) {
      p.chatModel({ temperature: (i % 200) / 100 + 0.001 });
      if (i % 10 === 0) expect(p.chatModel({ temperature: 0.01 })).toBe(kept);
    }
    // The least recently used was evicted (a new client); the one in use was never.
    expect(p.chatModel({ temperature: 0 })).not.toBe(first);
    expect(p.chatModel({ temperature: 0.01 })).toBe(kept);
    // The most recent ones are still shared.
    const recent = p.chatModel({ temperature: 1.5 });
    expect(p.chatModel({ temperature: 1.5 })).toBe(recent);
  });

  it('sends each call its own temperature, also after evictions', async () => {
    const p = provider();
    for (let i = 0; i < MODEL_CLIENT_CACHE_MAX + 5; i++) p.chatModel({ temperature: i / 100 });
    const before = fake.chatRequests().length;
    await p.chatModel({ temperature: 0 }).invoke('hi');
    await p.chatModel({ temperature: 1.25 }).invoke('hi');
    const sent = fake
      .chatRequests()
      .slice(before)
      .map((r) => r.body.temperature);
    expect(sent).toEqual([0, 1.25]);
  });
});
