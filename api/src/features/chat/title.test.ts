// Session titles derived from the first message.
import { describe, expect, it } from 'vitest';
import { deriveTitle } from './title.js';

describe('deriveTitle', () => {
  it('takes the first non-empty line with whitespace collapsed', () => {
    expect(deriveTitle('\n\n  Plan   a\ttrip \nsecond line')).toBe('Plan a trip');
  });

  it('keeps a short line whole', () => {
    expect(deriveTitle('What is the capital of France?')).toBe('What is the capital of France?');
  });

  it('cuts a long line at a word boundary within 60 characters and adds an ellipsis', () => {
    const title = deriveTitle(
      'Please explain the difference between processes and threads in operating systems with examples',
    );
    expect(title).toBe('Please explain the difference between processes and threads…');
    expect(Array.from(title).length).toBeLessThanOrEqual(60);
  });

  it('keeps a word that ends exactly at the limit', () => {
    expect(deriveTitle(`${'abcd '.repeat(11)}abcd more words`)).toBe(`${'abcd '.repeat(11)}abcd…`);
  });

  it('cuts one very long word rather than leaving almost nothing', () => {
    const title = deriveTitle(`a ${'x'.repeat(100)}`);
    expect(Array.from(title).length).toBe(60);
    expect(title.endsWith('…')).toBe(true);
  });

  it('never splits an emoji', () => {
    const title = deriveTitle('😀'.repeat(80));
    expect(title).toBe(`${'😀'.repeat(59)}…`);
  });

  it('falls back to the default title when nothing is left', () => {
    expect(deriveTitle('   \n\t ')).toBe('New Conversation');
  });
});
