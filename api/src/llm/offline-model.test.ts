// The offline model: a real LangChain chat model that streams deterministic, self-describing answers.
import { type AIMessageChunk, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { OfflineChatModel, offlineAnswer } from './offline-model.js';

const prompt = [new SystemMessage('sys'), new HumanMessage('What is 2 + 2?')];

describe('offline model', () => {
  it('says it is the offline model, quotes the user, and tells how to configure a real model', async () => {
    const reply = await new OfflineChatModel().invoke(prompt);
    const text = String(reply.content);
    expect(text).toContain('offline model');
    expect(text).toContain('> What is 2 + 2?');
    expect(text).toContain('OPENAI_API_KEY');
    expect(text).toContain('OPENAI_BASE_URL');
    expect(reply.usage_metadata?.input_tokens).toBeGreaterThan(0);
    expect(reply.usage_metadata?.output_tokens).toBeGreaterThan(0);
  });

  it('answers the same prompt the same way every time', async () => {
    const model = new OfflineChatModel();
    expect(String((await model.invoke(prompt)).content)).toBe(String((await model.invoke(prompt)).content));
  });

  it('streams the same answer token by token, with usage at the end', async () => {
    const model = new OfflineChatModel({ tokenDelayMs: 0 });
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await model.stream(prompt)) chunks.push(chunk);
    const text = chunks.map((c) => c.content).join('');
    expect(text).toBe(offlineAnswer(prompt));
    expect(chunks.length).toBeGreaterThan(20);
    expect(chunks.at(-1)!.usage_metadata?.total_tokens).toBeGreaterThan(0);
  });

  it('mentions how much of the conversation it was given', () => {
    const answer = offlineAnswer([new HumanMessage('one'), new HumanMessage('two'), new HumanMessage('three')]);
    expect(answer).toContain('2 earlier messages');
  });

  it('caps a long quote so a long message does not make a longer answer', () => {
    const answer = offlineAnswer([new HumanMessage('x'.repeat(5000))]);
    expect(answer.length).toBeLessThan(1000);
  });

  it('stops streaming when its signal is aborted', async () => {
    const model = new OfflineChatModel({ tokenDelayMs: 20 });
    const controller = new AbortController();
    const received: string[] = [];
    const run = (async () => {
      for await (const chunk of await model.stream(prompt, { signal: controller.signal })) {
        received.push(String(chunk.content));
        if (received.length === 3) controller.abort();
      }
    })();
    await expect(run).rejects.toThrow();
    expect(received.length).toBeGreaterThanOrEqual(3);
    expect(received.length).toBeLessThan(6);
  });
});
