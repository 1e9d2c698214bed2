// The conversation list: New chat, search, pinned first then newest activity, paged on scroll, switch, rename inline,
// pin, delete with a confirmation, and the export/import menu.
import type { SearchResult, SessionListItem } from '@chatbot/shared';
import { A } from '@solidjs/router';
import { createMemo, createSignal, For, type JSX, Show } from 'solid-js';
import { t } from '../lib/i18n';
import { user } from '../state/auth.state';
import { DataMenu } from './data-menu';
import { Preferences } from './preferences';
import { SearchBox } from './search-box';
import { UsageMenu } from './usage/usage-menu';

export interface SidebarProps {
  sessions: SessionListItem[];
  loaded: boolean;
  currentId: number | undefined;
  onNewChat: () => void;
  onLoadMore: () => void;
  onRename: (id: number, title: string) => void;
  onDelete: (id: number) => void;
  onLogout: () => void;
  onNavigate?: () => void;
  onPin?: (id: number, pinned: boolean) => void;
  onSearchPick?: (result: SearchResult) => void;
  onImported?: (sessionIds: number[]) => void;
}

export function Sidebar(props: SidebarProps) {
  const onScroll = (e: Event) => {
    const el = e.currentTarget as HTMLElement;
    if (el.scrollTop + el.clientHeight >= el.scrollHeight - 120) props.onLoadMore();
  };

  // The server lists pinned sessions first; the split keeps a just-pinned one in its group without a reload.
  const pinned = createMemo(() => props.sessions.filter((s) => s.pinned));
  const others = createMemo(() => props.sessions.filter((s) => !s.pinned));
  const row = (s: SessionListItem) => (
    <SessionRow
      session={s}
      active={s.id === props.currentId}
      onRename={props.onRename}
      onDelete={props.onDelete}
      onPin={props.onPin}
      onNavigate={props.onNavigate}
    />
  );

  return (
    <nav class="flex h-full flex-col bg-zinc-50 dark:bg-zinc-900" aria-label={t('chat.sessions')}>
      <div class="p-3">
        <button
          type="button"
          class="flex w-full items-center justify-center gap-2 rounded-xl bg-indigo-600 px-3 py-2.5 font-medium text-white shadow-sm hover:bg-indigo-500"
          onClick={() => props.onNewChat()}
          title="Ctrl/⌘ K"
        >
          <svg aria-hidden="true" viewBox="0 0 20 20" class="h-4 w-4" fill="currentColor">
            <path d="M9 3h2v6h6v2h-6v6H9v-6H3V9h6z" />
          </svg>
          {t('chat.newChat')}
        </button>
      </div>
      <Show when={props.onSearchPick}>
        <SearchBox onPick={(r) => props.onSearchPick?.(r)} />
      </Show>
      <ul class="flex-1 space-y-0.5 overflow-y-auto px-2 pb-2" onScroll={onScroll} data-testid="session-list">
        <Show when={props.loaded && props.sessions.length === 0}>
          <li class="px-3 py-2 text-sm text-zinc-500">{t('chat.noSessions')}</li>
        </Show>
        <Show when={pinned().length > 0}>
          <GroupHeading>{t('chat.pinned')}</GroupHeading>
          <For each={pinned()}>{row}</For>
        </Show>
        <GroupHeading>{t('chat.sessions')}</GroupHeading>
        <For each={others()}>{row}</For>
      </ul>
      <div class="space-y-2 border-t border-zinc-200 p-3 dark:border-zinc-800">
        <div class="flex items-center justify-between gap-2">
          <A
            href="/account"
            class="min-w-0 truncate rounded-lg px-1 text-sm font-medium hover:underline"
            data-testid="current-user"
            title={t('account.open')}
          >
            {user()?.username}
          </A>
          <button
            type="button"
            class="shrink-0 rounded-lg px-2 py-1 text-sm text-zinc-700 hover:bg-zinc-200 dark:text-zinc-300 dark:hover:bg-zinc-800"
            onClick={() => props.onLogout()}
          >
            {t('auth.logOut')}
          </button>
        </div>
        <div class="flex flex-wrap items-center gap-x-2 gap-y-1">
          <Preferences />
          <UsageMenu />
          <DataMenu onImported={(ids) => props.onImported?.(ids)} />
        </div>
        <Show when={user()?.role === 'admin'}>
          <A
            href="/admin"
            class="block rounded-lg px-2 py-1 text-sm text-indigo-700 hover:bg-zinc-200 dark:text-indigo-300 dark:hover:bg-zinc-800"
            onClick={() => props.onNavigate?.()}
          >
            {t('admin.open')}
          </A>
        </Show>
      </div>
    </nav>
  );
}

