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
