// The sidebar: pinned conversations in their own group on top, and the pin button says which way it goes.
import type { SessionListItem } from '@chatbot/shared';
import { MemoryRouter, Route } from '@solidjs/router';
import { fireEvent, render, screen } from '@solidjs/testing-library';
import { describe, expect, it, vi } from 'vitest';
import { Sidebar } from './sidebar';

const session = (id: number, title: string, pinned = false): SessionListItem => ({
  id,
  title,
  pinned,
  messageCount: 1,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
});

function renderSidebar(sessions: SessionListItem[], onPin = vi.fn()) {
  const view = () => (
    <Sidebar
      sessions={sessions}
      loaded
      currentId={undefined}
      onNewChat={() => {}}
      onLoadMore={() => {}}
      onRename={() => {}}
      onDelete={() => {}}
      onLogout={() => {}}
      onPin={onPin}
    />
  );
  // <A> needs a router: an in-memory one at "/".
  render(() => (
    <MemoryRouter>
      <Route path="*" component={view} />
    </MemoryRouter>
  ));
  return onPin;
}

describe('Sidebar pins', () => {
  it('lists pinned conversations first, under their own heading', async () => {
    renderSidebar([session(1, 'Pinned one', true), session(2, 'Recent'), session(3, 'Older')]);
    const list = await screen.findByTestId('session-list');
    const order = [...list.querySelectorAll('li')].map((li) =>
      li.dataset.sessionId ? `#${li.dataset.sessionId}` : li.textContent,
    );
    expect(order).toEqual(['Pinned', '#1', 'Conversations', '#2', '#3']);
  });

  it('shows no pinned heading when nothing is pinned', async () => {
    renderSidebar([session(2, 'Recent')]);
    await screen.findByTestId('session-list');
    expect(screen.queryByText('Pinned')).toBeNull();
  });

  it('pins an unpinned conversation and unpins a pinned one', async () => {
    const onPin = renderSidebar([session(1, 'Alpha', true), session(2, 'Beta')]);
    fireEvent.click(await screen.findByRole('button', { name: 'Unpin: Alpha' }));
    fireEvent.click(screen.getByRole('button', { name: 'Pin: Beta' }));
    expect(onPin.mock.calls).toEqual([
      [1, false],
      [2, true],
    ]);
  });
});