function GroupHeading(props: { children: JSX.Element }) {
  return (
    <li
      role="presentation"
      class="px-2 pt-2 pb-1 text-xs font-semibold tracking-wide text-zinc-500 uppercase"
      data-testid="session-group"
    >
      {props.children}
    </li>
  );
}

function SessionRow(props: {
  session: SessionListItem;
  active: boolean;
  onRename: (id: number, title: string) => void;
  onDelete: (id: number) => void;
  onPin?: ((id: number, pinned: boolean) => void) | undefined;
  onNavigate?: (() => void) | undefined;
}) {
  const [editing, setEditing] = createSignal(false);
  const [confirming, setConfirming] = createSignal(false);
  let input: HTMLInputElement | undefined;

  const save = () => {
    const value = input?.value.trim() ?? '';
    setEditing(false);
    if (value && value !== props.session.title) props.onRename(props.session.id, value);
  };

  return (
    <li data-session-id={props.session.id}>
      <Show
        when={!editing()}
        fallback={
          <form
            class="flex gap-1 px-1 py-1"
            onSubmit={(e) => {
              e.preventDefault();
              save();
            }}
          >
            <label class="sr-only" for={`title-${props.session.id}`}>
              {t('chat.titleLabel')}
            </label>
            <input
              id={`title-${props.session.id}`}
              ref={(el) => {
                input = el;
                queueMicrotask(() => el.select());
              }}
              class="min-w-0 flex-1 rounded-md border border-indigo-500 bg-white px-2 py-1 text-sm outline-none dark:bg-zinc-800"
              value={props.session.title}
              maxLength={255}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.preventDefault();
                  setEditing(false);
                }
              }}
              onBlur={save}
            />
          </form>
        }
      >
        <div
          class="group flex items-center rounded-lg"
          classList={{
            'bg-zinc-200 dark:bg-zinc-800': props.active,
            'hover:bg-zinc-100 dark:hover:bg-zinc-800/60': !props.active,
          }}
        >
          <A
            href={`/c/${props.session.id}`}
            class="min-w-0 flex-1 truncate px-3 py-2 text-sm"
            aria-current={props.active ? 'page' : undefined}
            onClick={() => props.onNavigate?.()}
          >
            {props.session.title}
          </A>
          <Show
            when={!confirming()}
            fallback={
              <div class="flex shrink-0 items-center gap-1 pr-1">
                <span class="sr-only">{t('chat.confirmDelete', { title: props.session.title })}</span>
                <button
                  type="button"
                  class="rounded bg-red-600 px-2 py-0.5 text-xs font-medium text-white hover:bg-red-500"
                  aria-label={t('chat.confirmDelete', { title: props.session.title })}
                  onClick={() => {
                    setConfirming(false);
                    props.onDelete(props.session.id);
                  }}
                >
                  {t('chat.delete')}
                </button>
                <button
                  type="button"
                  class="rounded px-2 py-0.5 text-xs hover:bg-zinc-300 dark:hover:bg-zinc-700"
                  onClick={() => setConfirming(false)}
                >
                  {t('chat.cancel')}
                </button>
              </div>
            }
          >
            <div
              class="flex shrink-0 items-center pr-1 opacity-100 md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100"
              classList={{ 'md:opacity-100': props.active }}
            >
              <Show when={props.onPin}>
                <button
                  type="button"
                  class="rounded p-1 text-xs text-zinc-500 hover:bg-zinc-300 hover:text-zinc-900 dark:hover:bg-zinc-700 dark:hover:text-zinc-100"
                  classList={{ 'text-indigo-600 dark:text-indigo-400': props.session.pinned }}
                  aria-label={`${props.session.pinned ? t('chat.unpin') : t('chat.pin')}: ${props.session.title}`}
                  aria-pressed={Boolean(props.session.pinned)}
                  title={props.session.pinned ? t('chat.unpin') : t('chat.pin')}
                  onClick={() => props.onPin?.(props.session.id, !props.session.pinned)}
                >
                  <span aria-hidden="true">{props.session.pinned ? '★' : '☆'}</span>
                </button>
              </Show>
              <button
                type="button"
                class="rounded p-1 text-xs text-zinc-500 hover:bg-zinc-300 hover:text-zinc-900 dark:hover:bg-zinc-700 dark:hover:text-zinc-100"
                aria-label={`${t('chat.rename')}: ${props.session.title}`}
                title={t('chat.rename')}
                onClick={() => setEditing(true)}
              >
                ✎
              </button>
              <button
                type="button"
                class="rounded p-1 text-xs text-zinc-500 hover:bg-zinc-300 hover:text-red-600 dark:hover:bg-zinc-700"
                aria-label={`${t('chat.delete')}: ${props.session.title}`}
                title={t('chat.delete')}
                onClick={() => setConfirming(true)}
              >
                ✕
              </button>
            </div>
          </Show>
        </div>
      </Show>
    </li>
  );
}
