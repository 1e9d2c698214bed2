import { describe, expect, it } from 'vitest';
import { parseSse, type RawSseEvent } from './sse.js';

function streamOf(parts: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const p of parts) controller.enqueue(typeof p === 'string' ? enc.encode(p) : p);
      controller.close();
    },
  });
}

async function collect(parts: (string | Uint8Array)[]): Promise<RawSseEvent[]> {
  const out: RawSseEvent[] = [];
  for await (const ev of parseSse(streamOf(parts))) out.push(ev);
  return out;
}

const SAMPLE =
  ': heartbeat\n\nevent: message\nid: 0\ndata: {"a":1}\n\nevent: chunk\nid: 1\ndata: line one\ndata: line two\n\n' +
  'event: done\nid: 2\ndata:{"b":2}\n\n';
const EXPECTED: RawSseEvent[] = [
  { event: 'message', id: '0', data: '{"a":1}' },
  { event: 'chunk', id: '1', data: 'line one\nline two' },
  { event: 'done', id: '2', data: '{"b":2}' },
];

describe('parseSse', () => {
  it('reads events, joins multi-line data and skips comments', async () => {
    expect(await collect([SAMPLE])).toEqual(EXPECTED);
  });

  it('accepts CRLF and lone CR line endings alike', async () => {
    expect(await collect([SAMPLE.replace(/\n/g, '\r\n')])).toEqual(EXPECTED);
    expect(await collect([SAMPLE.replace(/\n/g, '\r')])).toEqual(EXPECTED);
  });

  it('gives the same events whatever the byte boundaries (CRLF and multi-byte letters split across reads)', async () => {
    const text = `${SAMPLE.replace(/\n/g, '\r\n')}event: chunk\r\nid: 3\r\ndata: Xin chào thế giới 👋\r\n\r\n`;
    const bytes = new TextEncoder().encode(text);
    const whole = await collect([bytes]);
    expect(whole.at(-1)).toEqual({ event: 'chunk', id: '3', data: 'Xin chào thế giới 👋' });
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await collect([bytes.slice(0, cut), bytes.slice(cut)])).toEqual(whole);
    }
    expect(await collect([...bytes].map((b) => new Uint8Array([b])))).toEqual(whole);
  });

  it('keeps the last id for events without one, defaults the type to message, and strips a BOM', async () => {
    const events = await collect(['\uFEFFid: 7\ndata: a\n\ndata: b\n\n']);
    expect(events).toEqual([
      { event: 'message', id: '7', data: 'a' },
      { event: 'message', id: '7', data: 'b' },
    ]);
  });

  it('removes only one leading space after the colon and ignores unknown fields and retry', async () => {
    const events = await collect(['retry: 1000\nfoo: bar\ndata:  two spaces\ndata\n\n']);
    expect(events).toEqual([{ event: 'message', id: '', data: ' two spaces\n' }]);
  });

  it('dispatches nothing for an event without data or one the stream cut off', async () => {
    expect(await collect(['event: chunk\nid: 1\n\n', 'event: done\ndata: {}\n'])).toEqual([]);
  });

  it('stops reading the body when the consumer stops early', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: 1\n\ndata: 2\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const ev of parseSse(body)) {
      expect(ev.data).toBe('1');
      break;
    }
    expect(cancelled).toBe(true);
  });
});
