// "Usage" in the account menu: the button, and the panel (usage-panel.tsx) with what you used, fetched on opening.
import type { UsageResponse } from '@chatbot/shared';
import { createSignal, lazy, Show, Suspense } from 'solid-js';
import { api } from '../../lib/api';
import { humanError } from '../../lib/errors';
import { t, withWords } from '../../lib/i18n';

// The panel's code loads when the menu first opens, not with the chat page.
const UsagePanel = lazy(withWords(() => import('./usage-panel').then((m) => ({ default: m.UsagePanel })), 'panels'));

export function UsageMenu() {
  const [open, setOpen] = createSignal(false);
  const [data, setData] = createSignal<UsageResponse>();
  const [error, setError] = createSignal<string>();

  const toggle = async () => {
    const next = !open();
    setOpen(next);
    if (!next) return;
    setError(undefined);
    try {
      setData(await api.usage());
    } catch (err) {
      setError(humanError(err));
    }
  };

  return (
    <div class="relative">
      <button
        type="button"
        class="rounded-lg px-2 py-1 text-sm whitespace-nowrap text-zinc-700 hover:bg-zinc-200 dark:text-zinc-300 dark:hover:bg-zinc-800"
        aria-expanded={open()}
        aria-haspopup="dialog"
        onClick={() => void toggle()}
      >
        {t('usage.menu')}
      </button>
      <Show when={open()}>
        <Suspense fallback={<span class="sr-only">{t('chat.loading')}</span>}>
          <UsagePanel data={data()} error={error()} />
        </Suspense>
      </Show>
    </div>
  );
}
