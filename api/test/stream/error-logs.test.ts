// Errors on the WebSocket and generation paths are logged through loggableError (#17.11): the SQL, the codes and the
// stack, never the driver's bound parameters or the row it quotes, which hold users' message text and emails.
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggableError } from '../../src/http/error-handler.js';
import { createLogger } from '../../src/lib/logger.js';
import { seedUser } from '../fixtures.js';
import { createAppWithModel, type TestAppWithModel } from '../harness.js';
import { createSession, postStream, type Served, SseReader, serveApp, WsClient } from './stream-helpers.js';

const SECRET = 'SECRET-TEXT-4f7a1c';

/** Every line the app logs, parsed. */
const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});

let t: TestAppWithModel;
let served: Served;
let user: { id: number; token: string; email: string };
let admin: pg.Client;

beforeAll(async () => {
  t = await createAppWithModel(
    { reply: 'fine thanks', chunkDelayMs: 5 },
    { OPENAI_API_KEY: 'test' },
    { logger: createLogger('info', sink) },
  );
  served = await serveApp(t);
  user = await seedUser(t, 'logged_user');
  admin = new pg.Client({ connectionString: t.url });
  await admin.connect();
  // Inserting a user message with the secret fails (a full disk or a lost privilege would fail the same way);
  // a chunk with it fails with the text in the error's DETAIL, as constraint errors quote rows.
  await admin.query(`
    create function test_refuse_secret() returns trigger language plpgsql as $$
    begin
      if new.content like '%${SECRET}%' then
        raise exception 'injected fault' using detail = 'row: ' || new.content;
      end if;
      return new;
    end $$;
    create trigger test_refuse_secret_messages before insert on messages
      for each row execute function test_refuse_secret();
    create trigger test_refuse_secret_chunks before insert on stream_chunks
      for each row execute function test_refuse_secret();
  `);
});

afterAll(async () => {
  await admin?.end();
  await served?.close();
  await t?.cleanup();
});

describe('error logs on the WebSocket and generation paths', () => {
  it('logs a failing insert on the WebSocket path without the message text', async () => {
    const sessionId = await createSession(t, user.id);
    const ws = await WsClient.open(`${served.wsUrl}/api/chat/ws/${sessionId}?token=${encodeURIComponent(user.token)}`);
    try {
      const from = lines.length;
      ws.send({ type: 'message', content: `hello ${SECRET}` });
      const reply = await ws.next();
      expect(reply).toMatchObject({ type: 'error', code: 'INTERNAL_ERROR' });
      const logged = lines.slice(from);
      const failure = logged.map((l) => JSON.parse(l)).find((l) => l.msg === 'websocket request failed');
      expect(failure).toBeDefined();
      // Enough to debug: the statement and the database's own code.
      expect(failure.err.query).toMatch(/insert into messages/i);
      expect(failure.err.dbCode).toBe('P0001');
      expect(logged.join('\n')).not.toContain(SECRET);
    } finally {
      ws.close();
    }
  });

  it('logs a failing chunk-log write of an answer without the text the row quotes', async () => {
    // The model answers with the secret: the chunk rows carrying it fail (the answer itself is kept in memory).
    t.fake.setScript({ reply: `here is ${SECRET} for you`, chunkDelayMs: 5 });
    const sessionId = await createSession(t, user.id);
    const from = lines.length;
    const reader = new SseReader(await postStream(served.baseUrl, sessionId, user.token, 'tell me'));
    await reader.rest();
    const logged = lines.slice(from).map((l) => JSON.parse(l));
    const chunkFailure = logged.find((l) => /chunk/.test(l.msg) && l.err);
    expect(chunkFailure, JSON.stringify(logged.map((l) => l.msg))).toBeDefined();
    expect(chunkFailure.err.dbCode).toBe('P0001');
    expect(lines.slice(from).join('\n')).not.toContain(SECRET);
  });

  it('keeps the row a driver error quotes (DETAIL) out of what is logged', async () => {
    const err = await t.database.pool
      .query('insert into users (username, email, password_hash) values ($1, $2, $3)', [
        'dupe',
        user.email,
        'not-a-hash',
      ])
      .catch((e: unknown) => e);
    expect((err as { detail?: string }).detail).toContain(user.email);
    const out = JSON.stringify(loggableError(err));
    expect(out).toContain('23505');
    expect(out).not.toContain(user.email);
  });
});
