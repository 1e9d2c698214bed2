// Sending while a session is still opening (a new chat just navigated to it): the message waits and then goes out once,
// instead of being dropped because the session's connection does not exist yet.
import type { Message, SessionDetail, WsServerMessage } from '@chatbot/shared';
import { createRoot } from 'solid-js';
import { afterEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  /** One fake ChatSocket per connect: what it was asked to send, and a way to play server messages into it. */
  interface FakeSocket {
    state: 'connecting' | 'open' | 'closed';
    sent: string[];
    emit(ev: WsServerMessage): void;
  }
  const sockets: FakeSocket[] = [];
  /** Every session detail asked for, oldest first: the test answers each when it wants. */
  const details: { resolve(d: SessionDetail): void; reject(err: unknown): void }[] = [];
  const api = {
    sessions: {
      get: vi.fn(() => new Promise<SessionDetail>((resolve, reject) => details.push({ resolve, reject }))),
    },
    chat: {
      connect: vi.fn(() => {
        const listeners: Record<string, ((v: unknown) => void)[]> = {};
        const s = {
          state: 'connecting' as FakeSocket['state'],
          sent: [] as string[],
          emit: (ev: WsServerMessage) => {
            for (const fn of listeners.message ?? []) fn(ev);
          },
          on: (event: string, fn: (v: unknown) => void) => {
            listeners[event] = [...(listeners[event] ?? []), fn];
            return () => {};
          },
          send: (content: string) => s.sent.push(content),
          resume: () => {},
          stop: () => {},
          close: () => {
            s.state = 'closed';
          },
        };
        sockets.push(s);
        return s;
      }),
    },
  };
  return {
    api,
    sockets,
    details,
    /** Answers the latest detail request still open. */
    resolveDetail: (d: SessionDetail) => details.pop()?.resolve(d),
    rejectDetail: (err: unknown) => details.pop()?.reject(err),
  };
});

vi.mock('../lib/api', () => ({ api: fake.api, token: () => 'token', onTokenRefreshed: () => () => {} }));

const { createChat } = await import('./chat.actions');

const at = '2026-01-01T00:00:00.000Z';
const detail = (messages: Message[] = []): SessionDetail => ({
  id: 7,
  title: 'New chat',
  createdAt: at,
  updatedAt: at,
  messages,
  hasMore: false,
});
const settle = () => new Promise((r) => setTimeout(r, 0));

function withChat(fn: (chat: ReturnType<typeof createChat>) => Promise<void>): Promise<void> {
  return createRoot(async (dispose) => {
    try {
      await fn(createChat());
    } finally {
      dispose();
    }
  });
}

afterEach(() => {
  fake.sockets.length = 0;
  fake.details.length = 0;
  vi.clearAllMocks();
});

describe('sending while the session opens', () => {
  it('holds a message sent before the session is loaded and sends it once, as soon as it is connected', () =>
    withChat(async (chat) => {
      const opened = chat.openSession(7);
      expect(chat.state.currentId).toBe(7);
      expect(chat.state.loadingSession).toBe(true);

      expect(chat.send('Tell me a joke')).toBe(true);
      expect(chat.answering()).toBe(true);
      // A second Enter meanwhile is refused, as while an answer is written.
      expect(chat.send('Another one')).toBe(false);

      fake.resolveDetail(detail());
      expect(await opened).toBe(true);
      expect(fake.sockets).toHaveLength(1);
      expect(fake.sockets[0]?.sent).toEqual(['Tell me a joke']);
      expect(chat.state.messages.map((m) => [m.role, m.content, m.pending])).toEqual([
        ['user', 'Tell me a joke', true],
      ]);
      expect(chat.state.awaitingReply).toBe(true);
    }));

  it('waits for an answer already being written in the opened session, then sends', () =>
    withChat(async (chat) => {
      const opened = chat.openSession(7);
      expect(chat.send('Next question')).toBe(true);
      const user: Message = { id: 1, role: 'user', content: 'First', status: 'complete', createdAt: at };
      const writing: Message = { id: 2, role: 'assistant', content: 'Par', status: 'streaming', createdAt: at };
      fake.resolveDetail(detail([user, writing]));
      await opened;
      const socket = fake.sockets[0];
      expect(socket?.sent).toEqual([]);
      socket?.emit({
        type: 'done',
        messageId: 2,
        status: 'complete',
        assistantMessage: { ...writing, content: 'Partly', status: 'complete' },
      });
      expect(socket?.sent).toEqual(['Next question']);
      expect(chat.state.messages.at(-1)).toMatchObject({ role: 'user', content: 'Next question', pending: true });
    }));

  it('drops the held message when Stop is pressed, or when the session could not be opened', () =>
    withChat(async (chat) => {
      const first = chat.openSession(7);
      expect(chat.send('Never mind')).toBe(true);
      chat.stop();
      expect(chat.answering()).toBe(false);
      fake.resolveDetail(detail());
      await first;
      expect(fake.sockets[0]?.sent).toEqual([]);

      chat.closeSession();
      const second = chat.openSession(7);
      expect(chat.send('Lost cause')).toBe(true);
      fake.rejectDetail(Object.assign(new Error('gone'), { status: 404, code: 'NOT_FOUND' }));
      expect(await second).toBe(false);
      await settle();
      expect(chat.answering()).toBe(false);
      expect(chat.state.currentId).toBeUndefined();
    }));

  it('does not carry a held message over to another session opened meanwhile', () =>
    withChat(async (chat) => {
      const first = chat.openSession(7);
      expect(chat.send('For session 7')).toBe(true);
      const second = chat.openSession(8);
      fake.resolveDetail({ ...detail(), id: 8 });
      fake.resolveDetail(detail());
      expect(await first).toBe(false);
      expect(await second).toBe(true);
      expect(chat.answering()).toBe(false);
      for (const s of fake.sockets) expect(s.sent).toEqual([]);
    }));
});
