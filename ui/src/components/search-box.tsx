// The sidebar's search: a debounced box over the SDK's full-text search, results with highlighted snippets, paged.
import { type SearchResult, splitHighlights } from '@chatbot/shared';
import { createSignal, For, onCleanup, Show } from 'solid-js';
import { api } from '../lib/api';
import { humanError } from '../lib/errors';
import { t } from '../lib/i18n';

/** Waits this long after the last keystroke: one request per pause, not one per letter. */
export const SEARCH_DEBOUNCE_MS = 250;
const PAGE = 20;

export interface SearchBoxProps {
  /** Called with the chosen result: the page opens its session and shows the message. */
  onPick: (result: SearchResult) => void;
  /** Replaces the SDK call (tests). */
  search?: typeof api.search;
}

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

export function SearchBox(props: SearchBoxProps) {
  const [query, setQuery] = createSignal('');
  const [results, setResults] = createSignal<SearchResult[]>([]);
  const [total, setTotal] = createSignal(0);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | undefined>(undefined);
  const [searched, setSearched] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let controller: AbortController | undefined;
  const doSearch = () => props.search ?? api.search;

  /** Runs the query from `offset`; a newer query aborts an older one still in flight, so results never interleave. */
  async function run(q: string, offset: number): Promise<void> {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    setBusy(true);
    setError(undefined);
    try {
      const res = await doSearch()(q, { limit: PAGE, offset }, { signal: mine.signal });
      if (mine.signal.aborted) return;
      setResults((prev) => (offset === 0 ? res.results : [...prev, ...res.results]));
      setTotal(res.total);
      setSearched(true);
    } catch (err) {
      if (!mine.signal.aborted) setError(humanError(err));
    } finally {
      if (controller === mine) setBusy(false);
    }
  }

  const onInput = (value: string) => {
    setQuery(value);
    if (timer) clearTimeout(timer);
    const q = value.trim();
    if (!q) {
      controller?.abort();
      setResults([]);
      setTotal(0);
      setSearched(false);
      setBusy(false);
      setError(undefined);
      return;
    }
    timer = setTimeout(() => void run(q, 0), SEARCH_DEBOUNCE_MS);
  };

  onCleanup(() => {
    if (timer) clearTimeout(timer);
    controller?.abort();
  });

  return (
    <div class="px-3 pb-2">
      <label class="sr-only" for="search-input">
        {t('search.label')}
      </label>
      <div class="relative">
        <input
          id="search-input"
          type="search"
          class="w-full rounded-lg border border-zinc-300 bg-white px-3 py-1.5 text-sm outline-none focus:border-indigo-500 dark:border-zinc-700 dark:bg-zinc-800"
          placeholder={t('search.placeholder')}
          value={query()}
          maxLength={200}
          autocomplete="off"
          onInput={(e) => onInput(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && query()) {
              e.stopPropagation();
              onInput('');
            }
          }}
        />
      </div>
      <Show when={query().trim()}>
        <div class="mt-2 max-h-80 overflow-y-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <Show when={error()}>
            <p class="px-3 py-2 text-sm text-red-700 dark:text-red-300" role="alert">
              {error()}
            </p>
          </Show>
          <Show when={searched() && !busy() && results().length === 0 && !error()}>
            <p class="px-3 py-2 text-sm text-zinc-500">{t('search.none')}</p>
          </Show>
          <ul aria-label={t('search.results')} data-testid="search-results">
            <For each={results()}>
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
                      <Show when={r.messageId === null}> · {t('search.titleMatch')}</Show>
                    </span>
                    <span class="line-clamp-3 block text-sm break-words">
                      <Snippet text={r.snippet} highlights={r.highlights} />
                    </span>
                  </button>
                </li>
              )}
            </For>
          </ul>
          <Show when={busy()}>
            <p class="px-3 py-2 text-sm text-zinc-500" role="status">
              {t('search.searching')}
            </p>
          </Show>
          <Show when={!busy() && results().length < total()}>
            <button
              type="button"
              class="w-full px-3 py-2 text-sm text-indigo-600 hover:bg-zinc-100 dark:text-indigo-400 dark:hover:bg-zinc-800"
              onClick={() => void run(query().trim(), results().length)}
            >
              {t('search.more')}
            </button>
          </Show>
        </div>
      </Show>
    </div>
  );
}
