// A fake OpenAI-compatible model server for tests: real HTTP on 127.0.0.1, scriptable replies, delays and failures.
//
// Usage:
//   const fake = await startFakeOpenAI({ reply: 'Hello there', chunkDelayMs: 5 });
//   createTestApp({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test' });
//   fake.setScript({ reply: (req) => `echo: ${lastUserText(req)}` });   // per test
//   fake.setScript({ error: { status: 429, retryAfter: 7 } });           // every request fails
//   fake.setScript({ failAfterChunks: 3 });                               // stream breaks after 3 content chunks
//   fake.setScript({ stallAfterChunks: 2 });                              // 2 chunks, then silence, socket open
//   fake.setScript({ resetAfterChunks: 2 });                              // 2 chunks, then a TCP reset
//   fake.setScript({ garbageAfterChunks: 2 });                            // 2 chunks, then garbage, socket open
//   fake.setScript({ reply, chunkBy: 'char', chunkDelayMs: 300 });        // slow but steady
//   expect(fake.requests.at(-1)?.body.messages).toEqual([...]);          // what the model was sent
//   await fake.close();
//
// Speaks POST /v1/chat/completions (non-streaming JSON, or SSE `data: {chat.completion.chunk}` lines as OpenAI
// sends them: a role chunk, one chunk per piece of text, a finish chunk, a usage chunk when
// `stream_options.include_usage`, then `data: [DONE]`), POST /v1/embeddings (deterministic vectors: fakeEmbedding) and
// GET /v1/models.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeChatMessage {
  role: string;
  // biome-ignore lint/suspicious/noExplicitAny: content may be a string or an array of parts, as in OpenAI's API
  content: any;
  name?: string;
}

export interface FakeChatRequest {
  model: string;
  messages: FakeChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  temperature?: number;
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined for GET). */
  body: FakeChatRequest;
  at: number;
}

export interface FakeScript {
  /** The answer: a text, or made from the request. Default: `Echo: <last user message>`. */
  reply?: string | ((req: FakeChatRequest) => string);
  /** How a streamed answer is cut: 'token' (a word with its trailing space, the default), 'char', or a chunk length. */
  chunkBy?: 'token' | 'char' | number;
  /** Delay before each content chunk after the first one, in ms. */
  chunkDelayMs?: number;
  /** Delay before the first byte of the answer (headers included), in ms. */
  firstChunkDelayMs?: number;
  /** Answer every request with this HTTP error (OpenAI's error body). `retryAfter` sets the Retry-After header (seconds). */
  error?: { status: number; message?: string; code?: string; retryAfter?: number };
  /** Apply `error` only to the next N requests, then answer normally (to exercise retries). */
  errorTimes?: number;
  /** Never answer (the connection stays open until the client gives up or the server closes). */
  hang?: boolean;
  /** Streaming: cut the connection after this many content chunks. */
  failAfterChunks?: number;
  /**
   * Streaming: after this many content chunks, stop sending but keep the connection open (a model server that
   * stalls mid-answer) until the client gives up or the server closes.
   */
  stallAfterChunks?: number;
  /** Streaming: send a chunk that is not JSON after this many content chunks. */
  malformedAfterChunks?: number;
  /**
   * Streaming: after this many content chunks, reset the connection (TCP RST, what is not yet sent may be lost), as a
   * crashed host or a proxy cutting it would, rather than `failAfterChunks`'s orderly close.
   */
  resetAfterChunks?: number;
  /**
   * Streaming: after this many content chunks, send garbage (lines that are not SSE, `data:` that is not JSON, JSON
   * that is not a chunk) and keep the connection open, as a broken proxy or server might.
   */
  garbageAfterChunks?: number;
  /** The usage reported; default: counted roughly from the request and the answer. */
  usage?: { prompt_tokens: number; completion_tokens: number };
}

export interface FakeOpenAI {
  /** Base URL including `/v1`, ready for OPENAI_BASE_URL. */
  url: string;
  /** Every request received, oldest first (GET /v1/models included). */
  requests: RecordedRequest[];
  /** Only the chat completion requests. */
  chatRequests(): RecordedRequest[];
  /** Replaces the script (not merged with the previous one). */
  setScript(script: FakeScript): void;
  close(): Promise<void>;
}

/** The text of the last user message of a request (string content, or the text parts joined). */
export function lastUserText(req: FakeChatRequest): string {
  const last = [...req.messages].reverse().find((m) => m.role === 'user');
  return last ? contentText(last.content) : '';
}

export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p) => (p && typeof p === 'object' && 'text' in p ? String(p.text) : '')).join('');
  }
  return '';
}

function splitReply(text: string, by: FakeScript['chunkBy']): string[] {
  if (text === '') return [];
  if (by === 'char') return Array.from(text);
  if (typeof by === 'number' && by > 0) {
    const out: string[] = [];
    for (let i = 0; i < text.length; i += by) out.push(text.slice(i, i + by));
    return out;
  }
  return text.match(/\s*\S+\s*/g) ?? [text];
}

/** Dimensions of the fake embeddings. */
export const FAKE_EMBEDDING_DIMS = 256;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A deterministic stand-in for a real embedding: each distinct word and character trigram hashed into a signed
 * bucket (the hashing trick), unit length. Texts sharing words or word parts ("capital"/"capitals") are close,
 * which is what retrieval tests and the benchmark need from it.
 */
