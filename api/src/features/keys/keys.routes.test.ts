// API keys over real HTTP (a real port) on a fresh PostgreSQL database: created and shown once, stored hashed,
// listed without the key, accepted on REST, SSE and the WebSocket's ?token=, refused once revoked or expired, and
// unable to manage keys, passwords, devices or the account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeOpenAI } from '../../../test/fake-openai.js';
import { call, createAppWithModel, type TestAppWithModel } from '../../../test/harness.js';
import { type Served, SseReader, serveApp, WsClient } from '../../../test/stream/stream-helpers.js';

let offsetMs = 0;
let t: TestAppWithModel;
let _fake: FakeOpenAI;
let served: Served;

beforeAll(async () => {
  t = await createAppWithModel(
    { reply: 'key answer', chunkDelayMs: 2 },
    { OPENAI_API_KEY: 'test', OPENAI_MODEL: 'fake-model' },
    { clock: { now: () => new Date(Date.now() + offsetMs) } },
  );
  _fake = t.fake;
  served = await serveApp(t);
});
afterAll(async () => {
  await served?.close();
  await t?.cleanup();
});

let seq = 0;
async function signedIn() {
  seq += 1;
  const u = {
    username: `keys_${process.pid}_${seq}`,
    email: `keys_${process.pid}_${seq}@example.com`,
    password: 'Str0ngPassword',
  };
  const reg = await call(t.app, 'POST', '/api/auth/register', { body: u });
  const login = await call(t.app, 'POST', '/api/auth/login', { body: u });
  return { ...u, id: reg.body.id as number, token: login.body.accessToken as string };
}

