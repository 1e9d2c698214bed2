// Search: turns the database's marked headlines into plain-text snippets with highlight ranges.
import type { SearchHighlight, SearchResponse } from '@chatbot/shared';
import type { AppContext } from '../../context.js';
import { ANGLE_CLOSE, ANGLE_OPEN, createSearchRepo, MARK_END, MARK_START } from './search.repo.js';

export interface SearchService {
  search(userId: number, q: { q: string; limit: number; offset: number }): Promise<SearchResponse>;
}

/**
 * Removes the match markers from a headline and returns where they were, as offsets into the plain text.
 * Runs of whitespace (newlines of a long message) become one space, so a snippet reads as one line;
 * the stand-ins for '<' and '>' become those characters again.
 */
export function parseHeadline(headline: string): { snippet: string; highlights: SearchHighlight[] } {
  let snippet = '';
  const highlights: SearchHighlight[] = [];
  let openAt = -1;
  let pendingSpace = false;
  for (const ch of headline) {
    if (ch === MARK_START) {
      if (pendingSpace && snippet) snippet += ' ';
      pendingSpace = false;
      openAt = snippet.length;
    } else if (ch === MARK_END) {
      if (openAt >= 0 && snippet.length > openAt) {
        const last = highlights[highlights.length - 1];
        // Adjacent marks ("a" "b" of a phrase with nothing between) read better as one.
        if (last && last.end === openAt) last.end = snippet.length;
        else highlights.push({ start: openAt, end: snippet.length });
      }
      openAt = -1;
    } else if (/\s/.test(ch)) {
      pendingSpace = true;
    } else {
      if (pendingSpace && snippet) snippet += ' ';
      pendingSpace = false;
      snippet += ch === ANGLE_OPEN ? '<' : ch === ANGLE_CLOSE ? '>' : ch;
    }
  }
  return { snippet, highlights };
}

/**
 * Highlights for a file name: PostgreSQL's parser keeps "q3-forecast_final.md" as one token, so its headline marks
 * nothing; each word of the query is found in the name instead (case-insensitive; "-word" exclusions skipped).
 */
export function fileNameHighlights(name: string, q: string): { start: number; end: number }[] {
  const lower = name.toLowerCase();
  const words = q
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w && !w.startsWith('-') && w !== 'or')
    .map((w) => w.replace(/^["']+|["']+$/g, ''))
    .filter(Boolean);
  const found: { start: number; end: number }[] = [];
  for (const w of words) {
    for (let i = lower.indexOf(w); i >= 0; i = lower.indexOf(w, i + w.length))
      found.push({ start: i, end: i + w.length });
  }
  found.sort((a, b) => a.start - b.start);
  // Overlapping or touching ranges become one.
  const merged: { start: number; end: number }[] = [];
  for (const r of found) {
    const last = merged.at(-1);
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  return merged;
}

export function createSearchService(ctx: AppContext): SearchService {
  const repo = createSearchRepo(ctx.db);
  return {
    async search(userId, { q, limit, offset }) {
      const { rows, total } = await repo.search(userId, q, limit, offset);
      return {
        total,
        results: rows.map((r) => {
          const text = parseHeadline(r.headline);
          return {
            sessionId: r.sessionId,
            sessionTitle: r.sessionTitle,
            messageId: r.messageId,
            role: r.role,
            fileId: r.fileId,
            snippet: text.snippet,
            highlights: r.fileId === null ? text.highlights : fileNameHighlights(text.snippet, q),
            createdAt: r.createdAt,
            rank: r.rank,
          };
        }),
      };
    },
  };
}
