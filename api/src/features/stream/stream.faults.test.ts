// The database failing while an answer finishes, with real faults (a trigger that raises for a while, backends
// killed from a second connection): the answer is stored with exactly the text the client received, or marked error
// with that text, and a client is never told `complete` about text that was not stored. Also: a chunk log with a gap
// is recovered as error, never as garbled text.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeOpenAI } from '../../../test/fake-openai.js';
import { seedUser } from '../../../test/fixtures.js';
import { createAppWithModel, type TestAppWithModel } from '../../../test/harness.js';
import {
  createSession,
  messageRows,
  postStream,
  type Served,
  SseReader,
  serveApp,
  waitFor,
} from '../../../test/stream/stream-helpers.js';
import { createChatService } from '../chat/chat.service.js';
import type { StreamEvent } from './events.js';
import { createGenerationManager } from './generation.manager.js';
import { LOST_PART_NOTE } from './stream.repo.js';

const REPLY = 'red orange yellow green blue indigo violet black white';
const PIECES = REPLY.match(/\s*\S+\s*/g)!;

let fake: FakeOpenAI;
let t: TestAppWithModel;
let served: Served;
let user: { id: number; token: string };
/** A connection of its own, as an operator's would be: it switches faults and kills the app's backends. */
let admin: pg.Client;

beforeAll(async () => {
  t = await createAppWithModel({ reply: REPLY, chunkDelayMs: 5 }, { OPENAI_API_KEY: 'test' });
  fake = t.fake;
  served = await serveApp(t);
  user = await seedUser(t, 'fault_user');
  admin = new pg.Client({ connectionString: t.url, application_name: 'fault-switch' });
  await admin.connect();
  // While a row names a fault, the statement it guards raises (as a full disk or a lost privilege would).
  await admin.query(`
    create table test_faults (what text primary key);
    create function test_fault() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from test_faults where what = tg_argv[0]) then
        raise exception 'injected fault: %', tg_argv[0];
      end if;
      return new;
    end $$;
    create trigger test_fault_chunks before insert on stream_chunks
      for each row execute function test_fault('chunks');
    create trigger test_fault_finish before update on messages
      for each row when (old.status = 'streaming' and new.status <> 'streaming') execute function test_fault('finish');
  `);
});

afterAll(async () => {
  await admin?.end();
  await served?.close();
  await t?.cleanup();
});

const fault = (what: 'chunks' | 'finish', on: boolean) =>
  on
    ? admin.query('insert into test_faults values ($1) on conflict do nothing', [what])
    : admin.query('delete from test_faults where what = $1', [what]);

const chunkText = (events: { event: string; data: unknown }[]) =>
  events
    .filter((e) => e.event === 'chunk')
    .map((e) => (e.data as { content: string }).content)
    .join('');

async function loggedSeqs(messageId: number): Promise<number[]> {
  const res = await admin.query<{ seq: number }>('select seq from stream_chunks where message_id = $1 order by seq', [
    messageId,
  ]);
  return res.rows.map((r) => r.seq);
}

