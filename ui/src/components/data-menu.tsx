// Export and import of the user's data: the menu's button; what it does (data-menu-panel.tsx) loads on first open.
import { createSignal, lazy, Show, Suspense } from 'solid-js';
import { t, withWords } from '../lib/i18n';

const DataMenuPanel = lazy(
  withWords(() => import('./data-menu-panel').then((m) => ({ default: m.DataMenuPanel })), 'panels'),
);

export function DataMenu(props: { onImported: (sessionIds: number[]) => void }) {
  const [open, setOpen] = createSignal(false);
  const [opened, setOpened] = createSignal(false);
  return (
    <div class="relative">
      <button
        type="button"
        class="rounded-lg px-2 py-1 text-sm whitespace-nowrap text-zinc-700 hover:bg-zinc-200 dark:text-zinc-300 dark:hover:bg-zinc-800"
        title={t('data.menuHint')}
        aria-expanded={open()}
        aria-haspopup="menu"
        onClick={() => {
          setOpened(true);
          setOpen(!open());
        }}
      >
        {t('data.menu')}
      </button>
      <Show when={opened()}>
        <Suspense>
          <DataMenuPanel open={open()} setOpen={setOpen} onImported={props.onImported} />
        </Suspense>
      </Show>
    </div>
  );
}
