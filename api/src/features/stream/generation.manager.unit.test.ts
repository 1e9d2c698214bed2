// The generation manager alone, over in-memory ports (repo, LISTEN connection, chat turns, a scripted model): the
// registry, start, follow, stop (here and from elsewhere), followers of answers generated elsewhere, shutdown.
import { afterEach, describe, expect, it } from 'vitest';
import {
  FakeListener,
  FakeStreamRepo,
  fakeChat,
  scriptedModel,
  silentLogger,
  stepper,
} from '../../../test/stream/fakes.js';
import { waitFor } from '../../../test/stream/stream-helpers.js';
import type { StreamEvent } from './events.js';
import { type GenerationDeps, GenerationManager } from './generation.manager.js';
import type { ModelRun } from './model-run.js';
import { STOP_CHANNEL } from './stream.repo.js';

const managers: GenerationManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close(50);
});

function setup(model: ModelRun, timings: GenerationDeps['timings'] = {}) {
  const listener = new FakeListener();
  const repo = new FakeStreamRepo(listener);
  const chat = fakeChat(repo);
  const manager = new GenerationManager({
    chat,
    repo,
    listener,
    model,
    logger: silentLogger,
    modelTimeoutMs: 5_000,
    modelTotalTimeoutMs: 60_000,
    timings: { flushMs: 10, remotePollMs: 60_000, sweepMs: 60_000, ...timings },
  });
  managers.push(manager);
  return { listener, repo, chat, manager };
}

/** Collects a follower's events; `ended` resolves with the final one. */
function collector() {
  const events: StreamEvent[] = [];
  let resolveEnd: (ev: StreamEvent) => void = () => {};
  const ended = new Promise<StreamEvent>((r) => {
    resolveEnd = r;
  });
  return {
    events,
    ended,
    listener: (ev: StreamEvent) => {
      events.push(ev);
      if (ev.type !== 'chunk') resolveEnd(ev);
    },
    text: () => events.map((e) => (e.type === 'chunk' ? e.content : '')).join(''),
  };
}

