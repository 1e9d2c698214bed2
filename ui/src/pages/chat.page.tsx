// The chat page: sidebar (a drawer on phones) with search, the conversation with paging up and auto-scroll, branches,
// the session's settings and export, the composer, keyboard shortcuts.
import type { SearchResult } from '@chatbot/shared';
import { useNavigate, useParams } from '@solidjs/router';
import { createEffect, createMemo, createSignal, lazy, on, onCleanup, onMount, Show, Suspense } from 'solid-js';
import { Dynamic } from 'solid-js/web';
import { ChatHeader } from '../components/chat/chat-header';
import { MessageList } from '../components/chat/message-list';
import { Composer } from '../components/composer';
import { loadMarkdown } from '../components/markdown';
import { Sidebar } from '../components/sidebar';
import { api } from '../lib/api';
import { createFollowScroll } from '../lib/follow-scroll';
import { loadWords, t, withWords } from '../lib/i18n';
import { logout } from '../state/auth.state';
import { createChat } from '../state/chat.actions';

// Opened by its button only: not part of the page's first load.
const SessionSettingsPanel = lazy(
  withWords(
    () => import('../components/session-settings').then((m) => ({ default: m.SessionSettingsPanel })),
    'panels',
  ),
);
const SessionFiles = lazy(
  withWords(() => import('../components/files/session-files').then((m) => ({ default: m.SessionFiles })), 'files'),
);
type TrayModule = typeof import('../components/files/tray');
type TakenFiles = ReturnType<Tray['attachments']['take']>;
const NO_FILES: TakenFiles = { fileIds: [], unattachedDocuments: [] };
/** The files picked for the next message (components/files/tray.ts, loaded with the first file). */
interface Tray {
  chips: TrayModule['AttachmentChips'];
  attachments: ReturnType<TrayModule['createAttachments']>;
}

export default function ChatPage() {
  const chat = createChat();
  const { state } = chat;
  const params = useParams<{ id?: string }>();
  const navigate = useNavigate();
  const [drawer, setDrawer] = createSignal(false);
  const [settingsOpen, setSettingsOpen] = createSignal(false);
  /** A search result to show once its session is open: the message is scrolled to and highlighted. */
  let pendingJump: number | undefined;
  let scroller: HTMLDivElement | undefined;
  let composer: HTMLTextAreaElement | undefined;
  /** A first message typed before any session existed: sent once the new session is open; busy until then. */
  const [firstMessage, setFirstMessage] = createSignal<string | undefined>(undefined);
  /** Its files (documents to attach to the new conversation once it exists, and every ready file of the message). */
  let firstFiles = NO_FILES;
  const [filesOpen, setFilesOpen] = createSignal(false);
  const [tray, setTray] = createSignal<Tray>();
  let trayLoading: Promise<Tray> | undefined;
  const onFiles = (files: File[]) => {
    trayLoading ??= Promise.all([import('../components/files/tray'), loadWords('files')]).then(([m]) => {
      const loaded = {
        chips: m.AttachmentChips,
        attachments: m.createAttachments({ api, sessionId: () => state.currentId }),
      };
      setTray(loaded);
      return loaded;
    });
    void trayLoading.then((t) => t.attachments.add(files)).catch((err) => chat.setNotice(String(err)));
  };
  const takeFiles = (): TakenFiles => tray()?.attachments.take() ?? NO_FILES;

  const busy = () => chat.answering() || firstMessage() !== undefined;
  const stop = () => {
    setFirstMessage(undefined);
    chat.stop();
  };
  const currentTitle = createMemo(() => state.sessions.find((s) => s.id === state.currentId)?.title ?? '');
  const focusComposer = () => queueMicrotask(() => composer?.focus());
  const scroll = createFollowScroll({
    state,
    scroller: () => scroller,
    loadOlder: chat.loadOlder,
    selectSibling: chat.selectSibling,
  });
  const { following, setFollowing, scrollToBottom, jumpToMessage } = scroll;

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
        setFilesOpen(false);
        tray()?.attachments.dispose();
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
          const files = firstFiles;
          firstFiles = NO_FILES;
          // Documents picked before the conversation existed become part of it (used for its later answers too).
          await Promise.all(files.unattachedDocuments.map((id) => api.files.attach(id, n).catch(() => undefined)));
          setFirstMessage(undefined);
          chat.send(first, files.fileIds);
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
    if (tray()?.attachments.pending()) return false;
    if (state.currentId !== undefined) {
      if (!text.trim() || busy()) return false;
      setFollowing(true);
      return chat.send(text, takeFiles().fileIds);
    }
    // No conversation yet: start one and send once it is open.
    const first = text.trim();
    if (!first || busy()) return false;
    firstFiles = takeFiles();
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
        <ChatHeader
          title={currentTitle()}
          sessionId={state.currentId}
          connState={chat.connState()}
          drawerOpen={drawer()}
          settingsOpen={settingsOpen()}
          filesOpen={filesOpen()}
          onOpenDrawer={() => setDrawer(true)}
          onToggleSettings={() => setSettingsOpen(!settingsOpen())}
          onToggleFiles={() => setFilesOpen(!filesOpen())}
          onError={(text) => chat.setNotice(text)}
        />
        <Show when={settingsOpen() && state.currentId !== undefined}>
          <Suspense>
            <SessionSettingsPanel
              settings={chat.settings()}
              onSave={chat.saveSettings}
              onClose={() => setSettingsOpen(false)}
            />
          </Suspense>
        </Show>

        <Show when={filesOpen() && state.currentId !== undefined}>
          <Suspense>
            <SessionFiles
              sessionId={state.currentId ?? 0}
              onClose={() => setFilesOpen(false)}
              onError={(text) => chat.setNotice(text)}
            />
          </Suspense>
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

        <MessageList
          state={state}
          busy={busy()}
          ref={(el) => {
            scroller = el;
          }}
          onScroll={() => void scroll.onScroll()}
          onRetry={chat.retry}
          onRegenerate={chat.regenerate}
          onEdit={chat.edit}
          onSelectSibling={(id) => void chat.selectSibling(id)}
        />

        <div class="relative shrink-0 px-3 pt-2 pb-3">
          <Show when={!following() && state.messages.length > 0}>
            <button
              type="button"
              class="absolute -top-10 left-1/2 -translate-x-1/2 rounded-full border border-zinc-300 bg-white px-3 py-1 text-xs shadow dark:border-zinc-700 dark:bg-zinc-900"
              onClick={scroll.jumpToLatest}
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
          <Show when={tray()}>{(tr) => <Dynamic component={tr().chips} attachments={tr().attachments} />}</Show>
          <Composer
            busy={busy()}
            onSend={send}
            onStop={stop}
            onFiles={onFiles}
            waiting={tray()?.attachments.pending() ?? false}
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
