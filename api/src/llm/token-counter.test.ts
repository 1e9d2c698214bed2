// Offline token counting: right for ordinary text, fast for pathological input.
import { describe, expect, it } from 'vitest';
import { contentToText, countMessageTokens, countTokens } from './token-counter.js';

describe('token counter', () => {
  it('counts tokens with the bundled cl100k_base ranks', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('hello world')).toBe(2);
    expect(countTokens('The quick brown fox jumps over the lazy dog.')).toBe(10);
  });

  it('adds the per-message framing to a message', () => {
    expect(countMessageTokens('hello world')).toBe(2 + 4);
  });

  it('reads the text parts of array content', () => {
    expect(
      contentToText([
        { type: 'text', text: 'a' },
        { type: 'image_url', image_url: { url: 'https://example.com/x.png' } },
        { type: 'text', text: 'b' },
      ]),
    ).toBe('ab');
  });

  it('counts a 10,000-character word quickly and generously instead of spending seconds on it', () => {
    for (const text of ['y'.repeat(10_000), '😀'.repeat(5_000), `${'漢'.repeat(10)} `.repeat(900)]) {
      const started = performance.now();
      const n = countTokens(text);
      expect(performance.now() - started).toBeLessThan(2_000);
      // Never fewer than the real BPE would give for these (≥ 1 token per 4 ASCII characters).
      expect(n).toBeGreaterThanOrEqual(Math.ceil(text.length / 4));
    }
  });
});