describe('GenerationManager over fakes', () => {
  it('sends every chunk then done, stores the whole text, logs the chunks and announces the end', async () => {
    const { repo, chat, manager } = setup(scriptedModel(['one ', 'two ', 'three']));
    const c = collector();
    const turn = await manager.start(1, 10, 'hi', c.listener);
    const final = await c.ended;
    expect(c.events.filter((e) => e.type === 'chunk').map((e) => (e.type === 'chunk' ? e.seq : 0))).toEqual([1, 2, 3]);
    expect(final).toMatchObject({ type: 'done', status: 'complete', assistantMessage: { content: 'one two three' } });
    expect(chat.finished).toEqual([{ id: turn.assistantMessage.id, content: 'one two three' }]);
    expect(repo.chunks.get(turn.assistantMessage.id)?.map((r) => r.content)).toEqual(['one ', 'two ', 'three']);
    expect(repo.calls.notifyEnded).toBe(1);
    expect(manager.activeCount).toBe(0);
  });

  it('returns the user message a regeneration answers as repliesTo', async () => {
    const { chat, manager } = setup(scriptedModel(['x']));
    const c = collector();
    const turn = await manager.startWith(1, 10, () => chat.beginRegenerate(1, 10, 1), c.listener);
    expect(turn.userMessage).toBeUndefined();
    expect(turn.repliesTo).toMatchObject({ role: 'user', content: 'question' });
    await c.ended;
  });

  it('replays from memory to a follower that joins late, with no gap and no duplicate', async () => {
    const s = stepper();
    const { manager } = setup(scriptedModel(['a', 'b', 'c', 'd'], s.gate));
    await manager.start(1, 10, 'hi');
    s.step();
    s.step();
    await waitFor(() => s.waiting === 1, 1_000, 'two chunks');
    const late = collector();
    const followed = await manager.follow(10, 1, late.listener);
    expect(followed.kind).toBe('live');
    s.openAll();
    await late.ended;
    expect(late.events.filter((e) => e.type === 'chunk').map((e) => (e.type === 'chunk' ? e.seq : 0))).toEqual([
      2, 3, 4,
    ]);
  });

  it('stops a local answer: the text so far is stored as stopped', async () => {
    const s = stepper();
    const { chat, manager } = setup(scriptedModel(['a', 'b', 'c'], s.gate));
    const c = collector();
    await manager.start(1, 10, 'hi', c.listener);
    s.step();
    await waitFor(() => c.events.length === 1, 1_000, 'a chunk');
    const stopping = manager.stop(10);
    s.openAll();
    expect(await stopping).toMatchObject({ status: 'stopped', content: 'a' });
    expect(await c.ended).toMatchObject({ type: 'done', status: 'stopped' });
    expect(chat.finished.at(-1)?.content).toBe('a');
  });

  it('aborts its answer on a stop request announced on the stop channel', async () => {
    const s = stepper();
    const { listener, manager } = setup(scriptedModel(['a', 'b', 'c'], s.gate));
    const c = collector();
    const turn = await manager.start(1, 10, 'hi', c.listener);
    s.step();
    await waitFor(() => c.events.length === 1, 1_000, 'a chunk');
    listener.emit(STOP_CHANNEL, String(turn.assistantMessage.id));
    await new Promise((r) => setTimeout(r, 0));
    s.openAll();
    expect(await c.ended).toMatchObject({ type: 'done', status: 'stopped', assistantMessage: { content: 'a' } });
  });

  it('follows an answer generated elsewhere from its chunk log, woken by NOTIFY, until its row is stored', async () => {
    const { repo, manager } = setup(scriptedModel([]));
    const remote = repo.addMessage(20);
    repo.logElsewhere(remote.id, ['x', 'y']);
    const c = collector();
    const followed = await manager.follow(20, 1, c.listener);
    expect(followed).toMatchObject({ kind: 'live', messageId: remote.id });
    await waitFor(() => c.events.length === 1, 1_000, 'the replay');
    repo.logElsewhere(remote.id, ['z']);
    await waitFor(() => c.events.length === 2, 1_000, 'the live chunk');
    Object.assign(repo.messages.get(remote.id)!, { status: 'complete', content: 'xyz' });
    await repo.notifyEnded([remote.id]);
    expect(await c.ended).toMatchObject({ type: 'done', assistantMessage: { content: 'xyz' } });
    expect(c.text()).toBe('yz');
  });

  it('shares one read per notification among every follower here of one answer generated elsewhere', async () => {
    const { repo, manager } = setup(scriptedModel([]));
    const remote = repo.addMessage(40);
    repo.logElsewhere(remote.id, ['a']);
    const followers = Array.from({ length: 10 }, () => collector());
    // Joining at different points: from the start, and after the first chunk.
    for (const [i, c] of followers.entries()) await manager.follow(40, i % 2, c.listener);
    await waitFor(() => followers.every((c, i) => c.text() === (i % 2 ? '' : 'a')), 1_000, 'the first read');
    await new Promise((r) => setTimeout(r, 20));
    repo.calls.getMessage = 0;
    repo.calls.chunksAfter = 0;
    const notifications = 5;
    for (let i = 1; i <= notifications; i++) {
      repo.logElsewhere(remote.id, [`${i}`]);
      await waitFor(() => followers.every((c) => c.text().endsWith(`${i}`)), 1_000, `chunk ${i}`);
    }
    Object.assign(repo.messages.get(remote.id)!, { status: 'complete', content: 'a12345' });
    await repo.notifyEnded([remote.id]);
    await Promise.all(followers.map((c) => c.ended));
    // One read (the row and the chunks) per notification, the end included: not one per follower.
    expect(repo.calls.getMessage).toBe(notifications + 1);
    expect(repo.calls.chunksAfter).toBe(notifications + 1);
    for (const [i, c] of followers.entries()) {
      expect(c.text()).toBe(i % 2 ? '12345' : 'a12345');
      expect(c.events.at(-1)).toMatchObject({ type: 'done', assistantMessage: { content: 'a12345' } });
    }
  });

  it('on close, ends followers of answers elsewhere with SERVICE_UNAVAILABLE and leaves the shared listener open', async () => {
    const { listener, repo, manager } = setup(scriptedModel([]));
    expect(listener.subscribers()).toBe(3);
    const remote = repo.addMessage(30);
    const c = collector();
    await manager.follow(30, 0, c.listener);
    await manager.close(50);
    expect(await c.ended).toMatchObject({ type: 'error', code: 'SERVICE_UNAVAILABLE', messageId: remote.id });
    expect(listener.closed).toBe(false);
    expect(listener.subscribers()).toBe(0);
    await expect(manager.start(1, 31, 'late')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
