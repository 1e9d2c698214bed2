// The search's results panel (loaded with the first search): each hit's session and snippet with the matches
// marked, "no results", errors, and "more" for the next page.
import { type SearchResult, splitHighlights } from '@chatbot/shared';
import { For, Show } from 'solid-js';
import { t } from '../lib/i18n';

/** The snippet as text nodes with <mark> around the matches: never parsed as HTML. */
export function Snippet(props: { text: string; highlights: SearchResult['highlights'] }) {
  return (
    <For each={splitHighlights(props.text, props.highlights)}>
      {(part) =>
        part.highlighted ? <mark class="rounded bg-amber-200 px-0.5 dark:bg-amber-700">{part.text}</mark> : part.text
      }
    </For>
  );
}

export function SearchResults(props: {
  results: SearchResult[];
  total: number;
  busy: boolean;
  error: string | undefined;
  searched: boolean;
  onPick: (result: SearchResult) => void;
  onMore: () => void;
}) {
  return (
    <div class="mt-2 max-h-80 overflow-y-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <Show when={props.error}>
        <p class="px-3 py-2 text-sm text-red-700 dark:text-red-300" role="alert">
          {props.error}
        </p>
      </Show>
      <Show when={props.searched && !props.busy && props.results.length === 0 && !props.error}>
        <p class="px-3 py-2 text-sm text-zinc-500">{t('search.none')}</p>
      </Show>
      <ul aria-label={t('search.results')} data-testid="search-results">
        <For each={props.results}>
          {(r) => (
            <li>
              <button
                type="button"
                class="block w-full px-3 py-2 text-left hover:bg-zinc-100 dark:hover:bg-zinc-800"
                data-testid="search-result"
                onClick={() => props.onPick(r)}
              >
                <span class="block truncate text-xs font-semibold text-zinc-600 dark:text-zinc-400">
                  {r.sessionTitle}
                  <Show when={r.messageId === null}>
                    {' '}
                    · {r.fileId ? t('search.fileMatch') : t('search.titleMatch')}
                  </Show>
                </span>
                <span class="line-clamp-3 block text-sm break-words">
                  <Snippet text={r.snippet} highlights={r.highlights} />
                </span>
              </button>
            </li>
          )}
        </For>
      </ul>
      <Show when={props.busy}>
        <p class="px-3 py-2 text-sm text-zinc-500" role="status">
          {t('search.searching')}
        </p>
      </Show>
      <Show when={!props.busy && props.results.length < props.total}>
        <button
          type="button"
          class="w-full px-3 py-2 text-sm text-indigo-600 hover:bg-zinc-100 dark:text-indigo-400 dark:hover:bg-zinc-800"
          onClick={() => props.onMore()}
        >
          {t('search.more')}
        </button>
      </Show>
    </div>
  );
}
