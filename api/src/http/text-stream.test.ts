// textStreamResponse on both paths: straight to the socket under startServer, through the web stream otherwise.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
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

/** The raw bytes of one HTTP/1.1 exchange (the server closes after it: `connection: close`). */
function rawExchange(url: string, method: string, path: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (b) => chunks.push(b));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

/** Decodes a chunked body strictly: every size line must match its data's UTF-8 byte length, and 0 ends it. */
function dechunk(body: string): string[] {
  const bytes = Buffer.from(body, 'utf8');
  const out: string[] = [];
  let at = 0;
  for (;;) {
    const eol = bytes.indexOf('\r\n', at);
    const size = Number.parseInt(bytes.subarray(at, eol).toString('latin1'), 16);
    expect(Number.isNaN(size)).toBe(false);
    if (size === 0) {
      expect(bytes.subarray(eol).toString('latin1')).toBe('\r\n\r\n');
      return out;
    }
    out.push(bytes.subarray(eol + 2, eol + 2 + size).toString('utf8'));
    expect(bytes.subarray(eol + 2 + size, eol + 4 + size).toString('latin1')).toBe('\r\n');
    at = eol + 4 + size;
  }
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

  it('frames every write as one valid HTTP chunk on the wire, multi-byte text included, and ends with the 0 chunk', async () => {
    const words = ['xin chào\n', 'Mật khẩu ✓\n', 'end\n'];
    const app = new Hono();
    app.get('/s', () =>
      textStreamResponse(
        async (sink) => {
          for (const w of words) {
            await sink.write(w);
            await new Promise((r) => setTimeout(r, 5));
          }
          sink.end();
        },
        { headers: { 'content-type': 'text/plain' } },
      ),
    );
    running = await startServer(app.fetch, { port: 0, host: '127.0.0.1' });
    const raw = await rawExchange(running.url, 'GET', '/s');
    const [head, body] = [raw.slice(0, raw.indexOf('\r\n\r\n')), raw.slice(raw.indexOf('\r\n\r\n') + 4)];
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(head.toLowerCase()).toContain('transfer-encoding: chunked');
    expect(dechunk(body)).toEqual(words);
  });

  it('sends no body bytes for HEAD, whatever the producer writes', async () => {
    running = await startServer(appWith(lines(3, { closed: 0 })).fetch, { port: 0, host: '127.0.0.1' });
    const raw = await rawExchange(running.url, 'HEAD', '/s');
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
    expect(raw).not.toContain('line 0');
  });
});
