// A session whose imported history is huge (#17.1): imported user messages are capped like typed ones; building the
// next prompt counts only what the budget can hold (never tokenising a megabyte row whole on the main thread), so
// other requests on the process stay fast; a newest message over the budget is sent cut to fit, with a note.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUNCATED_NOTE } from '../../src/llm/memory.js';
import { countTokens } from '../../src/llm/token-counter.js';
import { seedUser } from '../fixtures.js';
import { call, createAppWithModel, type TestAppWithModel } from '../harness.js';
import { readSseEvents, type Served, serveApp } from '../stream/stream-helpers.js';

let t: TestAppWithModel;
let served: Served;
let user: { id: number; token: string };

beforeAll(async () => {
  t = await createAppWithModel(
    { reply: 'ok' },
    { OPENAI_API_KEY: 'test', OPENAI_MAX_RETRIES: '0', CONTEXT_MAX_TOKENS: '2000', SYSTEM_PROMPT: 'Be brief.' },
  );
  served = await serveApp(t);
  user = await seedUser(t, 'huge_history');
  // The tokenizer's ranks load once per process (~0.5 s) on the first count: not what this file measures.
  countTokens('warm up');
});

afterAll(async () => {
  await served?.close();
  await t?.cleanup();
});

const at = '2026-02-01T08:00:00.000Z';
const file = (messages: { role: 'user' | 'assistant'; content: string }[]) => ({
  version: 1,
  exportedAt: at,
  sessions: [
    {
      title: 'Huge',
      createdAt: at,
      updatedAt: at,
      messages: messages.map((m) => ({ ...m, status: 'complete' as const, createdAt: at })),
    },
  ],
});

const importFile = (body: unknown) => call(t.app, 'POST', '/api/import', { token: user.token, body });

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!;
}

describe('huge imported history', () => {
  it('refuses an imported user message longer than a typed one may be', async () => {
    const res = await importFile(file([{ role: 'user', content: 'x'.repeat(10_001) }]));
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(res.body.detail.field).toMatch(/content/);
  });

  it('answers in a session of megabyte answers while /api/health stays fast', async () => {
    // Eight imported answers of a million characters each: ~175,000 tokens apiece.
    const huge = 'lorem ipsum dolor sit amet, consectetur '.repeat(25_000);
    const messages = Array.from({ length: 8 }, (_, i) => [
      { role: 'user' as const, content: `question ${i}` },
      { role: 'assistant' as const, content: huge },
    ]).flat();
    const imported = await importFile(file(messages));
    expect(imported.status).toBe(201);
    const sessionId = imported.body.sessionIds[0] as number;

    // A probe every 10 ms, each timed from when it was due (the app shares this process: a blocked event loop
    // delays the sending too, and that delay is what every client of the process would feel).
    let answering = true;
    const latencies: number[] = [];
    const inFlight: Promise<void>[] = [];
    const probe = (async () => {
      let due = performance.now();
      while (answering) {
        while (due <= performance.now()) {
          const scheduled = due;
          inFlight.push(
            fetch(`${served.baseUrl}/api/health`)
              .then((res) => res.arrayBuffer())
              .then(() => {
                latencies.push(performance.now() - scheduled);
              }),
          );
          due += 10;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      await Promise.all(inFlight);
    })();
    for (let turn = 0; turn < 3; turn++) {
      const res = await fetch(`${served.baseUrl}/api/chat/sessions/${sessionId}/messages/stream`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: `next question ${turn}` }),
      });
      const events = await readSseEvents(res);
      expect(events.at(-1)?.event).toBe('done');
    }
    answering = false;
    await probe;
    expect(latencies.length).toBeGreaterThan(5);
    // Counting those rows whole froze the process for over a second a turn (p95 above 3 s here); the bound leaves
    // room for a loaded machine.
    expect(p95(latencies)).toBeLessThan(400);
    // What was sent fits the budget: the newest turns, not a megabyte answer.
    const sent = t.fake.chatRequests().at(-1)!.body.messages;
    expect(sent.at(-1)).toEqual({ role: 'user', content: 'next question 2' });
    expect(sent.every((m) => String(m.content).length < 12_000)).toBe(true);
  });

  it('sends a newest message over the budget cut to fit, with a note, the same on every answer to it', async () => {
    const long = 'x '.repeat(4_999).trim(); // ~5,000 tokens in 9,997 characters, over CONTEXT_MAX_TOKENS (2000)
    const created = await call(t.app, 'POST', '/api/chat/sessions', { token: user.token, body: {} });
    const id = created.body.id as number;
    const first = await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
      token: user.token,
      body: { content: long },
    });
    expect(first.status).toBe(201);
    const sent = t.fake.chatRequests().at(-1)!.body.messages;
    expect(sent).toHaveLength(2);
    const cut = String(sent[1]!.content);
    expect(cut.endsWith(TRUNCATED_NOTE)).toBe(true);
    expect(long.startsWith(cut.slice(0, -TRUNCATED_NOTE.length))).toBe(true);
    expect(cut.length).toBeLessThan(long.length);
    expect(cut.length).toBeGreaterThan(3_000); // most of the budget is used, not a token or two
    // The stored message stays whole; answering it again sends the same cut.
    expect(first.body.userMessage.content).toBe(long);
    const again = await call(
      t.app,
      'POST',
      `/api/chat/sessions/${id}/messages/${first.body.assistantMessage.id}/regenerate`,
      { token: user.token, body: {} },
    );
    expect(again.status).toBe(201);
    expect(t.fake.chatRequests().at(-1)!.body.messages).toEqual(sent);
  });
});
