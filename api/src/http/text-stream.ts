// Long-lived text responses (SSE) written straight to Node's ServerResponse when served by startServer, and through
// a web ReadableStream otherwise (app.request() in tests, other runtimes). The app builds the Response as usual, so
// every middleware still sets its headers; startServer then copies the final status and headers to the socket and
// hands it to the producer. Why: Hono's streamSSE goes TextEncoder → TransformStream → reader → socket for every
// event: 11.5–18 ms of CPU per 100-event stream against 6.4–7 ms for res.write, measured with 100 streams.
import type { ServerResponse } from 'node:http';

/** Where a producer writes its text. Writes after the client left are dropped; `onClose` says when that happens. */
export interface TextSink {
  /** Resolves when the peer can take more (backpressure); undefined when it can right away. */
  write(text: string): Promise<void> | undefined;
  end(): void;
  /** Ends the response as broken (the connection is cut), so a client never takes half a body for a whole one. */
  abort(): void;
  /** Called once when the response ends or the client goes away, whichever comes first. */
  onClose(cb: () => void): void;
}

type Producer = (sink: TextSink) => Promise<void>;

/** The producers of responses not yet started, by body: middleware that rebuilds a Response keeps its body. */
const pending = new WeakMap<ReadableStream<Uint8Array>, (out: ServerResponse) => void>();
/** The Content-Type of every text stream made so far (a handful: SSE, the export). */
const streamTypes = new Set<string>();

/**
 * A streaming text response. The producer starts when the response is served: on the Node response itself under
 * startServer (serveDirect below), or when the body is first read otherwise. It must never throw.
 */
export function textStreamResponse(
  produce: Producer,
  init: { status?: number; headers: Record<string, string> },
): Response {
  let started = false;
  let closed = false;
  const closers: (() => void)[] = [];
  let settle: () => void = () => {};
  const settled = new Promise<void>((r) => {
    settle = r;
  });
  const close = () => {
    if (closed) return;
    closed = true;
    for (const cb of closers.splice(0)) cb();
    settle();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      // highWaterMark 0: pull runs only when someone reads, so serveDirect can claim the response first. The
      // promise it returns settles when the producer ends, so pull is not called again in between.
      pull(controller) {
        if (started) return settled;
        started = true;
        const encoder = new TextEncoder();
        void produce({
          write(text) {
            if (!closed) controller.enqueue(encoder.encode(text));
            return undefined;
          },
          end() {
            if (closed) return;
            controller.close();
            close();
          },
          abort() {
            if (closed) return;
            controller.error(new Error('the response was aborted'));
            close();
          },
          onClose(cb) {
            if (closed) queueMicrotask(cb);
            else closers.push(cb);
          },
        });
        return settled;
      },
      cancel: close,
    },
    { highWaterMark: 0 },
  );
  pending.set(body, (out) => {
    if (started) return;
    started = true;
    void produce(nodeSink(out));
  });
  const res = new Response(body, { status: init.status ?? 200, headers: init.headers });
  streamTypes.add(res.headers.get('content-type') ?? '');
  return res;
}

function nodeSink(out: ServerResponse): TextSink {
  const gone = () => out.destroyed || out.writableEnded;
  // A HEAD answer (Hono serves GET routes for HEAD) and a 204/304 have no body: ServerResponse drops their writes.
  const hasBody = out.req.method !== 'HEAD' && out.statusCode !== 204 && out.statusCode !== 304;
  const waitFor = (emitter: NodeJS.EventEmitter) =>
    new Promise<void>((resolve) => {
      const done = () => {
        emitter.off('drain', done);
        out.off('close', done);
        resolve();
      };
      emitter.on('drain', done);
      out.on('close', done);
    });
  return {
    write(text) {
      if (gone()) return undefined;
      // Once the headers are on the socket (serveDirect flushed them; nothing is waiting in ServerResponse's own
      // buffer or the socket's), a chunk goes out as one pre-framed string (`<hex length>CRLF<text>CRLF`,
      // byte for byte what ServerResponse#write sends for it). ServerResponse#write sends those as four writes
      // under a cork it lifts on the next tick; at 100 SSE streams that was ~12 µs more CPU per event than a
      // WebSocket frame. Anything else (headers not yet out, a pipelined response still waiting for its socket,
      // HTTP/1.0 without chunked encoding) goes through ServerResponse as usual; ending stays ServerResponse's.
      const socket = out.socket;
      if (hasBody && out.chunkedEncoding && socket && out.writableLength === 0 && text.length > 0) {
        return socket.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`) ? undefined : waitFor(socket);
      }
      return out.write(text) ? undefined : waitFor(out);
    },
    end() {
      if (!out.writableEnded) out.end();
    },
    abort() {
      if (!out.destroyed) out.destroy();
    },
    onClose(cb) {
      if (out.destroyed || out.writableFinished) queueMicrotask(cb);
      else out.once('close', cb);
    },
  };
}

/**
 * Serves `res` on `out` directly when it is a textStreamResponse: status and headers as the app left them, then the
 * producer writes to the socket. Returns false for any other response (node-server writes it as usual).
 */
export function serveDirect(res: Response, out: ServerResponse | undefined): boolean {
  // Reading `body` turns @hono/node-server's lightweight Response (a string body it writes in one go) into a web
  // stream it then pumps through a reader: 3-4x the CPU of a small JSON answer. Only a content type a text stream
  // was made with can be one, so every other response is left as it is.
  if (!streamTypes.has(res.headers.get('content-type') ?? '')) return false;
  const start = res.body ? pending.get(res.body) : undefined;
  if (!start || !out || !res.body) return false;
  pending.delete(res.body);
  const headers: Record<string, string> = {};
  res.headers.forEach((value, key) => {
    headers[key] = value;
  });
  out.writeHead(res.status, headers);
  // The headers go out now, before the producer's first write: a producer with nothing to write yet (a resume
  // waiting for the next chunk) still shows them, and the sink's pre-framed chunks may only follow them.
  // (`headersSent` is already true after writeHead, which only stores them.)
  if (!out.destroyed) out.flushHeaders();
  start(out);
  return true;
}
