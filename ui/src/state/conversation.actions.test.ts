// The open conversation's actions against a fake API and a fake connection passed in (no module mocks): opening
// (a stale open ignored), streaming into the store, one answer at a time, stop, regenerate reloading the branch,
// catching up after a reconnect on an answer that ended meanwhile, and failures reported.
import type { Message, SessionDetail, WsServerMessage } from '@chatbot/shared';
import { createSignal } from 'solid-js';
import { describe, expect, it } from 'vitest';
import type { Api } from '../lib/api';
import { inRoot } from '../test-root';
import { createChatState } from './chat.store';
import type { Connection, ConnectionOptions, ConnectionState } from './connection.state';
import { createConversationActions } from './conversation.actions';

const at = '2026-01-01T00:00:00.000Z';
const msg = (id: number, role: Message['role'], content: string, extra: Partial<Message> = {}): Message => ({
  id,
  role,
  content,
  status: 'complete',
  createdAt: at,
  ...extra,
});
const detail = (id: number, messages: Message[]): SessionDetail => ({
  id,
  title: `Chat ${id}`,
  createdAt: at,
  updatedAt: at,
  messages,
  hasMore: false,
});

/** A deferred answer per `sessions.get`, so a test decides the order in which opens finish. */
function fakeApi() {
  const gets: { id: number; resolve(d: SessionDetail): void; reject(e: unknown): void }[] = [];
  const calls: string[] = [];
  const sessions = {
    get: (id: number) =>
      new Promise<SessionDetail>((resolve, reject) => {
        calls.push(`get ${id}`);
        gets.push({ id, resolve, reject });
      }),
    selectBranch: async (id: number, messageId: number) => {
      calls.push(`select ${id} ${messageId}`);
      return detail(id, [msg(1, 'user', 'q'), msg(messageId, 'assistant', 'the other answer')]);
    },
  };
  // Only the methods the conversation calls: a typed stand-in for the SDK client.
  const api = { sessions } as unknown as Api;
  /** Answers the oldest open `get` of session `id`. */
  const answer = async (id: number, d: SessionDetail) => {
    const i = gets.findIndex((g) => g.id === id);
    gets.splice(i, 1)[0]!.resolve(d);
    await Promise.resolve();
    await Promise.resolve();
  };
  const refuse = async (id: number, err: unknown) => {
    const i = gets.findIndex((g) => g.id === id);
    gets.splice(i, 1)[0]!.reject(err);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { api, calls, gets, answer, refuse };
}

interface FakeConnection extends Connection {
  opts: ConnectionOptions;
  sent: string[];
  emit(ev: WsServerMessage): void;
  closed: boolean;
}

function setup() {
  const fake = fakeApi();
  const store = createChatState();
  const failures: unknown[] = [];
  const notices: (string | undefined)[] = [];
  const titled: number[] = [];
  const connections: FakeConnection[] = [];
  const connect = (opts: ConnectionOptions): Connection => {
    const [state] = createSignal<ConnectionState>('open');
    const c: FakeConnection = {
      opts,
      sent: [],
      closed: false,
      state,
      emit: (ev) => opts.onEvent(ev),
      send: (content) => c.sent.push(`send ${content}`),
      regenerate: (id) => c.sent.push(`regenerate ${id}`),
      edit: (id, content) => c.sent.push(`edit ${id} ${content}`),
      stop: () => c.sent.push('stop'),
      close: () => {
        c.closed = true;
      },
    };
    connections.push(c);
    return c;
  };
  const actions = createConversationActions({
    api: fake.api,
    store,
    fail: (err) => failures.push(err),
    setNotice: (text) => notices.push(text),
    onOfflineModel: () => {},
    onTitled: (id) => titled.push(id),
    connect,
  });
  return { fake, store, actions, failures, notices, titled, connections };
}

/** The server's side of one answered message: acknowledged, two chunks, done. */
function answerOver(c: FakeConnection, userId: number, answerId: number, text: string) {
  c.emit({ type: 'message', userMessage: msg(userId, 'user', 'hello'), assistantMessageId: answerId });
  c.emit({ type: 'chunk', messageId: answerId, seq: 1, content: text.slice(0, 3) });
  c.emit({ type: 'chunk', messageId: answerId, seq: 2, content: text.slice(3) });
  c.emit({
    type: 'done',
    messageId: answerId,
    status: 'complete',
    assistantMessage: msg(answerId, 'assistant', text),
  });
}

describe('conversation actions', () => {
  it('opens a session, streams an answer into it, and allows one answer at a time', () =>
    inRoot(async () => {
      const { fake, store, actions, connections, titled } = setup();
      const opening = actions.openSession(7);
      await fake.answer(7, detail(7, [msg(1, 'user', 'earlier'), msg(2, 'assistant', 'before')]));
      expect(await opening).toBe(true);
      expect(store.state.currentId).toBe(7);
      expect(store.state.messages.map((m) => m.content)).toEqual(['earlier', 'before']);
      const [c] = connections;
      expect(c?.opts.sessionId).toBe(7);

      expect(actions.send('  hello  ')).toBe(true);
      expect(c?.sent).toEqual(['send hello']);
      expect(actions.answering()).toBe(true);
      // A second message while the first is unanswered is refused, not sent.
      expect(actions.send('again')).toBe(false);
      expect(c?.sent).toEqual(['send hello']);

      answerOver(c!, 3, 4, 'Hi there');
      expect(store.state.messages.map((m) => [m.id, m.content, m.status])).toEqual([
        [1, 'earlier', 'complete'],
        [2, 'before', 'complete'],
        [3, 'hello', 'complete'],
        [4, 'Hi there', 'complete'],
      ]);
      expect(actions.answering()).toBe(false);
      expect(titled).toEqual([7]);
      // Blank text is never sent.
      expect(actions.send('   ')).toBe(false);
    }));

  it('ignores an open overtaken by another, and reports a failed open without keeping a connection', () =>
    inRoot(async () => {
      const { fake, store, actions, connections, failures } = setup();
      const first = actions.openSession(1);
      const second = actions.openSession(2);
      await fake.answer(2, detail(2, [msg(20, 'user', 'two')]));
      await fake.answer(1, detail(1, [msg(10, 'user', 'one')]));
      expect(await first).toBe(false);
      expect(await second).toBe(true);
      expect(store.state.currentId).toBe(2);
      expect(store.state.messages.map((m) => m.content)).toEqual(['two']);
      expect(connections.map((c) => c.opts.sessionId)).toEqual([2]);

      const failing = actions.openSession(3);
      expect(connections[0]?.closed).toBe(true);
      await fake.refuse(3, new Error('gone'));
      expect(await failing).toBe(false);
      expect(failures).toHaveLength(1);
      expect(connections).toHaveLength(1);
      expect(actions.send('hello')).toBe(false);
    }));

  it('stops the answer being written, and regenerates with the branch reloaded at its end', () =>
    inRoot(async () => {
      const { fake, store, actions, connections } = setup();
      const opening = actions.openSession(5);
      await fake.answer(5, detail(5, [msg(1, 'user', 'q'), msg(2, 'assistant', 'first answer')]));
      await opening;
      const c = connections[0]!;
      // Nothing runs: stop sends nothing.
      actions.stop();
      expect(c.sent).toEqual([]);

      expect(actions.regenerate(2)).toBe(true);
      expect(c.sent).toEqual(['regenerate 2']);
      expect(actions.regenerate(2)).toBe(false);
      c.emit({ type: 'message', userMessage: msg(1, 'user', 'q'), assistantMessageId: 3 });
      c.emit({ type: 'chunk', messageId: 3, seq: 1, content: 'sec' });
      actions.stop();
      expect(c.sent).toEqual(['regenerate 2', 'stop']);
      c.emit({ type: 'done', messageId: 3, status: 'stopped', assistantMessage: msg(3, 'assistant', 'sec') });
      // The end of a regenerate reloads the branch, whose ‹ 1/2 › counts changed.
      expect(fake.calls).toEqual(['get 5', 'get 5']);
      const withSiblings = msg(3, 'assistant', 'sec', {
        status: 'stopped',
        siblings: { index: 1, count: 2, ids: [2, 3] },
      } as Partial<Message>);
      await fake.answer(5, detail(5, [msg(1, 'user', 'q'), withSiblings]));
      expect(store.state.messages.map((m) => [m.id, m.status])).toEqual([
        [1, 'complete'],
        [3, 'stopped'],
      ]);

      await actions.selectSibling(2);
      expect(fake.calls.at(-1)).toBe('select 5 2');
      expect(store.state.messages.map((m) => m.content)).toEqual(['q', 'the other answer']);
    }));

  it('after a reconnect, takes the stored answer that ended while the socket was away', () =>
    inRoot(async () => {
      const { fake, store, actions, connections } = setup();
      const opening = actions.openSession(9);
      await fake.answer(9, detail(9, []));
      await opening;
      const c = connections[0]!;
      actions.send('hello');
      c.emit({ type: 'message', userMessage: msg(1, 'user', 'hello'), assistantMessageId: 2 });
      c.emit({ type: 'chunk', messageId: 2, seq: 1, content: 'Part' });
      expect(c.opts.resumePoint()).toEqual({ messageId: 2, after: 1 });

      const resumed: number[] = [];
      c.opts.onReconnected?.((after) => resumed.push(after));
      await fake.answer(9, detail(9, [msg(1, 'user', 'hello'), msg(2, 'assistant', 'Partial, then done')]));
      expect(store.state.streamingId).toBeUndefined();
      expect(store.state.messages.at(-1)).toMatchObject({ id: 2, content: 'Partial, then done', status: 'complete' });
      expect(resumed).toEqual([]);
      expect(actions.answering()).toBe(false);
    }));
});