/** JSON over the real port. */
async function http(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${served.baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
}

describe('/api/keys', () => {
  it('creates a key shown once (cbk_…), stores only its hash, and lists it without the key', async () => {
    const u = await signedIn();
    const res = await http('POST', '/api/keys', u.token, { name: '  CI script  ' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      name: 'CI script',
      prefix: expect.stringMatching(/^cbk_.{8}$/),
      key: expect.stringMatching(/^cbk_[\w-]{40,}$/),
      createdAt: expect.any(String),
      expiresAt: null,
      lastUsedAt: null,
    });
    expect(res.body.key.startsWith(res.body.prefix)).toBe(true);
    const stored = await t.database.pool.query('select key_hash from api_keys where id = $1', [res.body.id]);
    expect(stored.rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored.rows)).not.toContain(res.body.key);

    const list = await http('GET', '/api/keys', u.token);
    expect(list.status).toBe(200);
    expect(list.body.keys).toHaveLength(1);
    expect(list.body.keys[0]).not.toHaveProperty('key');
    expect(list.body.keys[0]).toMatchObject({ id: res.body.id, name: 'CI script', prefix: res.body.prefix });
    // Another user sees none of them.
    const other = await signedIn();
    expect((await http('GET', '/api/keys', other.token)).body.keys).toEqual([]);
    const audit = await t.database.pool.query("select detail from audit_log where action = 'apikey.create'");
    expect(JSON.stringify(audit.rows)).not.toContain(res.body.key);
  });

  it('is accepted on REST, on SSE and on the WebSocket, and records lastUsedAt', async () => {
    const u = await signedIn();
    const { key, id } = (await http('POST', '/api/keys', u.token, { name: 'everywhere' })).body;
    const me = await http('GET', '/api/auth/me', key);
    expect(me.status).toBe(200);
    expect(me.body.username).toBe(u.username);

    const session = await http('POST', '/api/chat/sessions', key, { title: 'by key' });
    expect(session.status).toBe(201);
    const sse = await fetch(`${served.baseUrl}/api/chat/sessions/${session.body.id}/messages/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'hello' }),
    });
    expect(sse.status).toBe(200);
    const events = await new SseReader(sse).rest();
    expect(events.at(-1)?.event).toBe('done');

    const ws = await WsClient.open(`${served.wsUrl}/api/chat/ws/${session.body.id}?token=${encodeURIComponent(key)}`);
    ws.send({ type: 'message', content: 'over the socket' });
    const msgs = await ws.untilEnd();
    expect(msgs.at(-1)?.type).toBe('done');
    ws.close();

    // A regenerate stores its turn in a transaction (the quota reservation's own ledger insert), a send by the
    // login's token is not the key's: the ledger tells them apart.
    const last = msgs.at(-1);
    const assistantId = last?.type === 'done' ? last.messageId : 0;
    const regen = await fetch(
      `${served.baseUrl}/api/chat/sessions/${session.body.id}/messages/${assistantId}/regenerate/stream`,
      { method: 'POST', headers: { authorization: `Bearer ${key}` } },
    );
    expect(regen.status, await regen.clone().text()).toBe(200);
    expect((await new SseReader(regen).rest()).at(-1)?.event).toBe('done');
    const byToken = await fetch(`${served.baseUrl}/api/chat/sessions/${session.body.id}/messages/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'by the login' }),
    });
    expect((await new SseReader(byToken).rest()).at(-1)?.event).toBe('done');
    const ledger = await t.database.pool.query<{ api_key_id: number | null }>(
      'select api_key_id from usage_ledger where user_id = $1 order by id',
      [u.id],
    );
    expect(ledger.rows.map((r) => r.api_key_id)).toEqual([id, id, id, null]);

    await expect
      .poll(async () => (await http('GET', '/api/keys', u.token)).body.keys.find((k: { id: number }) => k.id === id))
      .toMatchObject({ lastUsedAt: expect.any(String) });
  });

  it('records the key on the ledger row of every kind of turn: REST send, regenerate, edit; socket edit, regenerate', async () => {
    const u = await signedIn();
    const { key, id } = (await http('POST', '/api/keys', u.token, { name: 'turns' })).body;
    const session = (await http('POST', '/api/chat/sessions', key, { title: 'turns by key' })).body;
    const base = `/api/chat/sessions/${session.id}/messages`;
    const sent = await http('POST', base, key, { content: 'by REST' });
    expect(sent.status).toBe(201);
    const regen = await http('POST', `${base}/${sent.body.assistantMessage.id}/regenerate`, key);
    expect(regen.status).toBe(201);
    const edited = await http('POST', `${base}/${sent.body.userMessage.id}/edit`, key, { content: 'edited' });
    expect(edited.status).toBe(201);

    const ws = await WsClient.open(`${served.wsUrl}/api/chat/ws/${session.id}?token=${encodeURIComponent(key)}`);
    ws.send({ type: 'edit', messageId: edited.body.userMessage.id, content: 'edited again' });
    const afterEdit = (await ws.untilEnd()).at(-1);
    expect(afterEdit?.type).toBe('done');
    ws.send({ type: 'regenerate', messageId: afterEdit?.type === 'done' ? afterEdit.messageId : 0 });
    expect((await ws.untilEnd()).at(-1)?.type).toBe('done');
    ws.close();
    // The same user by their login's token: no key on its row.
    expect((await http('POST', base, u.token, { content: 'by the login' })).status).toBe(201);

    const ledger = await t.database.pool.query<{ api_key_id: number | null }>(
      'select api_key_id from usage_ledger where user_id = $1 order by id',
      [u.id],
    );
    expect(ledger.rows.map((r) => r.api_key_id)).toEqual([id, id, id, id, id, null]);
  });

  it('refuses a revoked key with 401 on REST and on the WebSocket upgrade', async () => {
    const u = await signedIn();
    const { key, id } = (await http('POST', '/api/keys', u.token, { name: 'to revoke' })).body;
    expect((await http('GET', '/api/auth/me', key)).status).toBe(200);
    const session = await http('POST', '/api/chat/sessions', key, {});

    const revoked = await http('DELETE', `/api/keys/${id}`, u.token);
    expect(revoked.status).toBe(204);
    const me = await http('GET', '/api/auth/me', key);
    expect(me.status).toBe(401);
    expect(me.body.detail.code).toBe('TOKEN_INVALID');
    expect(await WsClient.refusal(`${served.wsUrl}/api/chat/ws/${session.body.id}?token=${key}`)).toBe(401);
    expect((await http('GET', '/api/keys', u.token)).body.keys).toEqual([]);
    // Gone already, and another user's: 404.
    expect((await http('DELETE', `/api/keys/${id}`, u.token)).status).toBe(404);
    const mine = (await http('POST', '/api/keys', u.token, { name: 'mine' })).body;
    const other = await signedIn();
    expect((await http('DELETE', `/api/keys/${mine.id}`, other.token)).status).toBe(404);
    expect((await http('GET', '/api/auth/me', mine.key)).status).toBe(200);
  });

  it('stops a key at its expiry with 401 TOKEN_EXPIRED, and refuses an expiry in the past', async () => {
    const u = await signedIn();
    const past = await http('POST', '/api/keys', u.token, { name: 'old', expiresAt: '2001-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.detail.field).toBe('expiresAt');
    const bad = await http('POST', '/api/keys', u.token, { name: 'old', expiresAt: 'tomorrow' });
    expect(bad.status).toBe(400);
    expect(bad.body.detail.field).toBe('expiresAt');

    const expiresAt = new Date(Date.now() + 60 * 60_000).toISOString();
    const res = await http('POST', '/api/keys', u.token, { name: 'an hour', expiresAt });
    expect(res.status).toBe(201);
    expect(res.body.expiresAt).toBe(expiresAt);
    expect((await http('GET', '/api/auth/me', res.body.key)).status).toBe(200);
    offsetMs = 2 * 60 * 60_000;
    try {
      const me = await http('GET', '/api/auth/me', res.body.key);
      expect(me.status).toBe(401);
      expect(me.body.detail.code).toBe('TOKEN_EXPIRED');
    } finally {
      offsetMs = 0;
    }
  });

  it('cannot manage keys, passwords, devices or the account: 403 FORBIDDEN', async () => {
    const u = await signedIn();
    const { key, id } = (await http('POST', '/api/keys', u.token, { name: 'limited' })).body;
    const attempts: [string, string, unknown?][] = [
      ['POST', '/api/keys', { name: 'another' }],
      ['GET', '/api/keys'],
      ['DELETE', `/api/keys/${id}`],
      ['POST', '/api/auth/password', { currentPassword: u.password, newPassword: 'N3wPassword!' }],
      ['GET', '/api/auth/sessions'],
      ['DELETE', '/api/auth/sessions/abc'],
      ['POST', '/api/auth/logout-all'],
      ['DELETE', '/api/auth/me', { password: u.password }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await http(method, path, key, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.detail.code).toBe('FORBIDDEN');
    }
    expect((await http('GET', '/api/auth/me', key)).status).toBe(200);
  });

  it('survives password change and logout everywhere, and dies with its deleted user', async () => {
    const u = await signedIn();
    const { key } = (await http('POST', '/api/keys', u.token, { name: 'durable' })).body;
    await http('POST', '/api/auth/password', u.token, { currentPassword: u.password, newPassword: 'N3w passphrase' });
    await http('POST', '/api/auth/logout-all', u.token);
    expect((await http('GET', '/api/auth/me', key)).status).toBe(200);
    const again = await call(t.app, 'POST', '/api/auth/login', {
      body: { username: u.username, password: 'N3w passphrase' },
    });
    expect((await http('DELETE', '/api/auth/me', again.body.accessToken, { password: 'N3w passphrase' })).status).toBe(
      204,
    );
    expect((await http('GET', '/api/auth/me', key)).status).toBe(401);
  });

  it('refuses a missing or blank name and an unknown id', async () => {
    const u = await signedIn();
    expect((await http('POST', '/api/keys', u.token, {})).body.detail.field).toBe('name');
    expect((await http('POST', '/api/keys', u.token, { name: '   ' })).body.detail.field).toBe('name');
    expect((await http('DELETE', '/api/keys/999999', u.token)).status).toBe(404);
    expect((await http('DELETE', '/api/keys/abc', u.token)).status).toBe(400);
    expect((await http('GET', '/api/keys')).status).toBe(401);
  });
});
