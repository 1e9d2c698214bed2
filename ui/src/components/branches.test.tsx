// Branches on a message: ‹ n/m › flips between alternatives, Regenerate on the last answer, Edit on the user's message.
import { fireEvent, render, screen } from '@solidjs/testing-library';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadWords } from '../lib/i18n';
import type { UiMessage } from '../state/chat.store';
import { MessageItem } from './message';

const answer: UiMessage = {
  id: 12,
  role: 'assistant',
  content: 'second answer',
  status: 'complete',
  createdAt: '2026-01-01T00:00:00Z',
  parentId: 10,
  siblings: { index: 1, count: 3, ids: [11, 12, 13] },
};

// The panel's words load with it in the app (lib/i18n withWords); here they are loaded first.
beforeAll(() => loadWords('panels'));

describe('branches on a message', () => {
  it('shows the position among the alternatives and flips to the previous and next one', () => {
    const onSelect = vi.fn();
    render(() => <MessageItem message={answer} streaming={false} onSelectSibling={onSelect} />);
    expect(screen.getByTestId('sibling-position').textContent).toBe('2/3');
    expect(screen.getByText('Version 2 of 3')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Previous version' }));
    fireEvent.click(screen.getByRole('button', { name: 'Next version' }));
    expect(onSelect.mock.calls).toEqual([[11], [13]]);
  });

  it('disables the arrows at the ends and hides the control when there is only one version', () => {
    const { unmount } = render(() => (
      <MessageItem
        message={{ ...answer, siblings: { index: 0, count: 2, ids: [12, 14] } }}
        streaming={false}
        onSelectSibling={() => {}}
      />
    ));
    expect((screen.getByRole('button', { name: 'Previous version' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Next version' }) as HTMLButtonElement).disabled).toBe(false);
    unmount();
    render(() => (
      <MessageItem message={{ ...answer, siblings: { index: 0, count: 1, ids: [12] } }} streaming={false} />
    ));
    expect(screen.queryByTestId('sibling-nav')).toBeNull();
  });

  it('offers Regenerate on an answer when asked to, and passes the answer id', () => {
    const onRegenerate = vi.fn();
    render(() => <MessageItem message={answer} streaming={false} onRegenerate={onRegenerate} />);
    fireEvent.click(screen.getByRole('button', { name: 'Regenerate' }));
    expect(onRegenerate).toHaveBeenCalledWith(12);
  });

  it('edits a user message in place: Enter sends the new text, Escape cancels', async () => {
    const onEdit = vi.fn();
    const question: UiMessage = { ...answer, id: 10, role: 'user', content: 'old question', siblings: undefined };
    render(() => <MessageItem message={question} streaming={false} onEdit={onEdit} />);
    fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    // The edit box loads when Edit is first pressed.
    const box = (await screen.findByLabelText('Edit your message')) as HTMLTextAreaElement;
    expect(box.value).toBe('old question');
    fireEvent.keyDown(box, { key: 'Escape' });
    expect(screen.queryByLabelText('Edit your message')).toBeNull();
    expect(screen.getByText('old question')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    const again = (await screen.findByLabelText('Edit your message')) as HTMLTextAreaElement;
    again.value = 'new question';
    fireEvent.keyDown(again, { key: 'Enter' });
    expect(onEdit).toHaveBeenCalledWith(10, 'new question');
    expect(screen.queryByLabelText('Edit your message')).toBeNull();
  });

  it('offers no Edit while an answer is being written (no handler given)', () => {
    render(() => <MessageItem message={{ ...answer, id: 10, role: 'user', siblings: undefined }} streaming={false} />);
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
  });
});