describe('the database failing at the end of an answer', () => {
  it('keeps every chunk through a failing chunk log and says done only once the answer is stored', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 40 });
    const sessionId = await createSession(t, user.id);
    const reader = new SseReader(await postStream(served.baseUrl, sessionId, user.token, 'colours'));
    await reader.next(); // message
    await reader.next(); // chunk 1
    await fault('chunks', true);
    // Longer than the answer's remaining ~300 ms and than five failed flushes (what used to drop rows).
    let liftedAt = 0;
    const lift = new Promise<void>((r) =>
      setTimeout(async () => {
        await fault('chunks', false);
        liftedAt = Date.now();
        r();
      }, 1_500),
    );
    const events = await reader.rest();
    const doneAt = Date.now();
    await lift;
    expect(chunkText(events)).toBe(REPLY.slice(PIECES[0]!.length));
    const done = events.at(-1);
    expect(done).toMatchObject({ event: 'done', data: { assistantMessage: { content: REPLY, status: 'complete' } } });
    expect(doneAt).toBeGreaterThanOrEqual(liftedAt);
    const rows = await messageRows(t, sessionId);
    expect(rows[1]).toMatchObject({ status: 'complete', content: REPLY });
    // No chunk was dropped while the log failed: a process following from the log would have read them all.
    expect(await loggedSeqs(rows[1]!.id)).toEqual(PIECES.map((_, i) => i + 1));
  });

  it('stores the answer through backends killed from another connection at its end', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 40 });
    const sessionId = await createSession(t, user.id);
    const reader = new SseReader(await postStream(served.baseUrl, sessionId, user.token, 'colours'));
    await reader.next(); // message
    await reader.next(); // chunk 1
    // For a second, every connection of the app (pool and LISTEN) is killed as soon as it appears.
    const until = Date.now() + 1_000;
    let killed = 0;
    while (Date.now() < until) {
      const res = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
      );
      killed += res.rowCount ?? 0;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(killed).toBeGreaterThan(0);
    const events = await reader.rest();
    const stored = await waitFor(
      async () => {
        const answer = (await messageRows(t, sessionId))[1];
        return answer && answer.status !== 'streaming' ? answer : undefined;
      },
      15_000,
      'the answer stored',
    );
    const final = events.at(-1);
    // Exactly what the client received is stored; `done` (complete) only if it is.
    const received = PIECES[0]! + chunkText(events);
    if (final?.event === 'done') {
      expect(stored).toMatchObject({ status: 'complete', content: received });
      expect(final.data.assistantMessage).toMatchObject({ status: 'complete', content: received });
    } else {
      expect(final?.event).toBe('error');
      expect(stored).toMatchObject({ status: 'error', content: received });
    }
    expect(received).toBe(REPLY);
  });

  it('when the answer cannot be stored in time: error (not done) with the text, then stored as error with it', async () => {
    fake.setScript({ reply: REPLY, chunkDelayMs: 5 });
    const manager = createGenerationManager(t.ctx, createChatService(t.ctx), { storeRetryMs: 600 });
    try {
      const sessionId = await createSession(t, user.id);
      await fault('finish', true);
      const events: StreamEvent[] = [];
      const ended = new Promise<StreamEvent>((resolve) => {
        void manager.start(user.id, sessionId, 'colours', (ev) => {
          events.push(ev);
          if (ev.type !== 'chunk') resolve(ev);
        });
      });
      const final = await ended;
      expect(final).toMatchObject({
        type: 'error',
        code: 'SERVICE_UNAVAILABLE',
        assistantMessage: { status: 'error', content: REPLY },
      });
      expect(events.some((e) => e.type === 'done')).toBe(false);
      // Not stored yet, and no other process may recover it from the log meanwhile (its heartbeat goes on).
      expect((await messageRows(t, sessionId))[1]?.status).toBe('streaming');
      await fault('finish', false);
      const stored = await waitFor(
        async () => (await messageRows(t, sessionId)).find((r) => r.role === 'assistant' && r.status !== 'streaming'),
        5_000,
        'the kept answer stored',
      );
      expect(stored).toMatchObject({ status: 'error', content: REPLY });
    } finally {
      await fault('finish', false);
      await manager.close(500);
    }
  });

  it('leaves out NUL characters from the model, which PostgreSQL cannot store, instead of failing every write', async () => {
    fake.setScript({ reply: 'nul\u0000 inside \u0000here', chunkDelayMs: 5 });
    const sessionId = await createSession(t, user.id);
    const events = await new SseReader(await postStream(served.baseUrl, sessionId, user.token, 'x')).rest();
    expect(chunkText(events)).toBe('nul inside here');
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { assistantMessage: { content: 'nul inside here' } } });
    expect((await messageRows(t, sessionId))[1]).toMatchObject({ status: 'complete', content: 'nul inside here' });
  });
});

describe('recovering an orphan from its chunk log', () => {
  it('marks an answer whose log has a gap as error with the text up to the gap and a note, not garbled text', async () => {
    const pool = t.database.pool;
    const orphan = async (chunks: [number, string][]) => {
      const sessionId = await createSession(t, user.id);
      const m = await pool.query<{ id: number }>(
        `insert into messages (session_id, role, content, status, updated_at)
         values ($1, 'assistant', '', 'streaming', now() - interval '5 minutes') returning id`,
        [sessionId],
      );
      const id = m.rows[0]!.id;
      for (const [seq, content] of chunks) {
        await pool.query('insert into stream_chunks (message_id, seq, content) values ($1, $2, $3)', [
          id,
          seq,
          content,
        ]);
      }
      return id;
    };
    const whole = await orphan([
      [1, 'one '],
      [2, 'two'],
    ]);
    const gap = await orphan([
      [1, 'one '],
      [2, 'two '],
      [4, 'four'],
    ]);
    const headless = await orphan([[2, 'two']]);
    const empty = await orphan([]);
    expect((await t.generations.sweep()).sort((a, b) => a - b)).toEqual([whole, gap, headless, empty]);
    const rows = await pool.query<{ id: number; status: string; content: string }>(
      'select id, status, content from messages where id = any($1::int[]) order by id',
      [[whole, gap, headless, empty]],
    );
    expect(rows.rows).toEqual([
      { id: whole, status: 'stopped', content: 'one two' },
      { id: gap, status: 'error', content: `one two ${LOST_PART_NOTE}` },
      { id: headless, status: 'error', content: LOST_PART_NOTE },
      { id: empty, status: 'stopped', content: '' },
    ]);
    expect((await pool.query('select 1 from stream_chunks where message_id = any($1::int[])', [[gap]])).rowCount).toBe(
      0,
    );
  });
});
