// A session's title derived from its first message: the first line, whitespace collapsed, cut at a word boundary.
import { DEFAULT_SESSION_TITLE } from '@chatbot/shared';

export const TITLE_MAX_CHARS = 60;

/** At most TITLE_MAX_CHARS characters (the "…" included); the default title when nothing usable is left. */
export function deriveTitle(content: string, max = TITLE_MAX_CHARS): string {
  const firstLine = content.split(/\r?\n/).find((line) => line.trim() !== '') ?? '';
  const collapsed = firstLine.replace(/\s+/g, ' ').trim();
  if (!collapsed) return DEFAULT_SESSION_TITLE;
  const chars = Array.from(collapsed); // by code point, so an emoji is never cut in half
  if (chars.length <= max) return collapsed;
  const room = chars.slice(0, max - 1).join('');
  const lastSpace = room.lastIndexOf(' ');
  // A word boundary, unless it would leave too little (one very long word): then cut the word.
  const wordEndsAtCut = chars[max - 1] === ' ';
  const cut = wordEndsAtCut ? room : lastSpace >= Math.floor(max / 3) ? room.slice(0, lastSpace) : room;
  return `${cut.replace(/[\s.,;:!?-]+$/, '')}…`;
}
