// An answer's sources under it: every passage (or whole file) its prompt carried, numbered as the answer cites
// them [n], each opening to the quoted text with the file's name and page or section.
import type { MessageSource } from '@chatbot/shared';
import { createEffect, For, Show } from 'solid-js';
import { t } from '../../lib/i18n';

export function Sources(props: { sources: MessageSource[]; open: number | undefined; onToggle: (n: number) => void }) {
  let list: HTMLOListElement | undefined;
  // A citation clicked in the text opens its source and brings it into view.
  createEffect(() => {
    const n = props.open;
    if (n === undefined) return;
    list?.querySelector<HTMLElement>(`[data-source="${n}"]`)?.scrollIntoView({ block: 'nearest' });
  });
  return (
    <section class="mt-3 border-t border-zinc-200 pt-2 text-sm dark:border-zinc-800" aria-label={t('sources.title')}>
      <h3 class="mb-1 text-xs font-semibold text-zinc-500 uppercase">{t('sources.title')}</h3>
      <ol ref={list} class="space-y-1" data-testid="sources">
        <For each={props.sources}>
          {(s) => (
            <li data-source={s.n}>
              <button
                type="button"
                class="flex w-full items-baseline gap-2 rounded px-1 text-left hover:bg-zinc-100 dark:hover:bg-zinc-800"
                aria-expanded={props.open === s.n}
                onClick={() => props.onToggle(s.n)}
              >
                <span class="font-mono text-xs text-indigo-600 dark:text-indigo-400">[{s.n}]</span>
                <span class="truncate font-medium">{s.fileName}</span>
                <span class="shrink-0 text-xs text-zinc-500">
                  <Show when={s.page !== null}>{t('sources.page', { page: s.page ?? 0 })}</Show>
                  <Show when={s.page === null && s.section}>{s.section}</Show>
                </span>
              </button>
              <Show when={props.open === s.n}>
                <blockquote
                  class="mt-1 ml-6 border-l-2 border-indigo-300 pl-3 whitespace-pre-wrap text-zinc-700 dark:border-indigo-700 dark:text-zinc-300"
                  data-testid="source-quote"
                >
                  {s.quote}
                </blockquote>
              </Show>
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
