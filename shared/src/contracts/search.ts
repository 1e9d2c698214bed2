// Full-text search over the user's session titles and message text (GET /api/chat/search).
import { z } from 'zod';
import { messageRoleSchema } from './chat.js';
import { isoDateSchema } from './common.js';

export const SEARCH_QUERY_MAX_LENGTH = 200;
export const SEARCH_LIMIT_MAX = 50;

const intFromQuery = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

export const searchQuerySchema = z.object({
  /** Web-search syntax: words (all must match), "a phrase", `or`, `-excluded`. */
  q: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(SEARCH_QUERY_MAX_LENGTH, `must be at most ${SEARCH_QUERY_MAX_LENGTH} characters`),
  limit: intFromQuery(1, SEARCH_LIMIT_MAX).default(20),
  offset: intFromQuery(0, 10_000).default(0),
});
export type SearchQuery = z.input<typeof searchQuerySchema>;

/**
 * A highlighted part of `snippet`: `snippet.slice(start, end)` matched the query.
 * Offsets count UTF-16 code units (JavaScript string indices), so a client slices the plain text
 * and wraps each part in its own element: the snippet is never HTML.
 */
export const searchHighlightSchema = z.object({
  start: z.number().int().min(0),
  end: z.number().int().min(0),
});
export type SearchHighlight = z.infer<typeof searchHighlightSchema>;

export const searchResultSchema = z.object({
  sessionId: z.number().int(),
  sessionTitle: z.string(),
  /** The matching message; null when the session's title (or one of its files' names) matched. */
  messageId: z.number().int().nullable(),
  /** The message's role; null for a title or file match. */
  role: messageRoleSchema.nullable(),
  /** A file attached to the conversation whose name matched (the snippet is its name); null otherwise. */
  fileId: z.number().int().nullable().optional(),
  /** Plain text around the matches (" … " between fragments of a long message). */
  snippet: z.string(),
  highlights: z.array(searchHighlightSchema),
  /** When the message was written (for a title match: when the session was last updated). */
  createdAt: isoDateSchema,
  /** Higher is better; only meaningful to compare results of one query. */
  rank: z.number(),
});
export type SearchResult = z.infer<typeof searchResultSchema>;

export const searchResponseSchema = z.object({
  results: z.array(searchResultSchema),
  /** Every match of the query, across pages. */
  total: z.number().int(),
});
export type SearchResponse = z.infer<typeof searchResponseSchema>;

// Zod-free, so the browser can split snippets without loading the schemas.
export { splitHighlights } from './search.highlights.js';