export function fakeEmbedding(text: string, dims = FAKE_EMBEDDING_DIMS): number[] {
  const v = new Array<number>(dims).fill(0);
  // Each feature counts once however often it occurs (a long passage is not dominated by its common words).
  const seen = new Set<string>();
  const add = (feature: string, weight: number) => {
    if (seen.has(feature)) return;
    seen.add(feature);
    const h = fnv1a(feature);
    v[h % dims]! += h & 0x80000000 ? -weight : weight;
  };
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    add(`w:${word}`, 1);
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, 0.5);
  }
  const norm = Math.sqrt(v.reduce((n, x) => n + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

/** A rough, deterministic count (≈ 4 characters a token), enough for tests to see usage recorded. */
function roughTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startFakeOpenAI(initial: FakeScript = {}): Promise<FakeOpenAI> {
  let script: FakeScript = initial;
  let errorsLeft = initial.errorTimes ?? Number.POSITIVE_INFINITY;
  let seq = 0;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0]!;
    let body = {} as FakeChatRequest;
    if (raw) {
      try {
        body = JSON.parse(raw) as FakeChatRequest;
      } catch {
        return sendJson(res, 400, { error: { message: 'Invalid JSON body', type: 'invalid_request_error' } });
      }
    }
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body, at: Date.now() });

    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, {
        object: 'list',
        data: [{ id: 'fake-model', object: 'model', created: 1_700_000_000, owned_by: 'fake' }],
      });
    }
    if (req.method === 'POST' && path === '/v1/embeddings') {
      const input = (body as { input?: unknown }).input;
      const texts = Array.isArray(input) ? input.map(String) : [String(input ?? '')];
      const base64 = (body as { encoding_format?: string }).encoding_format === 'base64';
      return sendJson(res, 200, {
        object: 'list',
        model: body.model ?? 'fake-embedding',
        data: texts.map((t, index) => {
          const e = fakeEmbedding(t);
          return {
            object: 'embedding',
            index,
            embedding: base64 ? Buffer.from(new Float32Array(e).buffer).toString('base64') : e,
          };
        }),
        usage: { prompt_tokens: texts.reduce((n, t) => n + roughTokens(t), 0), total_tokens: 0 },
      });
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return sendJson(res, 404, {
        error: { message: `Unknown route ${req.method} ${path}`, type: 'invalid_request_error' },
      });
    }

    const s = script;
    if (s.hang) return; // keep the socket open; close() or the client ends it
    if (s.firstChunkDelayMs) await sleep(s.firstChunkDelayMs);
    if (s.error && errorsLeft > 0) {
      errorsLeft--;
      const headers: Record<string, string> = {};
      if (s.error.retryAfter !== undefined) headers['retry-after'] = String(s.error.retryAfter);
      return sendJson(
        res,
        s.error.status,
        {
          error: {
            message: s.error.message ?? `Fake provider error ${s.error.status}`,
            type:
              s.error.status === 429 ? 'requests' : s.error.status === 401 ? 'invalid_request_error' : 'server_error',
            param: null,
            code: s.error.code ?? (s.error.status === 429 ? 'rate_limit_exceeded' : null),
          },
        },
        headers,
      );
    }

    const text = typeof s.reply === 'function' ? s.reply(body) : (s.reply ?? `Echo: ${lastUserText(body)}`);
    const id = `chatcmpl-fake${++seq}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model ?? 'fake-model';
    const promptText = (body.messages ?? []).map((m) => contentText(m.content)).join('\n');
    const usage = s.usage ?? { prompt_tokens: roughTokens(promptText), completion_tokens: roughTokens(text) };
    const fullUsage = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };

    if (!body.stream) {
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: text, refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: fullUsage,
        system_fingerprint: 'fp_fake',
      });
    }

    const withUsage = body.stream_options?.include_usage === true;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: 'fp_fake',
      choices,
      ...(withUsage ? { usage: null } : {}),
      ...extra,
    });
    const write = (data: unknown) => res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    write(
      chunk([
        { index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null },
      ]),
    );
    const pieces = splitReply(text, s.chunkBy);
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0 && s.chunkDelayMs) await sleep(s.chunkDelayMs);
      if (res.destroyed) return;
      if (s.failAfterChunks !== undefined && i >= s.failAfterChunks) {
        // What was written still arrives; then the connection ends without the stream's end, as a crash would.
        res.socket?.destroySoon();
        return;
      }
      if (s.stallAfterChunks !== undefined && i >= s.stallAfterChunks) return; // the socket stays open
      if (s.resetAfterChunks !== undefined && i >= s.resetAfterChunks) {
        // Let what was written reach the client first: a reset discards whatever is still in the send buffer.
        await sleep(50);
        res.socket?.resetAndDestroy();
        return;
      }
      if (s.garbageAfterChunks !== undefined && i >= s.garbageAfterChunks) {
        res.write('this is not an event stream\n\n');
        write('{"id":"broken", this is not json');
        write({ unexpected: true, choices: 'not a list' });
        res.write('data: \u0000\u0001\n\n');
        return; // the socket stays open
      }
      if (s.malformedAfterChunks !== undefined && i >= s.malformedAfterChunks) {
        write('{"id":"broken", this is not json');
        res.end();
        return;
      }
      write(chunk([{ index: 0, delta: { content: pieces[i] }, logprobs: null, finish_reason: null }]));
    }
    write(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]));
    if (withUsage) write(chunk([], { usage: fullUsage }));
    write('[DONE]');
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () => requests.filter((r) => r.path === '/v1/chat/completions'),
    setScript(next) {
      script = next;
      errorsLeft = next.errorTimes ?? Number.POSITIVE_INFINITY;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
