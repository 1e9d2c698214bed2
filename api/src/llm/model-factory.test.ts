// The model factory: which provider the config selects, and that the real ChatOpenAI client talks to the
// configured server only (no tokenizer download, no other host), with the settings the config gives.
import diagnostics from 'node:diagnostics_channel';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../test/fake-openai.js';
import { testConfig } from '../../test/harness.js';
import { createLlmProvider, isOpenAIEndpoint, offeredModels } from './model-factory.js';

describe('provider selection', () => {
  it('uses the offline model when neither OPENAI_API_KEY nor OPENAI_BASE_URL is set', () => {
    const p = createLlmProvider(testConfig());
    expect(p).toMatchObject({ kind: 'offline', defaultModel: 'offline', models: ['offline'] });
    expect(p.chatModel()._llmType()).toBe('offline');
  });

  it('uses OpenAI with only a key, and a compatible server with a base URL elsewhere', () => {
    expect(createLlmProvider(testConfig({ OPENAI_API_KEY: 'sk-test' })).kind).toBe('openai');
    expect(createLlmProvider(testConfig({ OPENAI_BASE_URL: 'https://api.openai.com/v1' })).kind).toBe('openai');
    const compatible = createLlmProvider(testConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }));
    expect(compatible).toMatchObject({ kind: 'openai-compatible', defaultModel: 'gpt-4o', models: ['gpt-4o'] });
  });

  it('offers OPENAI_MODELS with the default model first', () => {
    expect(offeredModels({ OPENAI_MODEL: 'b', OPENAI_MODELS: ['a', 'b', 'c'] })).toEqual(['b', 'a', 'c']);
    expect(offeredModels({ OPENAI_MODEL: 'b', OPENAI_MODELS: undefined })).toEqual(['b']);
  });

  it('recognises OpenAI’s own endpoint', () => {
    expect(isOpenAIEndpoint(undefined)).toBe(true);
    expect(isOpenAIEndpoint('https://api.openai.com/v1')).toBe(true);
    expect(isOpenAIEndpoint('http://localhost:8000/v1')).toBe(false);
  });
});

describe('ChatOpenAI against an OpenAI-compatible server', () => {
  let fake: FakeOpenAI;
  const outgoing: string[] = [];
  const onRequest = (message: unknown) => {
    const { request } = message as { request: { origin: string; path: string } };
    outgoing.push(`${request.origin}${request.path}`);
  };

  beforeAll(async () => {
    fake = await startFakeOpenAI({ reply: 'one two three', usage: { prompt_tokens: 11, completion_tokens: 3 } });
    // Every request Node's fetch makes is announced here (undici's diagnostics channel): no mock, just a witness.
    diagnostics.subscribe('undici:request:create', onRequest);
  });
  afterAll(async () => {
    diagnostics.unsubscribe('undici:request:create', onRequest);
    await fake.close();
  });

  const provider = () =>
    createLlmProvider(
      testConfig({
        OPENAI_BASE_URL: fake.url,
        OPENAI_MODEL: 'local-llm',
        OPENAI_TEMPERATURE: '0.3',
        OPENAI_MAX_RETRIES: '0',
      }),
    );

  it('sends the model, temperature and messages, with a placeholder key when only a base URL is set', async () => {
    const reply = await provider()
      .chatModel()
      .invoke([new SystemMessage('sys'), new HumanMessage('hi')]);
    expect(reply.content).toBe('one two three');
    expect(reply.usage_metadata).toMatchObject({ input_tokens: 11, output_tokens: 3, total_tokens: 14 });
    const req = fake.chatRequests().at(-1)!;
    expect(req.headers.authorization).toBe('Bearer not-needed');
    expect(req.body).toMatchObject({
      model: 'local-llm',
      temperature: 0.3,
      stream: false,
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'hi' },
      ],
    });
  });

  it('streams token by token without asking a compatible server for stream usage', async () => {
    const pieces: string[] = [];
    for await (const chunk of await provider().chatModel().stream('hi')) pieces.push(String(chunk.content));
    expect(pieces.filter(Boolean)).toEqual(['one ', 'two ', 'three']);
    const body = fake.chatRequests().at(-1)!.body;
    expect(body.stream).toBe(true);
    expect(body.stream_options).toBeUndefined();
  });

  it('asks for stream usage when OPENAI_STREAM_USAGE=true, and records what the server reports', async () => {
    const p = createLlmProvider(
      testConfig({ OPENAI_BASE_URL: fake.url, OPENAI_STREAM_USAGE: 'true', OPENAI_MAX_RETRIES: '0' }),
    );
    let usage: unknown;
    for await (const chunk of await p.chatModel().stream('hi')) if (chunk.usage_metadata) usage = chunk.usage_metadata;
    expect(fake.chatRequests().at(-1)!.body.stream_options).toEqual({ include_usage: true });
    expect(usage).toMatchObject({ input_tokens: 11, output_tokens: 3 });
  });

  it('counts tokens locally: nothing but the configured server is contacted, even where LangChain estimates usage', async () => {
    outgoing.length = 0;
    const model = provider().chatModel({ streaming: true });
    // A streaming invoke() estimates usage with getNumTokens, which in stock LangChain downloads tokenizer ranks.
    const reply = await model.invoke([new SystemMessage('sys'), new HumanMessage('count me')]);
    expect(reply.content).toBe('one two three');
    expect(await model.getNumTokens('hello world')).toBe(2);
    expect(outgoing.length).toBeGreaterThan(0);
    const fakeOrigin = new URL(fake.url).origin;
    expect(outgoing.filter((u) => !u.startsWith(fakeOrigin))).toEqual([]);
  });

  it('retries a failed call (OPENAI_MAX_RETRIES) and succeeds once the provider recovers', async () => {
    const p = createLlmProvider(testConfig({ OPENAI_BASE_URL: fake.url, OPENAI_MAX_RETRIES: '1' }));
    fake.setScript({ error: { status: 500 }, errorTimes: 1, reply: 'second time lucky' });
    const before = fake.chatRequests().length;
    const reply = await p.chatModel().invoke('hi');
    expect(reply.content).toBe('second time lucky');
    expect(fake.chatRequests().length - before).toBe(2);
    fake.setScript({ reply: 'one two three', usage: { prompt_tokens: 11, completion_tokens: 3 } });
  });

  it('reuses one client per model and settings', () => {
    const p = provider();
    expect(p.chatModel()).toBe(p.chatModel());
    expect(p.chatModel({ model: 'other' })).not.toBe(p.chatModel());
  });
});
