// ChatSocket: one session's WebSocket (send, stop, resume), readable as an async iterator or through listeners.
import type { WsClientMessage, WsServerMessage } from '../contracts/stream.js';
import { ApiError, codeForStatus, networkError } from './errors.js';

export type ChatSocketState = 'connecting' | 'open' | 'closed';

export interface ChatSocketEvents {
  message: WsServerMessage;
  open: undefined;
  close: { code: number; reason: string };
  /** A refused upgrade (status 401/403/404 in Node; 0 in browsers, which hide it), a bad frame, a lost connection. */
  error: ApiError;
}

// Method-style signatures keep handler parameters bivariant, so the DOM's and `ws`'s event types both fit.
type Handler<E> = { bivarianceHack(ev: E): void }['bivarianceHack'];

/** The part of a WebSocket the SDK uses (no DOM types, so it compiles in Node projects too). */
export interface WebSocketLike {
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onerror: Handler<unknown> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** The browser's WebSocket and the `ws` package's both fit. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface ChatSocketOptions {
  url: string;
  WebSocket: WebSocketConstructor;
  signal?: AbortSignal;
  /** Turns a parsed frame into a checked message (contract validation when the client validates). */
  check: (raw: unknown) => Promise<WsServerMessage>;
  onUnauthorized?: (err: ApiError) => void;
}

type Listener<K extends keyof ChatSocketEvents> = (value: ChatSocketEvents[K]) => void;

// What `ws` (Node) adds to a WebSocket: the handshake response of a refused upgrade, with its error body.
interface NodeWsExtras {
  on?(event: 'unexpected-response', fn: (req: unknown, res: NodeIncoming) => void): void;
  terminate?(): void;
}
interface NodeIncoming {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  on(event: 'data', fn: (chunk: Uint8Array) => void): void;
  on(event: 'end', fn: () => void): void;
}

export class ChatSocket implements AsyncIterable<WsServerMessage> {
  #ws: WebSocketLike;
  #state: ChatSocketState = 'connecting';
  #pending: string[] = [];
  #listeners: { [K in keyof ChatSocketEvents]: Set<Listener<K>> } = {
    message: new Set(),
    open: new Set(),
    close: new Set(),
    error: new Set(),
  };
  // Frames are checked asynchronously (the schemas load lazily); this chain keeps them in order.
  #chain: Promise<void> = Promise.resolve();
  #handshakeError: ApiError | undefined;
  #lastSeq = 0;
  readonly opened: Promise<void>;

  constructor(private readonly opts: ChatSocketOptions) {
    this.#ws = new opts.WebSocket(opts.url);
    let resolveOpen!: () => void;
    let rejectOpen!: (err: unknown) => void;
    this.opened = new Promise<void>((res, rej) => {
      resolveOpen = res;
      rejectOpen = rej;
    });
    // Nobody awaiting `opened` must not turn a refused connection into an unhandled rejection.
    this.opened.catch(() => {});

    const extras = this.#ws as unknown as NodeWsExtras;
    if (typeof extras.on === 'function') {
      extras.on('unexpected-response', (_req, res) => {
        const chunks: Uint8Array[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          this.#handshakeError = handshakeError(res.statusCode ?? 0, chunks, res.headers);
          extras.terminate?.();
        });
      });
    }

