// The sidebar's search: a debounced box over the SDK's full-text search, results with highlighted snippets, paged.
import type { SearchResult } from '@chatbot/shared';
import { createSignal, lazy, onCleanup, Show, Suspense } from 'solid-js';
import { api } from '../lib/api';
import { humanError } from '../lib/errors';
import { t, withWords } from '../lib/i18n';

/** Waits this long after the last keystroke: one request per pause, not one per letter. */
export const SEARCH_DEBOUNCE_MS = 250;
const PAGE = 20;

// The results panel loads with the first search, not with the page.
const SearchResults = lazy(
  withWords(() => import('./search-results').then((m) => ({ default: m.SearchResults })), 'panels'),
);

export interface SearchBoxProps {
  /** Called with the chosen result: the page opens its session and shows the message. */
  onPick: (result: SearchResult) => void;
  /** Replaces the SDK call (tests). */
  search?: typeof api.search;
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
        <Suspense fallback={<p class="px-3 py-2 text-sm text-zinc-500">{t('search.searching')}</p>}>
          <SearchResults
            results={results()}
            total={total()}
            busy={busy()}
            error={error()}
            searched={searched()}
            onPick={props.onPick}
            onMore={() => void run(query().trim(), results().length)}
          />
        </Suspense>
      </Show>
    </div>
  );
}
