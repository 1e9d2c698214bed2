// Splitting a search snippet at its highlights: kept apart from the zod schemas so a browser bundle can use it alone.

/** A highlighted part of a snippet: `snippet.slice(start, end)` matched the query (UTF-16 offsets). */
export interface HighlightRange {
  start: number;
  end: number;
}

/** Splits a snippet into plain-text parts, marking the highlighted ones (for rendering as text nodes). */
export function splitHighlights(
  snippet: string,
  highlights: readonly HighlightRange[],
): { text: string; highlighted: boolean }[] {
  const parts: { text: string; highlighted: boolean }[] = [];
  let at = 0;
  for (const h of [...highlights].sort((a, b) => a.start - b.start)) {
    const start = Math.max(h.start, at);
    const end = Math.min(h.end, snippet.length);
    if (end <= start) continue;
    if (start > at) parts.push({ text: snippet.slice(at, start), highlighted: false });
    parts.push({ text: snippet.slice(start, end), highlighted: true });
    at = end;
  }
  if (at < snippet.length) parts.push({ text: snippet.slice(at), highlighted: false });
  return parts;
}
