// The conversation's files (the header's Files button; loaded when opened): every file attached to it, with its
// state, and buttons to take it out of the conversation or delete it. Files still being read are asked about again.
import type { FileInfo } from '@chatbot/shared';
import { createResource, For, onCleanup, Show } from 'solid-js';
import { api } from '../../lib/api';
import { humanError } from '../../lib/errors';
import { t } from '../../lib/i18n';

const button = 'rounded px-2 py-0.5 text-xs text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800';

function state(f: FileInfo): string {
  if (f.status === 'processing') return t('files.processing');
  if (f.status === 'ready') return f.pages ? t('files.readyPages', { pages: f.pages }) : t('files.ready');
  return f.error ? t('files.failedBecause', { reason: f.error }) : t('files.failed');
}

export function SessionFiles(props: { sessionId: number; onClose: () => void; onError: (text: string) => void }) {
  const [page, { refetch }] = createResource(
    () => props.sessionId,
    (sessionId) => api.files.list({ sessionId, limit: 100 }),
  );
  const timer = setInterval(() => {
    if (page()?.files.some((f) => f.status === 'processing')) void refetch();
  }, 2_000);
  onCleanup(() => clearInterval(timer));

  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      await refetch();
    } catch (err) {
      props.onError(humanError(err));
    }
  };

  return (
    <section
      class="border-b border-zinc-200 bg-zinc-50 px-4 py-3 text-sm dark:border-zinc-800 dark:bg-zinc-900"
      aria-label={t('files.title')}
      data-testid="session-files"
    >
      <div class="mx-auto max-w-3xl">
        <div class="mb-2 flex items-center justify-between">
          <h2 class="font-semibold">{t('files.title')}</h2>
          <button type="button" class={button} onClick={() => props.onClose()}>
            {t('chat.cancel')}
          </button>
        </div>
        <p class="mb-2 text-xs text-zinc-500">{t('files.hint')}</p>
        <Show when={page.error}>
          <p role="alert" class="text-red-700 dark:text-red-300">
            {humanError(page.error)}
          </p>
        </Show>
        <Show when={page()?.files.length === 0}>
          <p class="text-zinc-500">{t('files.none')}</p>
        </Show>
        <ul class="space-y-1">
          <For each={page()?.files ?? []}>
            {(f) => (
              <li class="flex flex-wrap items-center gap-2" data-testid="session-file" data-status={f.status}>
                <span class="max-w-64 truncate font-medium" title={f.name}>
                  {f.name}
                </span>
                <span class="text-xs text-zinc-500" role="status">
                  {state(f)}
                </span>
                <span class="flex-1" />
                <button type="button" class={button} onClick={() => void act(() => api.files.attach(f.id, null))}>
                  {t('files.detach')}
                </button>
                <button
                  type="button"
                  class={button}
                  aria-label={t('files.delete', { name: f.name })}
                  onClick={() => void act(() => api.files.delete(f.id))}
                >
                  {t('files.deleteShort')}
                </button>
              </li>
            )}
          </For>
        </ul>
      </div>
    </section>
  );
}
