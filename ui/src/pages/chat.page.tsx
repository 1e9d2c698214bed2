// The chat page: sidebar (a drawer on phones) with search, the conversation with paging up and auto-scroll, branches,
// the session's settings and export, the composer, keyboard shortcuts.
import type { SearchResult } from '@chatbot/shared';
import { useNavigate, useParams } from '@solidjs/router';
import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show } from 'solid-js';
import { Composer } from '../components/composer';
import { ConnectionBadge } from '../components/connection-badge';
import { loadMarkdown } from '../components/markdown';
import { MessageItem } from '../components/message';
import { SessionMenu } from '../components/session-menu';
import { SessionSettingsPanel } from '../components/session-settings';
import { Sidebar } from '../components/sidebar';
import { t } from '../lib/i18n';
import { logout } from '../state/auth.state';
import { createChat } from '../state/chat.actions';

/** How close to the bottom (px) still counts as "following" the answer. */
const FOLLOW_MARGIN = 80;

export default function ChatPage() {
  const chat = createChat();
  const { state } = chat;
  const params = useParams<{ id?: string }>();
  const navigate = useNavigate();
  const [drawer, setDrawer] = createSignal(false);
  const [following, setFollowing] = createSignal(true);
  const [settingsOpen, setSettingsOpen] = createSignal(false);
  /** A search result to show once its session is open: the message is scrolled to and highlighted. */
  let pendingJump: number | undefined;
  let scroller: HTMLDivElement | undefined;
  let composer: HTMLTextAreaElement | undefined;
  /** A first message typed before any session existed: sent once the new session is open; busy until then. */
  const [firstMessage, setFirstMessage] = createSignal<string | undefined>(undefined);

  const busy = () => chat.answering() || firstMessage() !== undefined;
  const stop = () => {
    setFirstMessage(undefined);
    chat.stop();
  };
  const currentTitle = createMemo(() => state.sessions.find((s) => s.id === state.currentId)?.title ?? '');
  const focusComposer = () => queueMicrotask(() => composer?.focus());

  onMount(() => {
    // An opened conversation almost always shows Markdown: fetch the renderer alongside the messages, not after them.
    if (params.id) void loadMarkdown();
    void chat.loadSessions();
    void chat.checkHealth();
    focusComposer();
  });

  createEffect(
    on(
      () => params.id,
      async (id) => {
        setDrawer(false);
        if (!id) {
          chat.closeSession();
          return;
        }
        const n = Number(id);
        if (!Number.isInteger(n) || n <= 0) {
          navigate('/', { replace: true });
          return;
        }
        setFollowing(true);
        setSettingsOpen(false);
        const ok = await chat.openSession(n);
        if (!ok) {
          // Opening failed (not merely overtaken by another open): nothing to send the first message to.
          if (state.currentId === undefined) setFirstMessage(undefined);
          return;
        }
        if (pendingJump !== undefined) {
          const target = pendingJump;
          pendingJump = undefined;
          void jumpToMessage(target);
        } else {
          scrollToBottom();
          focusComposer();
        }
        const first = firstMessage();
        if (first !== undefined) {
          setFirstMessage(undefined);
          chat.send(first);
        }
      },
    ),
  );

  const newChat = async () => {
    const id = await chat.createSession();
    if (id !== undefined) navigate(`/c/${id}`);
    else setFirstMessage(undefined);
    focusComposer();
  };

  const send = (text: string): boolean => {
    if (state.currentId !== undefined) {
      setFollowing(true);
      return chat.send(text);
    }
    // No conversation yet: start one and send once it is open.
    const first = text.trim();
    if (!first || busy()) return false;
    setFirstMessage(first);
    void newChat();
    return true;
  };

  const onKey = (e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
      e.preventDefault();
      void newChat();
    } else if (e.key === 'Escape' && busy()) {
      stop();
    } else if (e.key === 'Escape' && drawer()) {
      setDrawer(false);
    }
  };
  document.addEventListener('keydown', onKey);
  onCleanup(() => document.removeEventListener('keydown', onKey));

  function scrollToBottom(): void {
    requestAnimationFrame(() => {
      if (scroller) scroller.scrollTop = scroller.scrollHeight;
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

  const onScroll = async () => {
    const el = scroller;
    if (!el) return;
    setFollowing(el.scrollHeight - el.scrollTop - el.clientHeight < FOLLOW_MARGIN);
    if (el.scrollTop < 200 && state.hasMore && !state.loadingOlder) {
      const before = el.scrollHeight;
      await chat.loadOlder();
      // Keep the message the user was reading where it was.
      requestAnimationFrame(() => {
        el.scrollTop += el.scrollHeight - before;
      });
    }
  };

  /** Shows message `messageId`: older pages are loaded (and its branch chosen) until it is there. */
  async function jumpToMessage(messageId: number): Promise<void> {
    const find = () => scroller?.querySelector<HTMLElement>(`[data-message-id="${messageId}"]`) ?? null;
    let switched = false;
    for (let guard = 0; guard < 200; guard++) {
      if (state.messages.some((m) => m.id === messageId)) break;
      if (state.hasMore) await chat.loadOlder();
      else if (!switched) {
        // Not on the branch shown: show the branch through it.
        switched = true;
        await chat.selectSibling(messageId);
      } else return;
    }
    setFollowing(false);
    requestAnimationFrame(() => {
      const el = find();
      if (!el) return;
      el.scrollIntoView({ block: 'center' });
      el.setAttribute('data-highlighted', 'true');
      setTimeout(() => el.removeAttribute('data-highlighted'), 2500);
    });
  }

  const onSearchPick = (r: SearchResult) => {
    setDrawer(false);
    if (r.messageId === null) {
      navigate(`/c/${r.sessionId}`);
      return;
    }
    if (state.currentId === r.sessionId && !state.loadingSession) void jumpToMessage(r.messageId);
    else {
      pendingJump = r.messageId;
      navigate(`/c/${r.sessionId}`);
    }
  };

  const lastAssistantId = createMemo(() => {
    const last = state.messages[state.messages.length - 1];
    return last?.role === 'assistant' && last.id > 0 ? last.id : undefined;
  });

  const doLogout = async () => {
    chat.closeSession();
    await logout();
    navigate('/login', { replace: true });
  };

  return (
    <div class="flex h-full overflow-hidden bg-white dark:bg-zinc-950">
      {/* Phone: the sidebar is a drawer over the conversation. */}
      <Show when={drawer()}>
        <button
          type="button"
          class="fixed inset-0 z-30 bg-black/40 md:hidden"
          aria-label={t('chat.closeMenu')}
          onClick={() => setDrawer(false)}
        />
      </Show>
      <aside
        class="fixed inset-y-0 left-0 z-40 w-72 max-w-[85vw] border-r border-zinc-200 transition-transform duration-200 md:static md:translate-x-0 dark:border-zinc-800"
        classList={{ '-translate-x-full': !drawer(), 'translate-x-0': drawer() }}
      >
        <Sidebar
          sessions={state.sessions}
          loaded={state.sessionsLoaded}
          currentId={state.currentId}
          onNewChat={() => void newChat()}
          onLoadMore={() => void chat.loadMoreSessions()}
          onRename={(id, title) => void chat.renameSession(id, title)}
          onDelete={async (id) => {
            const wasOpen = state.currentId === id;
            await chat.deleteSession(id);
            if (wasOpen) navigate('/', { replace: true });
          }}
          onLogout={() => void doLogout()}
          onNavigate={() => setDrawer(false)}
          onPin={(id, pinned) => void chat.pinSession(id, pinned)}
          onSearchPick={onSearchPick}
          onImported={() => void chat.afterImport()}
        />
      </aside>

      <main class="flex min-w-0 flex-1 flex-col">
        <header class="flex h-14 shrink-0 items-center gap-2 border-b border-zinc-200 px-3 dark:border-zinc-800">
          <button
            type="button"
            class="rounded-lg p-2 hover:bg-zinc-100 md:hidden dark:hover:bg-zinc-800"
            aria-label={t('chat.openMenu')}
            aria-expanded={drawer()}
            onClick={() => setDrawer(true)}
          >
            <span aria-hidden="true">☰</span>
          </button>
          <h1 class="min-w-0 flex-1 truncate font-semibold" data-testid="chat-title">
            {currentTitle() || t('app.name')}
          </h1>
          <ConnectionBadge state={chat.connState()} />
          <Show when={state.currentId !== undefined}>
            <button
              type="button"
              class="rounded-lg p-2 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
              aria-label={t('settings.open')}
              aria-expanded={settingsOpen()}
              title={t('settings.open')}
              onClick={() => setSettingsOpen(!settingsOpen())}
            >
              <span aria-hidden="true">⚙</span>
            </button>
            <SessionMenu
              sessionId={state.currentId ?? 0}
              title={currentTitle()}
              onError={(text) => chat.setNotice(text)}
            />
          </Show>
        </header>
        <Show when={settingsOpen() && state.currentId !== undefined}>
          <SessionSettingsPanel
            settings={chat.settings()}
            onSave={chat.saveSettings}
            onClose={() => setSettingsOpen(false)}
          />
        </Show>

        <Show when={chat.offlineModel()}>
          <div
            class="border-b border-amber-200 bg-amber-50 px-4 py-2 text-center text-sm text-amber-800 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-200"
            role="note"
            data-testid="offline-notice"
          >
            {t('chat.offlineNotice')}
          </div>
        </Show>

        <div ref={scroller} class="flex-1 overflow-y-auto" onScroll={() => void onScroll()} data-testid="messages">
          <div class="mx-auto flex max-w-3xl flex-col gap-6 px-4 py-6">
            <Show when={state.loadingOlder}>
              <p class="text-center text-sm text-zinc-500" role="status">
                {t('chat.loadingOlder')}
              </p>
            </Show>
            <Show
              when={!state.loadingSession}
              fallback={<p class="text-center text-sm text-zinc-500">{t('chat.loading')}</p>}
            >
              <Show
                when={state.messages.length > 0}
                fallback={<EmptyState hasSession={state.currentId !== undefined} />}
              >
                <For each={state.messages}>
                  {(m) => (
                    <MessageItem
                      message={m}
                      streaming={m.id === state.streamingId}
                      onRetry={m.role === 'assistant' && !busy() ? chat.retry : undefined}
                      onRegenerate={m.id === lastAssistantId() && !busy() ? chat.regenerate : undefined}
                      onEdit={m.role === 'user' && m.id > 0 && !busy() ? chat.edit : undefined}
                      onSelectSibling={busy() ? undefined : (id) => void chat.selectSibling(id)}
                    />
                  )}
                </For>
                <Show when={state.awaitingReply}>
                  <MessageItem
                    message={{ id: 0, role: 'assistant', content: '', status: 'streaming', createdAt: '' }}
                    streaming
                  />
                </Show>
              </Show>
            </Show>
          </div>
        </div>

        <div class="relative shrink-0 px-3 pt-2 pb-3">
          <Show when={!following() && state.messages.length > 0}>
            <button
              type="button"
              class="absolute -top-10 left-1/2 -translate-x-1/2 rounded-full border border-zinc-300 bg-white px-3 py-1 text-xs shadow dark:border-zinc-700 dark:bg-zinc-900"
              onClick={() => {
                setFollowing(true);
                scrollToBottom();
              }}
            >
              ↓ {t('chat.jumpToLatest')}
            </button>
          </Show>
          <Show when={chat.notice()}>
            <div
              class="mx-auto mb-2 flex max-w-3xl items-center justify-between gap-2 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300"
              role="alert"
            >
              <span>{chat.notice()}</span>
              <button type="button" class="text-xs underline" onClick={() => chat.setNotice(undefined)}>
                {t('chat.cancel')}
              </button>
            </div>
          </Show>
          <Composer
            busy={busy()}
            onSend={send}
            onStop={stop}
            ref={(el) => {
              composer = el;
            }}
          />
          <p class="mx-auto mt-1.5 hidden max-w-3xl text-center text-xs text-zinc-400 md:block">{t('chat.keyHint')}</p>
        </div>
      </main>
    </div>
  );
}

function EmptyState(props: { hasSession: boolean }) {
  return (
    <div class="flex flex-col items-center justify-center gap-3 py-24 text-center text-zinc-500">
      <div
        aria-hidden="true"
        class="flex h-12 w-12 items-center justify-center rounded-2xl bg-gradient-to-br from-indigo-500 to-violet-500 text-lg font-bold text-white"
      >
        AI
      </div>
      <p>{props.hasSession ? t('chat.empty') : t('chat.pickOrCreate')}</p>
    </div>
  );
}
