// The SDK's files calls against the running API: upload (multipart from a Blob), get/list/attach/delete, fileIds on
// send and stream, the answer's sources checked against the contract, and a refused type as an ApiError.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { seedUser } from '../../../api/test/fixtures.js';
import { type RunningApi, startApi } from './api.test-support.js';
import { ApiError, type ChatbotClient, createClient } from './index.js';

describe('SDK: files', () => {
  let api: RunningApi;
  let client: ChatbotClient;
  beforeAll(async () => {
    api = await startApi();
    api.fake.setScript({ reply: 'It says so in [1].' });
    const u = await seedUser(api.t);
    client = createClient({ baseUrl: api.baseUrl, token: u.token, validate: true, WebSocket: NodeWebSocket });
  });
  afterAll(async () => api.close());

  const ready = async (id: number) => {
    for (let i = 0; i < 200; i++) {
      const f = await client.files.get(id);
      if (f.status !== 'processing') return f;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('still processing');
  };

  it('uploads, lists, attaches, answers with sources on send and stream, deletes', async () => {
    const session = await client.sessions.create({ title: 'With files' });
    const blob = new Blob(['# Tides\n\nThe tide at Orvik turns every six hours.\n'], { type: 'text/markdown' });
    const up = await client.files.upload(blob, { sessionId: session.id, name: 'tides.md' });
    expect(up).toMatchObject({ name: 'tides.md', mimeType: 'text/markdown', sessionId: session.id });
    expect((await ready(up.id)).status).toBe('ready');
    expect((await client.files.list({ sessionId: session.id })).files.map((f) => f.id)).toEqual([up.id]);

    const sent = await client.messages.send(session.id, 'When does the tide at Orvik turn?');
    expect(sent.assistantMessage.sources?.[0]).toMatchObject({ n: 1, fileId: up.id, fileName: 'tides.md' });

    const other = await client.files.upload(new Blob(['Quiet notes about nothing.']), { name: 'notes.txt' });
    await ready(other.id);
    const events = [];
    for await (const ev of client.chat.stream(session.id, 'And the notes?', { fileIds: [other.id] })) events.push(ev);
    const done = events.at(-1);
    expect(done?.event).toBe('done');
    if (done?.event !== 'done') return;
    expect(done.data.assistantMessage.sources?.map((s) => s.fileName).sort()).toEqual(['notes.txt', 'tides.md']);

    expect((await client.files.attach(up.id, null)).sessionId).toBeNull();
    await client.files.delete(up.id);
    await expect(client.files.get(up.id)).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('throws ApiError 415 for a type the server does not take', async () => {
    const err = await client.files
      .upload(new Blob([new Uint8Array([0x4d, 0x5a, 0, 0, 0, 1, 2, 3])]), { name: 'tool.pdf' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });
});
