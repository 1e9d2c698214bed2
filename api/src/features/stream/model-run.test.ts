// runAnswer's limits and stop with a scripted model run (unit: no database, no HTTP): the idle limit restarts with
// every output and ends a source that stalls while ignoring its signal, the total limit bounds a steady source, and
// a stop ends the answer at once even while the source is stuck. Each ends with the text so far and the right status.
import { HumanMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../test/stream/fakes.js';
import { type ModelOutput, type ModelRun, runAnswer } from './model-run.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `texts`, each after `gapMs`; then, with `stallForever`, a read that never ends and ignores the signal. */
function scripted(texts: string[], gapMs: number, opts: { stallForever?: boolean; endless?: boolean } = {}) {
  const seen = { returned: false, signals: [] as AbortSignal[] };
  const run: ModelRun = (_call, signal) => {
    seen.signals.push(signal);
    return (async function* (): AsyncGenerator<ModelOutput> {
      try {
        for (let i = 0; opts.endless || i < texts.length; i++) {
          await sleep(gapMs);
          yield { type: 'text', text: texts[i % texts.length]! };
        }
        if (opts.stallForever) await new Promise<never>(() => {});
      } finally {
        seen.returned = true;
      }
    })();
  };
  return { run, seen };
}

function answer(run: ModelRun, limits: { timeoutMs: number; totalTimeoutMs: number }, stop = new AbortController()) {
  const texts: string[] = [];
  const outcome = runAnswer({
    run,
    prompt: async () => [new HumanMessage('hi')],
    call: { mode: 'stream' },
    stop: stop.signal,
    ...limits,
    onText: (t) => texts.push(t),
    log: silentLogger,
  });
  return { outcome, texts, stop };
}

describe('runAnswer', () => {
  it('restarts the idle limit with every output: a source slower in total than the limit completes', async () => {
    const { run } = scripted(['a ', 'b ', 'c ', 'd ', 'e ', 'f '], 40);
    const { outcome, texts } = answer(run, { timeoutMs: 150, totalTimeoutMs: 10_000 });
    expect((await outcome).status).toBe('complete');
    expect(texts.join('')).toBe('a b c d e f ');
  });

  it('ends a source that stalls and ignores its signal once the idle limit passes: error, the text kept', async () => {
    const { run, seen } = scripted(['one ', 'two '], 5, { stallForever: true });
    const { outcome, texts } = answer(run, { timeoutMs: 100, totalTimeoutMs: 10_000 });
    const ended = await outcome;
    expect(ended.status).toBe('error');
    expect(ended.failure?.code).toBe('AI_API_ERROR');
    expect(texts.join('')).toBe('one two ');
    // The signal the source got says why: a timeout, not a stop.
    expect(seen.signals[0]?.aborted).toBe(true);
    expect((seen.signals[0]?.reason as Error | undefined)?.name).toBe('TimeoutError');
  });

  it('bounds a source that keeps sending with the total limit', async () => {
    const { run, seen } = scripted(['x '], 10, { endless: true });
    const { outcome, texts } = answer(run, { timeoutMs: 1_000, totalTimeoutMs: 150 });
    const ended = await outcome;
    expect(ended.status).toBe('error');
    expect(texts.length).toBeGreaterThan(0);
    expect((seen.signals[0]?.reason as Error | undefined)?.message).toContain('took longer than 150 ms');
    await sleep(30);
    expect(seen.returned).toBe(true);
  });

  it('ends at once on a stop while the source is stuck: stopped, the text kept, the stop reason on the signal', async () => {
    const { run, seen } = scripted(['kept '], 5, { stallForever: true });
    const { outcome, texts, stop } = answer(run, { timeoutMs: 60_000, totalTimeoutMs: 60_000 });
    while (texts.length === 0) await sleep(5);
    stop.abort(new Error('stopped by the user'));
    const ended = await outcome;
    expect(ended.status).toBe('stopped');
    expect(texts).toEqual(['kept ']);
    expect((seen.signals[0]?.reason as Error | undefined)?.message).toBe('stopped by the user');
  });

  it('does not read the source when stopped before the call', async () => {
    const { run, seen } = scripted(['never '], 5);
    const stop = new AbortController();
    stop.abort();
    const { outcome, texts } = answer(run, { timeoutMs: 1_000, totalTimeoutMs: 1_000 }, stop);
    expect((await outcome).status).toBe('stopped');
    expect(texts).toEqual([]);
    expect(seen.signals[0]?.aborted).toBe(true);
  });
});
