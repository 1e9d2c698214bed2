// The conversation's header: the drawer button on phones, the title, the connection badge, the conversation's files,
// the settings toggle and the session's menu (export, copy link).
import { Show } from 'solid-js';
import { t } from '../../lib/i18n';
import type { ConnectionState } from '../../state/connection.state';
import { ConnectionBadge } from '../connection-badge';
import { PaperclipIcon } from '../files/paperclip-icon';
import { SessionMenu } from '../session-menu';

export function ChatHeader(props: {
  title: string;
  sessionId: number | undefined;
  connState: ConnectionState | undefined;
  drawerOpen: boolean;
  settingsOpen: boolean;
  filesOpen: boolean;
  onOpenDrawer: () => void;
  onToggleSettings: () => void;
  onToggleFiles: () => void;
  onError: (text: string) => void;
}) {
  return (
    <header class="flex h-14 shrink-0 items-center gap-2 border-b border-zinc-200 px-3 dark:border-zinc-800">
      <button
        type="button"
        class="rounded-lg p-2 hover:bg-zinc-100 md:hidden dark:hover:bg-zinc-800"
        aria-label={t('chat.openMenu')}
        aria-expanded={props.drawerOpen}
        onClick={() => props.onOpenDrawer()}
      >
        <span aria-hidden="true">☰</span>
      </button>
      <h1 class="min-w-0 flex-1 truncate font-semibold" data-testid="chat-title">
        {props.title || t('app.name')}
      </h1>
      <ConnectionBadge state={props.connState} />
      <Show when={props.sessionId !== undefined}>
        <button
          type="button"
          class="rounded-lg p-2 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
          aria-label={t('files.open')}
          aria-expanded={props.filesOpen}
          title={t('files.open')}
          onClick={() => props.onToggleFiles()}
        >
          <PaperclipIcon />
        </button>
        <button
          type="button"
          class="rounded-lg p-2 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
          aria-label={t('settings.open')}
          aria-expanded={props.settingsOpen}
          title={t('settings.open')}
          onClick={() => props.onToggleSettings()}
        >
          <span aria-hidden="true">⚙</span>
        </button>
        <SessionMenu sessionId={props.sessionId ?? 0} title={props.title} onError={props.onError} />
      </Show>
    </header>
  );
}