    this.#ws.onopen = () => {
      this.#state = 'open';
      for (const frame of this.#pending) this.#ws.send(frame);
      this.#pending = [];
      resolveOpen();
      this.#emit('open', undefined);
    };
    this.#ws.onmessage = (ev) => {
      const text = typeof ev.data === 'string' ? ev.data : String(ev.data);
      this.#chain = this.#chain.then(async () => {
        let msg: WsServerMessage;
        try {
          msg = await opts.check(JSON.parse(text));
        } catch (err) {
          this.#emit('error', err instanceof ApiError ? err : new ApiError(0, 'INTERNAL_ERROR', 'Malformed frame'));
          return;
        }
        if (msg.type === 'message') this.#lastSeq = 0;
        if (msg.type === 'chunk') this.#lastSeq = msg.seq;
        this.#emit('message', msg);
      });
    };
    this.#ws.onerror = () => {
      // The close event follows; it reports the error once with the best information available.
    };
    this.#ws.onclose = (ev) => {
      const wasOpen = this.#state === 'open';
      this.#state = 'closed';
      this.#chain = this.#chain.then(() => {
        if (!wasOpen) {
          const err = this.#handshakeError ?? networkError(new Error(`WebSocket closed before opening (${ev.code})`));
          if (err.status === 401) opts.onUnauthorized?.(err);
          rejectOpen(err);
          this.#emit('error', err);
        }
        this.#emit('close', { code: ev.code, reason: ev.reason });
      });
    };

    if (opts.signal) {
      if (opts.signal.aborted) this.close();
      else opts.signal.addEventListener('abort', () => this.close(), { once: true });
    }
  }

  get state(): ChatSocketState {
    return this.#state;
  }

  /** The sequence number of the last chunk received for the current answer: what `resume()` asks after. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Sends a user message; the answer arrives as message, chunk…, done (or error). Queued until the socket opens. */
  send(content: string, fileIds?: number[]): void {
    this.#write({ type: 'message', content, ...(fileIds ? { fileIds } : {}) });
  }

  /** Stops the answer in progress; its text so far is stored as stopped and `done` says so. */
  stop(): void {
    this.#write({ type: 'stop' });
  }

  /** A new answer beside assistant message `messageId`, streamed like a message's answer. */
  regenerate(messageId: number): void {
    this.#write({ type: 'regenerate', messageId });
  }

  /** A new version of user message `messageId` and its answer, streamed. */
  edit(messageId: number, content: string): void {
    this.#write({ type: 'edit', messageId, content });
  }

  /** Replays the answer in progress after chunk `after` (default: the last one received), then follows it live. */
  resume(after: number = this.#lastSeq): void {
    this.#write({ type: 'resume', after });
  }

  close(code = 1000, reason = ''): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'connecting' && typeof (this.#ws as unknown as NodeWsExtras).terminate === 'function') {
      (this.#ws as unknown as NodeWsExtras).terminate!();
      return;
    }
    this.#ws.close(code, reason);
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof ChatSocketEvents>(event: K, fn: Listener<K>): () => void {
    this.#listeners[event].add(fn);
    return () => this.#listeners[event].delete(fn);
  }

  /** Every server message until the socket closes. A refused connection throws its ApiError from the loop. */
  async *[Symbol.asyncIterator](): AsyncIterator<WsServerMessage> {
    const queue: WsServerMessage[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    let failure: ApiError | undefined;
    const offs = [
      this.on('message', (m) => {
        queue.push(m);
        wake?.();
      }),
      this.on('error', (e) => {
        if (this.#state !== 'open') failure ??= e;
      }),
      this.on('close', () => {
        ended = true;
        wake?.();
      }),
    ];
    if (this.#state === 'closed') ended = true;
    try {
      for (;;) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (ended) break;
        await new Promise<void>((r) => {
          wake = r;
        });
        wake = undefined;
      }
      if (failure && !(failure.status === 0 && this.opts.signal?.aborted)) throw failure;
    } finally {
      for (const off of offs) off();
    }
  }

  #write(msg: WsClientMessage): void {
    const frame = JSON.stringify(msg);
    if (this.#state === 'connecting') this.#pending.push(frame);
    else if (this.#state === 'open') this.#ws.send(frame);
    else throw new ApiError(0, 'SERVICE_UNAVAILABLE', 'The connection is closed');
  }

  #emit<K extends keyof ChatSocketEvents>(event: K, value: ChatSocketEvents[K]): void {
    for (const fn of this.#listeners[event]) {
      try {
        fn(value);
      } catch (err) {
        // A listener's bug must not stop the others or the socket: report it where the platform can (browsers).
        (globalThis as { reportError?: (e: unknown) => void }).reportError?.(err);
      }
    }
  }
}

function handshakeError(status: number, chunks: Uint8Array[], headers: NodeIncoming['headers']): ApiError {
  const requestId = typeof headers['x-request-id'] === 'string' ? headers['x-request-id'] : undefined;
  let total = 0;
  for (const c of chunks) total += c.length;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.length;
  }
  try {
    const body = JSON.parse(new TextDecoder().decode(bytes)) as {
      detail?: { code?: string; message?: string; field?: string };
    };
    if (body.detail?.code && body.detail.message) {
      return new ApiError(status, body.detail.code as ApiError['code'], body.detail.message, {
        ...(body.detail.field ? { field: body.detail.field } : {}),
        ...(requestId ? { requestId } : {}),
      });
    }
  } catch {
    // no error body: the status says enough
  }
  return new ApiError(status, codeForStatus(status), `WebSocket upgrade refused with status ${status}`, {
    ...(requestId ? { requestId } : {}),
  });
}
