// The fake OpenAI-compatible server speaks OpenAI's wire format and does what its script says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, lastUserText, startFakeOpenAI } from './fake-openai.js';

const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: 'fake-model',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'hello there' },
  ],
  ...extra,
});

async function post(fake: FakeOpenAI, body: unknown, signal?: AbortSignal) {
  return fetch(`${fake.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
    body: JSON.stringify(body),
    signal,
  });
}

/** A JSON response body, read field by field by the assertions. */
// biome-ignore lint/suspicious/noExplicitAny: tests read OpenAI response bodies field by field and assert each one
const json = async (res: Response): Promise<any> => res.json();

/** The `data:` payloads of an SSE body, in order. */
function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length));
}

describe('fake OpenAI-compatible server', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => fake.close());

  it('answers a non-streaming completion in OpenAI format, echoing the last user message by default', async () => {
    fake.setScript({});
    const res = await post(fake, chatBody());
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'fake-model',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Echo: hello there' }, finish_reason: 'stop' }],
    });
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it('records every request body it receives', async () => {
    fake.setScript({ reply: 'ok' });
    const before = fake.chatRequests().length;
    await post(fake, chatBody({ temperature: 0.2 }));
    const recorded = fake.chatRequests().slice(before);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.body.temperature).toBe(0.2);
    expect(recorded[0]!.headers.authorization).toBe('Bearer test');
    expect(lastUserText(recorded[0]!.body)).toBe('hello there');
  });

  it('streams chunk by chunk: role chunk, content chunks, finish chunk, usage chunk when asked, then [DONE]', async () => {
    fake.setScript({ reply: 'one two three' });
    const res = await post(fake, chatBody({ stream: true, stream_options: { include_usage: true } }));
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const data = sseData(await res.text());
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0].choices[0].delta).toMatchObject({ role: 'assistant', content: '' });
    const contents = chunks.slice(1, 4).map((c) => c.choices[0].delta.content);
    expect(contents).toEqual(['one ', 'two ', 'three']);
    expect(chunks[4].choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks[5].choices).toEqual([]);
    expect(chunks[5].usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    // Before the last chunk, OpenAI sends `usage: null` on every chunk when usage is requested.
    expect(chunks.slice(0, 5).every((c) => c.usage === null)).toBe(true);
  });

  it('sends no usage chunk when the request did not ask for it', async () => {
    fake.setScript({ reply: 'a b' });
    const data = sseData(await (await post(fake, chatBody({ stream: true }))).text());
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.some((c) => 'usage' in c)).toBe(false);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
  });

  it('builds the reply from the request when given a function, and cuts it by characters when asked', async () => {
    fake.setScript({ reply: (req) => lastUserText(req).toUpperCase(), chunkBy: 'char' });
    const data = sseData(await (await post(fake, chatBody({ stream: true }))).text());
    const text = data
      .slice(0, -1)
      .map((d) => JSON.parse(d).choices[0]?.delta?.content ?? '')
      .join('');
    expect(text).toBe('HELLO THERE');
    expect(data.length).toBe('HELLO THERE'.length + 3); // role + chars + finish + [DONE]
  });

  it('waits the scripted delay between chunks', async () => {
    fake.setScript({ reply: 'a b c d e', chunkDelayMs: 40 });
    const started = Date.now();
    await (await post(fake, chatBody({ stream: true }))).text();
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 40 - 5);
  });

  it('answers errors in OpenAI format, with Retry-After on a 429', async () => {
    fake.setScript({ error: { status: 429, retryAfter: 7 } });
    const limited = await post(fake, chatBody());
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await json(limited)).error).toMatchObject({ code: 'rate_limit_exceeded' });

    fake.setScript({ error: { status: 401, message: 'bad key' } });
    const denied = await post(fake, chatBody());
    expect(denied.status).toBe(401);
    expect((await json(denied)).error.message).toBe('bad key');
  });

  it('fails only the first N requests when errorTimes is set', async () => {
    fake.setScript({ error: { status: 500 }, errorTimes: 1, reply: 'recovered' });
    expect((await post(fake, chatBody())).status).toBe(500);
    const ok = await post(fake, chatBody());
    expect(ok.status).toBe(200);
    expect((await json(ok)).choices[0].message.content).toBe('recovered');
  });

  it('hangs without answering until the client gives up', async () => {
    fake.setScript({ hang: true });
    await expect(post(fake, chatBody(), AbortSignal.timeout(150))).rejects.toThrow();
  });

  it('cuts the connection after N content chunks', async () => {
    fake.setScript({ reply: 'a b c d e f', failAfterChunks: 2 });
    const res = await post(fake, chatBody({ stream: true }));
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let received = '';
    const failure = await (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return undefined;
          received += new TextDecoder().decode(value);
        }
      } catch (err) {
        return err;
      }
    })();
    expect(failure).toBeInstanceOf(Error);
    const contents = sseData(received).map((d) => JSON.parse(d).choices[0].delta.content);
    expect(contents).toEqual(['', 'a ', 'b ']);
  });

  it('stalls after N content chunks with the connection left open', async () => {
    fake.setScript({ reply: 'a b c d', stallAfterChunks: 2 });
    const controller = new AbortController();
    const res = await post(fake, chatBody({ stream: true }), controller.signal);
    const reader = res.body!.getReader();
    let received = '';
    const stalled = await (async () => {
      for (;;) {
        const read = await Promise.race([reader.read(), new Promise<'idle'>((r) => setTimeout(() => r('idle'), 300))]);
        if (read === 'idle') return true;
        if (read.done) return false;
        received += new TextDecoder().decode(read.value);
      }
    })();
    controller.abort();
    expect(stalled).toBe(true);
    expect(sseData(received).map((d) => JSON.parse(d).choices[0].delta.content)).toEqual(['', 'a ', 'b ']);
  });

  it('sends a chunk that is not JSON after N content chunks', async () => {
    fake.setScript({ reply: 'a b c d', malformedAfterChunks: 1 });
    const data = sseData(await (await post(fake, chatBody({ stream: true }))).text());
    expect(data).toHaveLength(3);
    expect(() => JSON.parse(data[2]!)).toThrow();
  });

  it('lists its models', async () => {
    const res = await fetch(`${fake.url}/models`);
    expect((await json(res)).data[0]).toMatchObject({ id: 'fake-model', object: 'model' });
  });
});
