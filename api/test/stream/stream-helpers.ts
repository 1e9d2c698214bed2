// Helpers for the streaming tests: a real port (HTTP + WebSocket), users and sessions, an SSE reader and a WebSocket client.
import { type SseEvent, sseEventSchema, type WsServerMessage, wsServerMessageSchema } from '@chatbot/shared';
import { WebSocket } from 'ws';
import type { AppInstance } from '../../src/app.js';
import { startServer } from '../../src/server.js';

export interface Served {
  baseUrl: string;
  wsUrl: string;
  close(): Promise<void>;
}

/** Serves an app on 127.0.0.1 (port 0) with a `ws` server for upgrades, as main.ts does. */
export async function serveApp(instance: AppInstance): Promise<Served> {
  const running = await startServer(instance.app.fetch, { port: 0, host: '127.0.0.1' });
  return { baseUrl: running.url, wsUrl: running.url.replace(/^http/, 'ws'), close: running.close };
}

export async function createSession(instance: AppInstance, userId: number, title = 'Test'): Promise<number> {
  const res = await instance.ctx.database.pool.query<{ id: number }>(
    'insert into chat_sessions (user_id, title) values ($1, $2) returning id',
    [userId, title],
  );
  return res.rows[0]!.id;
}

export async function messageRows(instance: AppInstance, sessionId: number) {
  const res = await instance.ctx.database.pool.query<{ id: number; role: string; content: string; status: string }>(
    'select id, role, content, status from messages where session_id = $1 order by id',
    [sessionId],
  );
  return res.rows;
}

/** Waits until `check` returns a truthy value (polling), or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T> | T, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Reads an SSE response event by event (validated with the shared schema), as they arrive. */
export class SseReader {
  private buffer = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  /** Comment lines seen (heartbeats). */
  comments = 0;
  /** When (performance.now()) the bytes that completed the last event returned arrived. */
  lastAt = 0;
  private bufferAt = 0;

  constructor(readonly res: Response) {
    if (!res.body) throw new Error('no body');
    this.reader = res.body.getReader();
  }

  /** The next event, or undefined at the end of the stream. */
  async next(): Promise<SseEvent | undefined> {
    for (;;) {
      const cut = this.buffer.indexOf('\n\n');
      if (cut >= 0) {
        const block = this.buffer.slice(0, cut);
        this.buffer = this.buffer.slice(cut + 2);
        const fields: Record<string, string> = {};
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) {
            this.comments++;
            continue;
          }
          const i = line.indexOf(':');
          const key = i < 0 ? line : line.slice(0, i);
          const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
          if (key === 'data') data.push(value);
          else fields[key] = value;
        }
        if (!fields.event && data.length === 0) continue;
        this.lastAt = this.bufferAt;
        return sseEventSchema.parse({ event: fields.event, id: Number(fields.id), data: JSON.parse(data.join('\n')) });
      }
      const { value, done } = await this.reader.read();
      if (done) return undefined;
      this.bufferAt = performance.now();
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  /** Every remaining event until the stream ends. */
  async rest(): Promise<SseEvent[]> {
    const out: SseEvent[] = [];
    for (let ev = await this.next(); ev; ev = await this.next()) out.push(ev);
    return out;
  }

  async cancel() {
    await this.reader.cancel().catch(() => {});
  }
}

/** An event as readSseEvents gives it: loosely typed data (each test asserts its fields) and its arrival time. */
export interface TimedSseEvent {
  event: string;
  id: number;
  // biome-ignore lint/suspicious/noExplicitAny: each event's fields are asserted by the tests
  data: any;
  at: number;
}

/** Every event of an SSE response until `stopWhen` (default: done or error), each stamped with its arrival. */
export async function readSseEvents(
  res: Response,
  stopWhen: (e: TimedSseEvent) => boolean = (e) => e.event === 'done' || e.event === 'error',
): Promise<TimedSseEvent[]> {
  const reader = new SseReader(res);
  const events: TimedSseEvent[] = [];
  try {
    for (let ev = await reader.next(); ev; ev = await reader.next()) {
      const e: TimedSseEvent = { event: ev.event, id: ev.id, data: ev.data, at: reader.lastAt };
      events.push(e);
      if (stopWhen(e)) break;
    }
  } finally {
    await reader.cancel();
  }
  return events;
}

export async function postStream(
  baseUrl: string,
  sessionId: number,
  token: string,
  content: string,
  signal?: AbortSignal,
) {
  return fetch(`${baseUrl}/api/chat/sessions/${sessionId}/messages/stream`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ content }),
    signal,
  });
}

/** A `ws` client that queues what the server sends (validated with the shared schema). */
export class WsClient {
  private readonly queue: WsServerMessage[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.queue.push(wsServerMessageSchema.parse(JSON.parse(String(data))));
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.wake();
    });
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new WsClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) =>
        reject(Object.assign(new Error('refused'), { status: res.statusCode })),
      );
      ws.once('error', reject);
    });
  }

  /** Status code of a refused upgrade. */
  static async refusal(url: string, headers: Record<string, string> = {}): Promise<number> {
    try {
      const c = await WsClient.open(url, headers);
      c.ws.close();
      return 101;
    } catch (err) {
      return (err as { status?: number }).status ?? 0;
    }
  }

  send(msg: unknown) {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** The next message from the server. */
  async next(timeoutMs = 5_000): Promise<WsServerMessage> {
    const end = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (this.closed) throw new Error(`socket closed (${this.closed.code})`);
      const left = end - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a WebSocket message');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, left);
      });
    }
    return this.queue.shift()!;
  }

  /** Messages until (and including) a `done` or `error`. */
  async untilEnd(timeoutMs = 10_000): Promise<WsServerMessage[]> {
    const out: WsServerMessage[] = [];
    for (;;) {
      const m = await this.next(timeoutMs);
      out.push(m);
      if (m.type === 'done' || m.type === 'error') return out;
    }
  }

  close() {
    this.ws.close();
  }
}
