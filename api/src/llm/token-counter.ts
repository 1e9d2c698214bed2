// Token counting that works offline: js-tiktoken with its bundled cl100k_base ranks (no tokenizer download at run time).
import type { MessageContent } from '@langchain/core/messages';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';

/**
 * Built on first use: parsing the ranks takes ~0.5 s of CPU we do not want at import time.
 * cl100k_base rather than GPT-4o's o200k_base: counts differ by a few percent, which a budget tolerates,
 * and o200k_base takes over three times as long to load.
 */
let encoder: Tiktoken | undefined;

function getEncoder(): Tiktoken {
  encoder ??= new Tiktoken(cl100kBase);
  return encoder;
}

/** The text of a LangChain message content (a string, or the text parts of an array). */
export function contentToText(content: MessageContent): string {
  if (typeof content === 'string') return content;
  return content
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part && typeof part === 'object' && 'text' in part && typeof part.text === 'string') return part.text;
      return '';
    })
    .join('');
}

/**
 * js-tiktoken's BPE merge costs the square of a word's length in bytes: 10,000 characters without a space took
 * ~50 s, and 24-character CJK runs still cost ~1 ms each. Words longer than this many UTF-8 bytes are
 * estimated instead of encoded, which bounds a 10,000-character message to tens of milliseconds.
 */
const LONG_WORD_BYTES = 24;

/**
 * A generous estimate for a long run without spaces (base64, URLs, "aaaa…", CJK or emoji strings): three ASCII
 * characters a token, two UTF-8 bytes a token otherwise. Counting high keeps the prompt inside the budget.
 */
function estimateLongWord(word: string): number {
  let ascii = 0;
  let otherBytes = 0;
  for (const ch of word) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) ascii++;
    else otherBytes += cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return Math.ceil(ascii / 3) + Math.ceil(otherBytes / 2);
}

/** Tokens in a text: exact for GPT-4-class encodings (a close estimate for other models), which a budget needs. */
export function countTokens(text: string): number {
  if (!text) return 0;
  const enc = getEncoder();
  let total = 0;
  let last = 0;
  // Ordinary stretches are encoded whole (a word's leading space merges into its token); long words are estimated.
  for (const m of text.matchAll(/\S+/g)) {
    const word = m[0];
    if (word.length * 3 <= LONG_WORD_BYTES || Buffer.byteLength(word) <= LONG_WORD_BYTES) continue;
    if (m.index > last) total += enc.encode(text.slice(last, m.index)).length;
    total += estimateLongWord(word);
    last = m.index + word.length;
  }
  if (last < text.length) total += enc.encode(text.slice(last)).length;
  return total;
}

/** OpenAI's per-message framing overhead (role + separators), as in their cookbook. */
export const TOKENS_PER_MESSAGE = 3;
/** Every reply is primed with a few tokens. */
export const TOKENS_PER_REPLY = 3;

/** Tokens one chat message costs in a prompt: its text plus the framing. */
export function countMessageTokens(content: MessageContent): number {
  return countTokens(contentToText(content)) + TOKENS_PER_MESSAGE + 1;
}

/**
 * The most characters a token is taken to hold when a text is too long to count whole: ordinary text runs about
 * four, so a text longer than this many characters per token of room is over it (or so compressible that counting
 * it as over is the safe side).
 */
export const CHARS_PER_TOKEN_MAX = 6;

/**
 * Tokens of a message when at most `room` tokens are left: exact (as countMessageTokens) when the text could fit,
 * else the count of only its first `room × CHARS_PER_TOKEN_MAX` characters, at least `room + 1`. A megabyte row is
 * never tokenised whole on the main thread to learn that it does not fit.
 */
export function countMessageTokensWithin(content: string, room: number): number {
  const limit = Math.max(0, room) * CHARS_PER_TOKEN_MAX;
  if (content.length <= limit) return countMessageTokens(content);
  return Math.max(countMessageTokens(content.slice(0, limit)), Math.max(0, room) + 1);
}

/**
 * The longest start of `text` (cut between words where it can) of at most `maxTokens` tokens, counted as
 * countTokens counts; work bounded by `maxTokens`, not by the text's length.
 */
export function cutToTokens(text: string, maxTokens: number): string {
  if (maxTokens <= 0) return '';
  const head = text.slice(0, maxTokens * CHARS_PER_TOKEN_MAX);
  let used = 0;
  let end = 0;
  for (const m of head.matchAll(/\s*\S+/g)) {
    const piece = m[0];
    const cost = countTokens(piece);
    if (used + cost <= maxTokens) {
      used += cost;
      end = m.index + piece.length;
      continue;
    }
    // A word longer than what is left: its start, shortened until it fits.
    let len = Math.floor((piece.length * (maxTokens - used)) / cost);
    while (len > 0 && countTokens(piece.slice(0, len)) > maxTokens - used) len = Math.floor(len * 0.8);
    end = m.index + len;
    break;
  }
  return text.slice(0, end);
}
