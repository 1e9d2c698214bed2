// The open conversation's menu: its button; the items (session-menu-panel.tsx) load when it first opens.
import { createSignal, lazy, Show, Suspense } from 'solid-js';
import { t, withWords } from '../lib/i18n';

const SessionMenuPanel = lazy(
  withWords(() => import('./session-menu-panel').then((m) => ({ default: m.SessionMenuPanel })), 'panels'),
);

export function SessionMenu(props: { sessionId: number; title: string; onError: (text: string) => void }) {
  const [open, setOpen] = createSignal(false);

  return (
    <div class="relative">
      <button
        type="button"
        class="rounded-lg p-2 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
        aria-label={t('chat.more')}
        aria-haspopup="menu"
        aria-expanded={open()}
        title={t('chat.more')}
        onClick={() => setOpen(!open())}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      <Show when={open()}>
        <Suspense>
          <SessionMenuPanel
            sessionId={props.sessionId}
            title={props.title}
            onDone={() => setOpen(false)}
            onError={props.onError}
          />
        </Suspense>
      </Show>
    </div>
  );
}
