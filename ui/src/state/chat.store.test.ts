// The chat store applies stream events: acknowledgement, chunks in order, replays ignored, final and failed answers.
import type { Message } from '@chatbot/shared';
import { createRoot } from 'solid-js';
import { describe, expect, it } from 'vitest';
import { createChatState } from './chat.store';

const at = '2026-01-01T00:00:00.000Z';
const userMessage: Message = { id: 10, role: 'user', content: 'Hi', status: 'complete', createdAt: at };
const answer = (content: string, status: Message['status'] = 'complete'): Message => ({
  id: 11,
  role: 'assistant',
  content,
  status,
  createdAt: at,
  model: 'gpt-test',
});

function withStore(fn: (s: ReturnType<typeof createChatState>) => void) {
  createRoot((dispose) => {
    fn(createChatState());
    dispose();
  });
}

describe('chat store', () => {
  it('replaces the pending user message with the stored one and adds an empty streaming answer', () => {
    withStore((s) => {
      s.addPendingUserMessage('Hi');
      expect(s.state.awaitingReply).toBe(true);
      expect(s.state.messages[0]?.pending).toBe(true);
      s.applyEvent({ type: 'message', userMessage, assistantMessageId: 11 });
      expect(s.state.messages.map((m) => [m.id, m.role, m.status])).toEqual([
        [10, 'user', 'complete'],
        [11, 'assistant', 'streaming'],
      ]);
      expect(s.state.streamingId).toBe(11);
      expect(s.state.awaitingReply).toBe(false);
    });
  });

  it('grows the answer chunk by chunk and ignores chunks replayed after a reconnect', () => {
    withStore((s) => {
      s.addPendingUserMessage('Hi');
      s.applyEvent({ type: 'message', userMessage, assistantMessageId: 11 });
      s.applyEvent({ type: 'chunk', content: 'Hel', seq: 1, messageId: 11 });
      s.applyEvent({ type: 'chunk', content: 'lo', seq: 2, messageId: 11 });
      // resume(after: 1) replays chunk 2 the client may already have seen
      s.applyEvent({ type: 'chunk', content: 'lo', seq: 2, messageId: 11 });
      s.applyEvent({ type: 'chunk', content: '!', seq: 3, messageId: 11 });
      expect(s.state.messages[1]?.content).toBe('Hello!');
      expect(s.state.lastSeq).toBe(3);
    });
  });

  it('stores the final answer on done and ends streaming', () => {
    withStore((s) => {
      s.applyEvent({ type: 'message', userMessage, assistantMessageId: 11 });
      s.applyEvent({ type: 'chunk', content: 'Part', seq: 1, messageId: 11 });
      s.applyEvent({ type: 'done', messageId: 11, status: 'stopped', assistantMessage: answer('Part', 'stopped') });
      expect(s.state.messages[1]).toMatchObject({ content: 'Part', status: 'stopped', model: 'gpt-test' });
      expect(s.state.streamingId).toBeUndefined();
    });
  });

  it('marks the answer in progress as failed with the error code', () => {
    withStore((s) => {
      s.applyEvent({ type: 'message', userMessage, assistantMessageId: 11 });
      s.applyEvent({ type: 'error', message: 'provider down', code: 'AI_API_ERROR' });
      expect(s.state.messages[1]).toMatchObject({ status: 'error', errorCode: 'AI_API_ERROR' });
      expect(s.state.streamingId).toBeUndefined();
    });
  });

  it('shows a refused turn as a failed stand-in answer', () => {
    withStore((s) => {
      s.addPendingUserMessage('Hi');
      s.applyEvent({ type: 'error', message: 'slow down', code: 'RATE_LIMITED' });
      expect(s.state.messages).toHaveLength(2);
      expect(s.state.messages[0]?.pending).toBe(false);
      expect(s.state.messages[1]).toMatchObject({ role: 'assistant', status: 'error', errorCode: 'RATE_LIMITED' });
      expect(s.state.awaitingReply).toBe(false);
    });
  });

  it('opens a session with an answer in progress emptied, ready to be replayed from the start', () => {
    withStore((s) => {
      s.showSession({ id: 5, messages: [userMessage, answer('partial', 'streaming')], hasMore: true });
      expect(s.state.streamingId).toBe(11);
      expect(s.state.messages[1]?.content).toBe('');
      expect(s.state.hasMore).toBe(true);
    });
  });

  it('puts older messages before the loaded ones without duplicates', () => {
    withStore((s) => {
      s.showSession({ id: 5, messages: [userMessage, answer('A')], hasMore: true });
      const older: Message[] = [
        { ...userMessage, id: 8, content: 'old' },
        { ...answer('old answer'), id: 9 },
        userMessage,
      ];
      s.prependOlder(older, false);
      expect(s.state.messages.map((m) => m.id)).toEqual([8, 9, 10, 11]);
      expect(s.state.hasMore).toBe(false);
    });
  });
});
