// textStreamResponse on both paths: straight to the socket under startServer, through the web stream otherwise.
import { request as httpRequest } from 'node:http';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../server.js';
import { type TextSink, textStreamResponse } from './text-stream.js';

/** A producer that writes `n` lines, a tick apart, and records when its sink closed. */
function lines(n: number, seen: { closed: number; sink?: TextSink }) {
  return async (sink: TextSink) => {
    seen.sink = sink;
    sink.onClose(() => {
      seen.closed++;
    });
    for (let i = 0; i < n; i++) {
      await sink.write(`line ${i}\n`);
      await new Promise((r) => setTimeout(r, 5));
    }
    sink.end();
  };
}

function appWith(produce: (sink: TextSink) => Promise<void>) {
  const app = new Hono();
  // A middleware that decorates the response after the handler, as request-context and secureHeaders do.
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('x-after', 'set-after-handler');
  });
  app.get('/s', () => textStreamResponse(produce, { headers: { 'content-type': 'text/plain', 'x-mine': '1' } }));
  return app;
}

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('textStreamResponse', () => {
  it('streams through the web body when not served by startServer (app.request)', async () => {
    const seen = { closed: 0 };
    const res = await appWith(lines(3, seen)).request('/s');
    expect(res.headers.get('x-mine')).toBe('1');
    expect(res.headers.get('x-after')).toBe('set-after-handler');
    expect(await res.text()).toBe('line 0\nline 1\nline 2\n');
    expect(seen.closed).toBe(1);
  });

  it('starts the producer only when read, and tells it when the reader cancels', async () => {
    const seen: { closed: number; sink?: TextSink } = { closed: 0 };
    const res = await appWith(lines(1000, seen)).request('/s');
    expect(seen.sink).toBeUndefined();
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('line 0\n');
    await reader.cancel();
    expect(seen.closed).toBe(1);
    // Writes after the reader left are dropped, not thrown.
    expect(() => seen.sink!.write('late\n')).not.toThrow();
  });

  it('writes to the socket under startServer, with the headers every middleware set', async () => {
    const seen = { closed: 0 };
    running = await startServer(appWith(lines(3, seen)).fetch, { port: 0, host: '127.0.0.1' });
    const res = await fetch(`${running.url}/s`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-mine')).toBe('1');
    expect(res.headers.get('x-after')).toBe('set-after-handler');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(await res.text()).toBe('line 0\nline 1\nline 2\n');
    await expect.poll(() => seen.closed).toBe(1);
  });

  it('tells the producer when the client goes away mid-stream, and drops later writes', async () => {
    const seen: { closed: number; sink?: TextSink } = { closed: 0 };
    running = await startServer(appWith(lines(1000, seen)).fetch, { port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${running!.url}/s`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
      req.end();
    });
    await expect.poll(() => seen.closed).toBe(1);
    expect(seen.sink!.write('late\n')).toBeUndefined();
  });
});
