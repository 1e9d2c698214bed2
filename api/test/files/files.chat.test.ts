// Files in answers with the real LangChain client against the fake OpenAI-compatible server: images as OpenAI image
// parts (and MODEL_NO_VISION for other models), whole small files, embeddings and hybrid retrieval, sources in the
// `done` event of SSE and the WebSocket, regeneration sending a message's files again, export/import keeping sources.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentText, type FakeChatRequest } from '../fake-openai.js';
import { type SeededUser, seedUser } from '../fixtures.js';
import { call, createAppWithModel, type TestAppWithModel } from '../harness.js';
import { readSseEvents, type Served, serveApp, WsClient } from '../stream/stream-helpers.js';
import { JPEG_BYTES, type Json, PNG_1X1, upload, WEBP_BYTES, waitForFile } from './file-fixtures.js';

const systemText = (req: FakeChatRequest) =>
  req.messages
    .filter((m) => m.role === 'system')
    .map((m) => contentText(m.content))
    .join('\n');

describe('images and vision models', () => {
  let t: TestAppWithModel;
  let u: SeededUser;
  beforeAll(async () => {
    t = await createAppWithModel({ reply: 'I see a dot.' }, { OPENAI_MODEL: 'gpt-4o', OPENAI_MODELS: 'fake-model' });
    u = await seedUser(t);
  });
  afterAll(async () => t.cleanup());

  const session = async (body: Record<string, unknown> = { title: 'V' }) =>
    (await call(t.app, 'POST', '/api/chat/sessions', { token: u.token, body })).body.id as number;

  it('sends images to a vision model as OpenAI image parts', async () => {
    const s = await session();
    const png = await upload(t.app, u.token, 'dot.png', PNG_1X1);
    const jpeg = await upload(t.app, u.token, 'photo.jpg', JPEG_BYTES);
    const webp = await upload(t.app, u.token, 'pic.webp', WEBP_BYTES);
    expect([png.body.mimeType, jpeg.body.mimeType, webp.body.mimeType]).toEqual([
      'image/png',
      'image/jpeg',
      'image/webp',
    ]);
    const res = await call(t.app, 'POST', `/api/chat/sessions/${s}/messages`, {
      token: u.token,
      body: { content: 'What is in these pictures?', fileIds: [png.body.id, jpeg.body.id, webp.body.id] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.assistantMessage.content).toBe('I see a dot.');
    const req = t.fake.chatRequests().at(-1)!.body;
    expect(req.model).toBe('gpt-4o');
    const last = req.messages.at(-1)!;
    expect(last.role).toBe('user');
    expect(last.content).toEqual([
      { type: 'text', text: 'What is in these pictures?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1X1.toString('base64')}` } },
      { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${JPEG_BYTES.toString('base64')}` } },
      { type: 'image_url', image_url: { url: `data:image/webp;base64,${WEBP_BYTES.toString('base64')}` } },
    ]);

    // A regeneration sends the message's images again.
    const again = await call(
      t.app,
      'POST',
      `/api/chat/sessions/${s}/messages/${res.body.assistantMessage.id}/regenerate`,
      { token: u.token },
    );
    expect(again.status).toBe(201);
    const regen = t.fake.chatRequests().at(-1)!.body.messages.at(-1)!;
    expect(Array.isArray(regen.content) && regen.content.filter((p: Json) => p.type === 'image_url').length).toBe(3);
  });

  it('refuses an image for a model not in OPENAI_VISION_MODELS with 400 MODEL_NO_VISION, storing nothing', async () => {
    const s = await session();
    await call(t.app, 'PATCH', `/api/chat/sessions/${s}`, { token: u.token, body: { model: 'fake-model' } });
    const png = await upload(t.app, u.token, 'dot.png', PNG_1X1);
    const sent = t.fake.chatRequests().length;
    const res = await call(t.app, 'POST', `/api/chat/sessions/${s}/messages`, {
      token: u.token,
      body: { content: 'Describe it', fileIds: [png.body.id] },
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatchObject({ code: 'MODEL_NO_VISION', field: 'fileIds' });
    const sse = await t.app.request(`/api/chat/sessions/${s}/messages/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'Describe it', fileIds: [png.body.id] }),
    });
    expect(sse.status).toBe(400);
    expect(((await sse.json()) as Json).detail.code).toBe('MODEL_NO_VISION');
    expect(t.fake.chatRequests().length).toBe(sent);
    const detail = await call(t.app, 'GET', `/api/chat/sessions/${s}`, { token: u.token });
    expect(detail.body.messages).toEqual([]);
    const tooMany = await call(t.app, 'POST', `/api/chat/sessions/${s}/messages`, {
      token: u.token,
      body: { content: 'x', fileIds: Array.from({ length: 21 }, (_v, i) => i + 1) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.detail.field).toBe('fileIds');
  });
});

describe('documents with a real model client', () => {
  let t: TestAppWithModel;
  let u: SeededUser;
  let served: Served;
  beforeAll(async () => {
    t = await createAppWithModel(
      { reply: 'The answer is in [1].' },
      { OPENAI_EMBEDDINGS_MODEL: 'fake-embedding', RAG_TOP_K: '3', RAG_FULL_DOCUMENT_TOKENS: '50' },
    );
    u = await seedUser(t);
    served = await serveApp(t);
  });
  afterAll(async () => {
    await served.close();
    await t.cleanup();
  });

  const session = async () =>
    (await call(t.app, 'POST', '/api/chat/sessions', { token: u.token, body: { title: 'D' } })).body.id as number;

  const longDoc = () => {
    const topics = ['harbour', 'orchard', 'railway', 'library', 'glacier', 'market', 'bridge', 'garden'];
    return topics
      .map((topic, i) => `## ${topic}\n\n${`The ${topic} chapter ${i} talks about many ordinary things. `.repeat(12)}`)
      .join('\n\n')
      .concat('\n\n## Secret\n\nThe vault combination of the Kestrel bank is 8-4-1.\n');
  };

  it('embeds passages through /v1/embeddings and retrieves them (hybrid), citing in SSE done', async () => {
    const s = await session();
    const f = await upload(t.app, u.token, 'book.md', Buffer.from(longDoc()), { sessionId: s });
    const ready = await waitForFile(t.app, u.token, f.body.id);
    expect(ready.status).toBe('ready');
    expect(t.fake.requests.some((r) => r.path === '/v1/embeddings')).toBe(true);
    const stored = await t.ctx.db.execute<{ n: number; dims: number }>(
      sql`select count(*)::int as n, max(array_length(embedding, 1))::int as dims from file_chunks where file_id = ${f.body.id} and embedding is not null`,
    );
    expect(stored.rows[0]!.n).toBe(ready.chunks);
    expect(stored.rows[0]!.dims).toBe(256);

    const res = await fetch(`${served.baseUrl}/api/chat/sessions/${s}/messages/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'What is the vault combination of the Kestrel bank?' }),
    });
    expect(res.status).toBe(200);
    const events = await readSseEvents(res);
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    const sources = done.data.assistantMessage.sources as Json[];
    expect(sources.length).toBeLessThanOrEqual(3);
    expect(sources.map((x) => x.n)).toEqual(sources.map((_x, i) => i + 1));
    expect(sources[0]).toMatchObject({ fileId: f.body.id, fileName: 'book.md', section: 'Secret', page: null });
    expect(sources[0].quote).toContain('8-4-1');
    const prompt = systemText(t.fake.chatRequests().at(-1)!.body);
    expect(prompt).toContain('[1] book.md, Secret');
    expect(prompt).toContain('8-4-1');
  });

  it('sends a small file whole (full-document mode) and a WebSocket done carries the sources', async () => {
    const s = await session();
    const f = await upload(t.app, u.token, 'tiny.txt', Buffer.from('Otters hold hands while sleeping.'));
    await waitForFile(t.app, u.token, f.body.id);
    const ws = await WsClient.open(`${served.wsUrl}/api/chat/ws/${s}?token=${u.token}`);
    try {
      ws.send({ type: 'message', content: 'What do otters do?', fileIds: [f.body.id] });
      const end = await ws.untilEnd();
      const done = end.at(-1)!;
      expect(done.type).toBe('done');
      if (done.type !== 'done') return;
      expect(done.assistantMessage.sources).toEqual([
        {
          n: 1,
          fileId: f.body.id,
          fileName: 'tiny.txt',
          page: null,
          section: null,
          quote: 'Otters hold hands while sleeping.',
        },
      ]);
    } finally {
      ws.close();
    }
    const prompt = systemText(t.fake.chatRequests().at(-1)!.body);
    expect(prompt).toContain('[1] tiny.txt (whole file)\n<<<\nOtters hold hands while sleeping.\n>>>');
    // The file was sent with the message, not attached: the next message without it has no sources.
    const next = await call(t.app, 'POST', `/api/chat/sessions/${s}/messages`, {
      token: u.token,
      body: { content: 'And then?' },
    });
    expect(next.body.assistantMessage.sources).toBeNull();
  });

  it('export and import keep the sources', async () => {
    const s = await session();
    const f = await upload(t.app, u.token, 'fact.txt', Buffer.from('Zebras are black with white stripes.'), {
      sessionId: s,
    });
    await waitForFile(t.app, u.token, f.body.id);
    const sent = await call(t.app, 'POST', `/api/chat/sessions/${s}/messages`, {
      token: u.token,
      body: { content: 'What colour are zebras?' },
    });
    const sources = sent.body.assistantMessage.sources;
    expect(sources).toHaveLength(1);
    const exported = await call(t.app, 'GET', `/api/chat/sessions/${s}/export?format=json`, { token: u.token });
    expect(exported.status).toBe(200);
    const file = JSON.parse(typeof exported.body === 'string' ? exported.body : JSON.stringify(exported.body));
    expect(file.sessions[0].messages[1].sources).toEqual(sources);
    expect(file.sessions[0].messages[0].sources).toBeUndefined();
    const imported = await call(t.app, 'POST', '/api/import', { token: u.token, body: file });
    expect(imported.status).toBe(201);
    const copy = await call(t.app, 'GET', `/api/chat/sessions/${imported.body.sessionIds[0]}`, { token: u.token });
    expect(copy.body.messages[1].sources).toEqual(sources);
    const md = await call(t.app, 'GET', `/api/chat/sessions/${s}/export`, { token: u.token });
    expect(md.body).toContain('Sources:\n- [1] fact.txt');
    const all = await call(t.app, 'GET', '/api/export', { token: u.token });
    const again = all.body.sessions.find((x: Json) => x.messages[1]?.sources?.[0]?.fileName === 'fact.txt');
    expect(again.messages[1].sources).toEqual(sources);
  });
});
