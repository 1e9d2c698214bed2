// Per-session settings (system prompt, model, temperature) and pinning over HTTP, checked at the fake provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeOpenAI } from '../../../test/fake-openai.js';
import { seedUser } from '../../../test/fixtures.js';
import { call, createAppWithModel, type TestAppWithModel } from '../../../test/harness.js';

describe('per-session settings and pinning', () => {
  let fake: FakeOpenAI;
  let t: TestAppWithModel;
  let alice: { id: number; token: string };

  beforeAll(async () => {
    t = await createAppWithModel(
      {},
      {
        OPENAI_API_KEY: 'test',
        OPENAI_MODEL: 'fake-model',
        OPENAI_MODELS: 'fake-model,other-model',
        OPENAI_TEMPERATURE: '0.7',
        OPENAI_MAX_RETRIES: '0',
        SYSTEM_PROMPT: 'You are a test assistant.',
      },
    );
    fake = t.fake;
    alice = await seedUser(t);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  async function newSession(title: string): Promise<number> {
    const res = await call(t.app, 'POST', '/api/chat/sessions', { token: alice.token, body: { title } });
    expect(res.status).toBe(201);
    return res.body.id;
  }
  const patch = (id: number, body: unknown) =>
    call(t.app, 'PATCH', `/api/chat/sessions/${id}`, { token: alice.token, body });

  it('stores the settings, returns them, and the model receives them; null goes back to the defaults', async () => {
    const id = await newSession('settings');
    const set = await patch(id, { systemPrompt: '  Answer like a pirate.  ', model: 'other-model', temperature: 0.25 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      id,
      title: 'settings',
      systemPrompt: 'Answer like a pirate.',
      model: 'other-model',
      temperature: 0.25,
      pinned: false,
    });
    const detail = await call(t.app, 'GET', `/api/chat/sessions/${id}`, { token: alice.token });
    expect(detail.body).toMatchObject({
      systemPrompt: 'Answer like a pirate.',
      model: 'other-model',
      temperature: 0.25,
    });

    const sent = await call(t.app, 'POST', `/api/chat/sessions/${id}/messages`, {
      token: alice.token,
      body: { content: 'Hello' },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.assistantMessage.model).toBe('other-model');
    const req = fake.chatRequests().at(-1)!.body;
    expect(req.model).toBe('other-model');
    expect(req.temperature).toBe(0.25);
    expect(req.messages[0]).toEqual({ role: 'system', content: 'Answer like a pirate.' });

    // A regenerated answer uses them too.
    const regen = await call(
      t.app,
      'POST',
      `/api/chat/sessions/${id}/messages/${sent.body.assistantMessage.id}/regenerate`,
      { token: alice.token },
    );
    expect(regen.status).toBe(201);
    const regenReq = fake.chatRequests().at(-1)!.body;
    expect(regenReq.temperature).toBe(0.25);
    expect(regenReq.model).toBe('other-model');
    expect(regenReq.messages[0]).toEqual({ role: 'system', content: 'Answer like a pirate.' });

    const cleared = await patch(id, { systemPrompt: null, model: null, temperature: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ systemPrompt: null, model: null, temperature: null });
    const edit = await call(t.app, 'POST', `/api/chat/sessions/${id}/messages/${sent.body.userMessage.id}/edit`, {
      token: alice.token,
      body: { content: 'Hello again' },
    });
    expect(edit.status).toBe(201);
    const defaults = fake.chatRequests().at(-1)!.body;
    expect(defaults.model).toBe('fake-model');
    expect(defaults.temperature).toBe(0.7);
    expect(defaults.messages[0]).toEqual({ role: 'system', content: 'You are a test assistant.' });
  });

  it('an empty system prompt clears it, and a rename alone keeps the other settings', async () => {
    const id = await newSession('keep');
    await patch(id, { systemPrompt: 'Short answers.', temperature: 1 });
    const renamed = await patch(id, { title: '  Renamed  ' });
    expect(renamed.body).toMatchObject({ title: 'Renamed', systemPrompt: 'Short answers.', temperature: 1 });
    const emptied = await patch(id, { systemPrompt: '   ' });
    expect(emptied.body.systemPrompt).toBeNull();
  });

  it('refuses an unknown model, a temperature outside 0–2, a long system prompt and an empty update', async () => {
    const id = await newSession('invalid');
    for (const [body, field] of [
      [{ model: 'gpt-unknown' }, 'model'],
      [{ model: '' }, 'model'],
      [{ temperature: 3 }, 'temperature'],
      [{ temperature: -0.1 }, 'temperature'],
      [{ temperature: 'hot' }, 'temperature'],
      [{ systemPrompt: 'x'.repeat(4001) }, 'systemPrompt'],
      [{ pinned: 'yes' }, 'pinned'],
      [{}, 'body'],
    ] as const) {
      const res = await patch(id, body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field });
    }
    const detail = await call(t.app, 'GET', `/api/chat/sessions/${id}`, { token: alice.token });
    expect(detail.body).toMatchObject({ systemPrompt: null, model: null, temperature: null, pinned: false });
    // The edges are allowed.
    expect((await patch(id, { temperature: 0 })).body.temperature).toBe(0);
    expect((await patch(id, { temperature: 2, systemPrompt: 'y'.repeat(4000) })).status).toBe(200);
  });

  it('lists pinned sessions first within every sort, each with its pinned flag', async () => {
    const bob = await seedUser(t);
    const made: number[] = [];
    for (const title of ['s1', 's2', 's3']) {
      const res = await call(t.app, 'POST', '/api/chat/sessions', { token: bob.token, body: { title } });
      made.push(res.body.id);
    }
    const [s1, s2, s3] = made as [number, number, number];
    const pin = await call(t.app, 'PATCH', `/api/chat/sessions/${s1}`, { token: bob.token, body: { pinned: true } });
    expect(pin.status).toBe(200);
    expect(pin.body.pinned).toBe(true);

    const list = async (sort: string) => {
      const res = await call(t.app, 'GET', `/api/chat/sessions?sort=${sort}`, { token: bob.token });
      expect(res.status).toBe(200);
      return res.body.sessions.map((s: { id: number; pinned: boolean }) => [s.id, s.pinned]);
    };
    expect(await list('updated_at_desc')).toEqual([
      [s1, true],
      [s3, false],
      [s2, false],
    ]);
    expect(await list('created_at_asc')).toEqual([
      [s1, true],
      [s2, false],
      [s3, false],
    ]);
    await call(t.app, 'PATCH', `/api/chat/sessions/${s2}`, { token: bob.token, body: { pinned: true } });
    expect(await list('created_at_desc')).toEqual([
      [s2, true],
      [s1, true],
      [s3, false],
    ]);
    // Pinning is not activity: unpinned, the sessions fall back to their own order.
    await call(t.app, 'PATCH', `/api/chat/sessions/${s1}`, { token: bob.token, body: { pinned: false } });
    await call(t.app, 'PATCH', `/api/chat/sessions/${s2}`, { token: bob.token, body: { pinned: false } });
    expect(await list('updated_at_desc')).toEqual([
      [s3, false],
      [s2, false],
      [s1, false],
    ]);
  });
});
