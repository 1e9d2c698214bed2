// Following an answer as it grows, paging older messages in at the top without moving what the user reads, and
// jumping to one message (a search result), loading older pages or switching branch until it is shown.
import { createEffect, createSignal, on } from 'solid-js';
import type { ChatState } from '../state/chat.store';

/** How close to the bottom (px) still counts as "following" the answer. */
const FOLLOW_MARGIN = 80;
/** How close to the top (px) loads the next older page. */
const OLDER_MARGIN = 200;

export interface FollowScrollDeps {
  state: ChatState;
  scroller: () => HTMLElement | undefined;
  loadOlder: () => Promise<unknown>;
  selectSibling: (messageId: number) => Promise<unknown>;
}

export function createFollowScroll(deps: FollowScrollDeps) {
  const { state } = deps;
  const [following, setFollowing] = createSignal(true);

  function scrollToBottom(): void {
    requestAnimationFrame(() => {
      const el = deps.scroller();
      if (el) el.scrollTop = el.scrollHeight;
    });
  }

  // Follow the answer as it grows, unless the user has scrolled up to read.
  createEffect(
    on(
      () => {
        const last = state.messages[state.messages.length - 1];
        return [state.messages.length, last?.content.length, last?.status];
      },
      () => {
        if (following()) scrollToBottom();
      },
    ),
  );

  async function onScroll(): Promise<void> {
    const el = deps.scroller();
    if (!el) return;
    setFollowing(el.scrollHeight - el.scrollTop - el.clientHeight < FOLLOW_MARGIN);
    if (el.scrollTop < OLDER_MARGIN && state.hasMore && !state.loadingOlder) {
      const before = el.scrollHeight;
      await deps.loadOlder();
      // Keep the message the user was reading where it was.
      requestAnimationFrame(() => {
        el.scrollTop += el.scrollHeight - before;
      });
    }
  }

  /** Shows message `messageId`: older pages are loaded (and its branch chosen) until it is there. */
  async function jumpToMessage(messageId: number): Promise<void> {
    let switched = false;
    for (let guard = 0; guard < 200; guard++) {
      if (state.messages.some((m) => m.id === messageId)) break;
      if (state.hasMore) await deps.loadOlder();
      else if (!switched) {
        // Not on the branch shown: show the branch through it.
        switched = true;
        await deps.selectSibling(messageId);
      } else return;
    }
    setFollowing(false);
    requestAnimationFrame(() => {
      const el = deps.scroller()?.querySelector<HTMLElement>(`[data-message-id="${messageId}"]`);
      if (!el) return;
      el.scrollIntoView({ block: 'center' });
      el.setAttribute('data-highlighted', 'true');
      setTimeout(() => el.removeAttribute('data-highlighted'), 2500);
    });
  }

  /** Back to the newest message, following again. */
  function jumpToLatest(): void {
    setFollowing(true);
    scrollToBottom();
  }

  return { following, setFollowing, scrollToBottom, onScroll, jumpToMessage, jumpToLatest };
}
