// Conversation memory: the prompt is the system prompt plus the newest history that fits the token budget.
import { describe, expect, it } from 'vitest';
import { buildPromptMessages, type HistoryMessage, TRUNCATED_NOTE } from './memory.js';
import { countMessageTokens, TOKENS_PER_REPLY } from './token-counter.js';

const turns = (n: number, words = 20): HistoryMessage[] =>
  Array.from({ length: n * 2 }, (_, i) => ({
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: `${i % 2 === 0 ? 'question' : 'answer'} ${Math.floor(i / 2) + 1}: ${'word '.repeat(words)}`,
  }));

const shape = (r: ReturnType<typeof buildPromptMessages>) =>
  r.messages.map((m) => [m.getType(), typeof m.content === 'string' ? m.content.split(':')[0] : '']);

describe('buildPromptMessages', () => {
  it('puts the system prompt first and keeps the whole history when it fits', () => {
    const history = turns(2);
    history.push({ role: 'user', content: 'question 3: now' });
    const r = buildPromptMessages('Be nice.', history, 10_000);
    expect(r.messages[0]!.getType()).toBe('system');
    expect(r.messages[0]!.content).toBe('Be nice.');
    expect(shape(r).slice(1)).toEqual([
      ['human', 'question 1'],
      ['ai', 'answer 1'],
      ['human', 'question 2'],
      ['ai', 'answer 2'],
      ['human', 'question 3'],
    ]);
    expect(r.dropped).toBe(0);
    expect(r.newestOverBudget).toBe(false);
  });

  it('drops the oldest messages first and stays within the budget', () => {
    const history = turns(10);
    const budget = 200;
    const r = buildPromptMessages('sys', history, budget);
    expect(r.dropped).toBeGreaterThan(0);
    expect(r.tokens).toBeLessThanOrEqual(budget);
    const kept = history.slice(r.dropped);
    expect(r.messages.slice(1).map((m) => m.content)).toEqual(kept.map((m) => m.content));
    const counted = kept.reduce(
      (n, m) => n + countMessageTokens(m.content),
      countMessageTokens('sys') + TOKENS_PER_REPLY,
    );
    expect(r.tokens).toBe(counted);
    // Adding the next older message would have broken the budget (or it was an orphaned answer).
    const older = history[r.dropped - 1]!;
    expect(older.role === 'assistant' || r.tokens + countMessageTokens(older.content) > budget).toBe(true);
  });

  it('never starts the kept history with an answer whose question was dropped', () => {
    const history = [...turns(8), { role: 'user' as const, content: 'question 9: last' }];
    for (let budget = 60; budget < 400; budget += 7) {
      const r = buildPromptMessages('sys', history, budget);
      expect(r.messages[1]?.getType(), `budget ${budget}`).toBe('human');
    }
  });

  it('always keeps the newest message, cut to fit with a note when it alone is over the budget', () => {
    const history: HistoryMessage[] = [
      { role: 'user', content: 'old' },
      { role: 'assistant', content: 'reply' },
      { role: 'user', content: 'word '.repeat(500) },
    ];
    const r = buildPromptMessages('sys', history, 100);
    expect(r.messages).toHaveLength(2);
    const sent = String(r.messages[1]!.content);
    expect(sent.endsWith(TRUNCATED_NOTE)).toBe(true);
    expect(history[2]!.content.startsWith(sent.slice(0, -TRUNCATED_NOTE.length))).toBe(true);
    expect(r.tokens).toBeLessThanOrEqual(100);
    expect(r.newestOverBudget).toBe(true);
    expect(r.dropped).toBe(2);
  });

  it('returns only the system prompt for an empty history', () => {
    const r = buildPromptMessages('sys', [], 1000);
    expect(r.messages).toHaveLength(1);
    expect(r.newestOverBudget).toBe(false);
  });
});
