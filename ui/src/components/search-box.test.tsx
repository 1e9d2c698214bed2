// The sidebar search: debounced, highlighted snippets as text (never HTML), paging, and picking a result.
import type { SearchResponse, SearchResult } from '@chatbot/shared';
import { fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { describe, expect, it, vi } from 'vitest';
import { SEARCH_DEBOUNCE_MS, SearchBox } from './search-box';

function result(n: number, snippet = `about postgres number ${n}`): SearchResult {
  const at = snippet.indexOf('postgres');
  return {
    sessionId: 100 + n,
    sessionTitle: `Session ${n}`,
    messageId: 1000 + n,
    role: 'assistant',
    snippet,
    highlights: at >= 0 ? [{ start: at, end: at + 'postgres'.length }] : [],
    createdAt: '2026-01-01T00:00:00Z',
    rank: 1 / n,
  };
}

const type = (value: string) => fireEvent.input(screen.getByLabelText('Search conversations'), { target: { value } });

describe('SearchBox', () => {
  it('waits for a pause in typing, then searches once for the whole query', async () => {
    const search = vi.fn(async (_q: string): Promise<SearchResponse> => ({ results: [result(1)], total: 1 }));
    render(() => <SearchBox onPick={() => {}} search={search} />);
    type('p');
    type('po');
    type('postgres');
    expect(search).not.toHaveBeenCalled();
    await waitFor(() => expect(search).toHaveBeenCalledTimes(1), { timeout: SEARCH_DEBOUNCE_MS * 8 });
    expect(search.mock.calls[0]?.[0]).toBe('postgres');
    await screen.findByTestId('search-result');
  });

  it('marks the matched words and renders markup in a snippet as plain text', async () => {
    const snippet = '<img src=x onerror=alert(1)> use postgres here';
    const search = vi.fn(async (): Promise<SearchResponse> => ({ results: [result(1, snippet)], total: 1 }));
    render(() => <SearchBox onPick={() => {}} search={search} />);
    type('postgres');
    const row = await screen.findByTestId('search-result', {}, { timeout: 2000 });
    expect(row.querySelector('mark')?.textContent).toBe('postgres');
    expect(row.querySelector('img')).toBeNull();
    expect(row.textContent).toContain('<img src=x onerror=alert(1)>');
  });

  it('loads the next page on "More results" and hands the picked result to the page', async () => {
    const search = vi.fn(
      async (_q: string, page: { offset?: number } = {}): Promise<SearchResponse> => ({
        results: page.offset ? [result(3)] : [result(1), result(2)],
        total: 3,
      }),
    );
    const onPick = vi.fn();
    render(() => <SearchBox onPick={onPick} search={search} />);
    type('postgres');
    fireEvent.click(await screen.findByRole('button', { name: 'More results' }, { timeout: 2000 }));
    await waitFor(() => expect(screen.getAllByTestId('search-result')).toHaveLength(3));
    expect(search.mock.calls[1]?.[1]).toEqual({ limit: 20, offset: 2 });
    expect(screen.queryByRole('button', { name: 'More results' })).toBeNull();
    fireEvent.click(screen.getAllByTestId('search-result')[2] as HTMLElement);
    expect(onPick).toHaveBeenCalledWith(expect.objectContaining({ sessionId: 103, messageId: 1003 }));
  });

  it('says so when nothing matches, and shows a failure in plain words', async () => {
    let fail = false;
    const search = vi.fn(async (): Promise<SearchResponse> => {
      if (fail) throw Object.assign(new Error('x'), { code: 'SERVICE_UNAVAILABLE', status: 0 });
      return { results: [], total: 0 };
    });
    render(() => <SearchBox onPick={() => {}} search={search} />);
    type('nothing');
    await screen.findByText('Nothing found.', {}, { timeout: 2000 });
    fail = true;
    type('other');
    const alert = await screen.findByRole('alert', {}, { timeout: 2000 });
    expect(alert.textContent).toBe('Cannot reach the server. Check your connection and try again.');
  });
});
