// The provider's time limits (#17.8): OPENAI_TIMEOUT_MS is an idle timeout (to the first chunk and between chunks),
// OPENAI_TOTAL_TIMEOUT_MS bounds a whole answer. A slow model that keeps sending is not cut off; one that stalls
// ends the answer as error within the idle timeout, with the text it sent kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUser } from '../fixtures.js';
import { createAppWithModel, type TestAppWithModel } from '../harness.js';
import { createSession, messageRows, postStream, type Served, SseReader, serveApp } from './stream-helpers.js';

const IDLE_MS = 400;
const REPLY = 'one two three four five six seven eight';

let t: TestAppWithModel;
let served: Served;
let user: { id: number; token: string };

beforeAll(async () => {
  t = await createAppWithModel(
    { reply: REPLY },
    { OPENAI_API_KEY: 'test', OPENAI_TIMEOUT_MS: String(IDLE_MS), OPENAI_MAX_RETRIES: '0' },
  );
  served = await serveApp(t);
  user = await seedUser(t, 'timeout_user');
});

afterAll(async () => {
  await served?.close();
  await t?.cleanup();
});

const chunkText = (events: { event: string; data: unknown }[]) =>
  events
    .filter((e) => e.event === 'chunk')
    .map((e) => (e.data as { content: string }).content)
    .join('');

describe('model time limits', () => {
  it('lets a slow but steady model answer for longer than the idle timeout', async () => {
    // 8 chunks 150 ms apart: about 1.05 s in all, more than twice OPENAI_TIMEOUT_MS, never idle that long.
    t.fake.setScript({ reply: REPLY, chunkDelayMs: 150 });
    const sessionId = await createSession(t, user.id);
    const started = Date.now();
    const events = await new SseReader(await postStream(served.baseUrl, sessionId, user.token, 'slowly')).rest();
    expect(Date.now() - started).toBeGreaterThan(2 * IDLE_MS);
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { assistantMessage: { status: 'complete' } } });
    expect(chunkText(events)).toBe(REPLY);
    expect((await messageRows(t, sessionId))[1]).toMatchObject({ status: 'complete', content: REPLY });
  });

  it('ends an answer whose model stalls after 2 chunks within the idle timeout, stored as error with them', async () => {
    // The second chunk comes 300 ms after the first: a limit counted from the start would fire 100 ms after it.
    t.fake.setScript({ reply: REPLY, chunkDelayMs: 300, stallAfterChunks: 2 });
    const sessionId = await createSession(t, user.id);
    const reader = new SseReader(await postStream(served.baseUrl, sessionId, user.token, 'stall'));
    const events = [];
    let chunks = 0;
    let secondChunkAt = 0;
    for (let ev = await reader.next(); ev; ev = await reader.next()) {
      events.push(ev);
      if (ev.event === 'chunk' && ++chunks === 2) secondChunkAt = performance.now();
    }
    const endedAfter = performance.now() - secondChunkAt;
    const sent = 'one two ';
    expect(chunkText(events)).toBe(sent);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'AI_API_ERROR' } });
    // Within the idle timeout of the last chunk (plus storing it), not the old whole-answer bound.
    expect(endedAfter).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(endedAfter).toBeLessThan(IDLE_MS + 1_000);
    expect((await messageRows(t, sessionId))[1]).toMatchObject({ status: 'error', content: sent });
  });

  it('bounds a whole answer by OPENAI_TOTAL_TIMEOUT_MS, however steadily the model sends', async () => {
    const bounded = await createAppWithModel(
      { reply: REPLY, chunkDelayMs: 150 },
      { OPENAI_API_KEY: 'test', OPENAI_TIMEOUT_MS: String(IDLE_MS), OPENAI_TOTAL_TIMEOUT_MS: '500' },
    );
    const boundedServed = await serveApp(bounded);
    try {
      const u = await seedUser(bounded, 'total_user');
      const sessionId = await createSession(bounded, u.id);
      const started = Date.now();
      const events = await new SseReader(await postStream(boundedServed.baseUrl, sessionId, u.token, 'x')).rest();
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'AI_API_ERROR' } });
      const stored = (await messageRows(bounded, sessionId))[1];
      expect(stored?.status).toBe('error');
      expect(REPLY.startsWith(stored?.content ?? '')).toBe(true);
      expect(stored?.content.length).toBeGreaterThan(0);
    } finally {
      await boundedServed.close();
      await bounded.cleanup();
    }
  });
});
