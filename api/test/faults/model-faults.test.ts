// Fault: the model server hangs, cuts off or sends garbage, at 100 concurrent streams (loopback only). The app is
// served on a real port (HTTP, its real LangChain client, real PostgreSQL); only the model is the fake server.
// CONTRACT.md, Reliability promises: every answer ends stored and marked within the idle timeout OPENAI_TIMEOUT_MS,
// with the chunks it streamed kept; the process stays responsive and no answer is left `streaming`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeScript } from '../fake-openai.js';
import { seedUser } from '../fixtures.js';
import { createAppWithModel, type TestAppWithModel } from '../harness.js';
import { createSession, postStream, type Served, serveApp } from '../stream/stream-helpers.js';
import { AnswerReader, longReply, within } from './fault-helpers.js';

const IDLE_MS = 1_500;
/** Allowed beyond the idle timeout: storing the answer and 100 streams sharing a 2-core machine. */
const MARGIN_MS = 1_500;
const STREAMS = 100;
const REPLY = longReply(12);
/** What a client receives before each fault (the fake sends 3 content chunks first, one word each). */
const BEFORE_FAULT = 'word1 word2 word3 ';

const faults: { name: string; script: FakeScript; kept: string }[] = [
  { name: 'hangs before sending headers', script: { reply: REPLY, hang: true }, kept: '' },
  { name: 'hangs after headers and 3 chunks', script: { reply: REPLY, stallAfterChunks: 3 }, kept: BEFORE_FAULT },
  { name: 'closes the connection mid-stream', script: { reply: REPLY, failAfterChunks: 3 }, kept: BEFORE_FAULT },
  { name: 'resets the connection mid-stream', script: { reply: REPLY, resetAfterChunks: 3 }, kept: BEFORE_FAULT },
  { name: 'sends a malformed chunk and ends', script: { reply: REPLY, malformedAfterChunks: 3 }, kept: BEFORE_FAULT },
  { name: 'sends garbage and stays open', script: { reply: REPLY, garbageAfterChunks: 3 }, kept: BEFORE_FAULT },
];

let t: TestAppWithModel;
let served: Served;
let user: { id: number; token: string };
const measured: string[] = [];

beforeAll(async () => {
  // OPENAI_MAX_RETRIES stays at its default (2): the idle deadline must bound the retries too.
  t = await createAppWithModel(
    { reply: REPLY },
    { OPENAI_API_KEY: 'test', OPENAI_TIMEOUT_MS: String(IDLE_MS), OPENAI_MODEL: 'fake-model', DB_POOL_MAX: '20' },
  );
  served = await serveApp(t);
  user = await seedUser(t, 'model_fault_user');
  // One answer that works, so the first fault's timings do not include the first call's warm-up.
  const warm = new AnswerReader(await postStream(served.baseUrl, await createSession(t, user.id), user.token, 'hi'));
  await within(warm.finished, 10_000, 'the warm-up answer');
}, 60_000);

afterAll(async () => {
  process.stderr.write(`[faults] model faults, ${STREAMS} concurrent streams, OPENAI_TIMEOUT_MS=${IDLE_MS}:\n`);
  for (const line of measured) process.stderr.write(`  ${line}\n`);
  await served?.close();
  await t?.cleanup();
}, 30_000);

describe(`the model server failing under ${STREAMS} concurrent streams`, () => {
  for (const fault of faults) {
    it(`${fault.name}: every answer ends stored and marked within the idle timeout, its chunks kept`, async () => {
      t.fake.setScript(fault.script);
      const sessions = await Promise.all(Array.from({ length: STREAMS }, () => createSession(t, user.id, fault.name)));

      // /api/health polled the whole time: the process answers while 100 answers fail around it.
      let polling = true;
      const health: number[] = [];
      const poller = (async () => {
        while (polling) {
          const started = performance.now();
          const res = await fetch(`${served.baseUrl}/api/health`, { signal: AbortSignal.timeout(5_000) });
          await res.body?.cancel();
          expect(res.status).toBe(200);
          health.push(performance.now() - started);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();

      const runs = await Promise.all(
        sessions.map(async (sessionId) => {
          const startedAt = performance.now();
          const res = await postStream(served.baseUrl, sessionId, user.token, 'Are you there?');
          expect(res.status).toBe(200);
          const reader = new AnswerReader(res);
          await within(reader.finished, IDLE_MS + 10_000, `the end of session ${sessionId}'s answer`);
          return { sessionId, startedAt, reader };
        }),
      );
      polling = false;
      await poller;

      const durations: number[] = [];
      const totals: number[] = [];
      for (const { startedAt, reader } of runs) {
        expect(reader.broken, 'each stream ends with a done or error event').toBeUndefined();
        expect(reader.text).toBe(fault.kept);
        const end = reader.end!;
        if (end.event === 'error') expect(end.data.code).toBe('AI_API_ERROR');
        else expect(['error', 'stopped']).toContain(end.data.assistantMessage.status);
        // The fake sends everything before the fault at once, so the idle timeout counts from the model call's
        // start: the `message` event (sent once the turn is stored, as the call begins) to the end.
        durations.push(reader.endAt! - reader.messageAt!);
        totals.push(reader.endAt! - startedAt);
      }
      const worst = Math.max(...durations);
      expect(worst).toBeLessThan(IDLE_MS + MARGIN_MS);

      const rows = (
        await t.database.pool.query<{ session_id: number; status: string; content: string }>(
          "select session_id, status, content from messages where role = 'assistant' and session_id = any($1)",
          [sessions],
        )
      ).rows;
      expect(rows).toHaveLength(STREAMS);
      const bySession = new Map(rows.map((r) => [r.session_id, r]));
      for (const { sessionId, reader } of runs) {
        const row = bySession.get(sessionId)!;
        expect(['error', 'stopped']).toContain(row.status);
        // The chunks the client received are kept.
        expect(row.content.startsWith(reader.text)).toBe(true);
      }
      const streaming = await t.database.pool.query<{ n: number }>(
        "select count(*)::int as n from messages where status = 'streaming'",
      );
      expect(streaming.rows[0]!.n).toBe(0);
      const ledger = await t.database.pool.query<{ n: number }>(
        "select count(*)::int as n from usage_ledger where outcome = 'streaming'",
      );
      expect(ledger.rows[0]!.n).toBe(0);

      const sorted = [...durations].sort((x, y) => x - y);
      const p50 = sorted[Math.floor(sorted.length / 2)]!;
      const worstHealth = Math.max(...health);
      expect(health.length).toBeGreaterThan(0);
      expect(worstHealth).toBeLessThan(1_000);
      measured.push(
        `${fault.name}: ended after the model call began p50 ${Math.round(p50)} ms, max ${Math.round(worst)} ms (from the request: max ${Math.round(Math.max(...totals))} ms); /api/health ${health.length} polls, slowest ${Math.round(worstHealth)} ms`,
      );
    }, 60_000);
  }
});
