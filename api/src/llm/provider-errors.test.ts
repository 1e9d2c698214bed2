// Provider failures from the real ChatOpenAI client, turned into the product's errors; aborts told from failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, type FakeScript, startFakeOpenAI } from '../../test/fake-openai.js';
import { testConfig } from '../../test/harness.js';
import { AppError } from '../http/app-error.js';
import { createLlmProvider } from './model-factory.js';
import { isAbortError, isTimeoutError, toProviderAppError } from './provider-errors.js';

describe('provider errors', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => fake.close());

  const model = () =>
    createLlmProvider(
      testConfig({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'k', OPENAI_MAX_RETRIES: '0' }),
    ).chatModel();

  /** The error a real call fails with under `script`. */
  async function failure(script: FakeScript, opts: { stream?: boolean; signal?: AbortSignal } = {}): Promise<unknown> {
    fake.setScript(script);
    try {
      if (opts.stream) {
        for await (const _ of await model().stream('hi', { signal: opts.signal })) {
          // drain
        }
      } else {
        await model().invoke('hi', { signal: opts.signal });
      }
    } catch (err) {
      return err;
    }
    throw new Error('the call did not fail');
  }

  it('maps a 429 to AI_RATE_LIMIT with the provider’s Retry-After', async () => {
    const err = toProviderAppError(await failure({ error: { status: 429, retryAfter: 12 } }));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'AI_RATE_LIMIT', status: 429, headers: { 'Retry-After': '12' } });
  });

  it('maps a 429 without Retry-After to AI_RATE_LIMIT without the header', async () => {
    const err = toProviderAppError(await failure({ error: { status: 429 } }));
    expect(err.code).toBe('AI_RATE_LIMIT');
    expect(err.headers).toBeUndefined();
  });

  it('maps server errors, bad keys, broken and malformed streams to AI_API_ERROR without the provider’s words', async () => {
    const cases: [FakeScript, boolean][] = [
      [{ error: { status: 500, message: 'database password is hunter2' } }, false],
      [{ error: { status: 401, message: 'Incorrect API key provided: sk-abc' } }, false],
      [{ reply: 'a b c d', failAfterChunks: 2 }, true],
      [{ reply: 'a b c d', malformedAfterChunks: 1 }, true],
    ];
    for (const [script, stream] of cases) {
      const err = toProviderAppError(await failure(script, { stream }));
      expect(err).toMatchObject({ code: 'AI_API_ERROR', status: 502 });
      expect(err.message).toBe('The AI service is unavailable. Please try again.');
    }
  });

  it('tells a timeout from a deliberate abort', async () => {
    const timeout = AbortSignal.timeout(100);
    const timedOut = await failure({ hang: true }, { signal: timeout });
    expect(isTimeoutError(timedOut, timeout)).toBe(true);
    expect(isAbortError(timedOut, timeout)).toBe(false);
    expect(toProviderAppError(timedOut).code).toBe('AI_API_ERROR');

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const stopped = await failure(
      { reply: 'a b c d e f g', chunkDelayMs: 50 },
      { stream: true, signal: controller.signal },
    );
    expect(isAbortError(stopped, controller.signal)).toBe(true);
    expect(isTimeoutError(stopped, controller.signal)).toBe(false);
  });

  it('does not take an ordinary failure for an abort', async () => {
    const err = await failure({ error: { status: 500 } });
    expect(isAbortError(err)).toBe(false);
    expect(isTimeoutError(err)).toBe(false);
  });
});
