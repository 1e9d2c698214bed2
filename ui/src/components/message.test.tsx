// A message shows who wrote it, a typing indicator before the first chunk, and stopped/failed marks with Retry.
import { fireEvent, render, screen } from '@solidjs/testing-library';
import { describe, expect, it, vi } from 'vitest';
import type { UiMessage } from '../state/chat.store';
import { MessageItem } from './message';

const base: UiMessage = {
  id: 7,
  role: 'assistant',
  content: '',
  status: 'streaming',
  createdAt: '2026-01-01T00:00:00Z',
};

describe('MessageItem', () => {
  it('tells the user and the assistant apart', () => {
    render(() => (
      <>
        <MessageItem
          message={{ ...base, id: 1, role: 'user', content: 'question', status: 'complete' }}
          streaming={false}
        />
        <MessageItem message={{ ...base, content: 'answer', status: 'complete' }} streaming={false} />
      </>
    ));
    expect(screen.getByRole('article', { name: 'You' }).textContent).toContain('question');
    expect(screen.getByRole('article', { name: 'Assistant' }).textContent).toContain('answer');
  });

  it('shows the typing indicator until the first chunk', () => {
    render(() => <MessageItem message={base} streaming={true} />);
    expect(screen.getByRole('status', { name: 'The assistant is typing' })).toBeTruthy();
  });

  it('marks a stopped answer and retries it', () => {
    const onRetry = vi.fn();
    render(() => (
      <MessageItem message={{ ...base, content: 'half', status: 'stopped' }} streaming={false} onRetry={onRetry} />
    ));
    expect(screen.getByText('Stopped')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledWith(7);
  });

  it('explains a failed answer in words, not codes', () => {
    render(() => <MessageItem message={{ ...base, status: 'error', errorCode: 'AI_API_ERROR' }} streaming={false} />);
    expect(screen.getByTestId('message-mark').textContent).toBe('The AI service is unavailable, please try again.');
  });
});
