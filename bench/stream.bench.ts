// Streaming benchmark: the app (its own process) against the repo's fake OpenAI-compatible server with a fixed token
// delay, for 1, 100 and 1000 concurrent streams over SSE and WebSocket, compared with clients reading the fake directly.
// Reports time to first chunk and per-chunk latency added by the app, chunks lost, memory per open stream and the app's
// event-loop lag. The clients (this process), the app and the fake model each have their own process and event loop,
// as in production, so none starves another. Loopback only; a full run takes about two minutes.
import { type ChildProcess, fork } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { connectDatabase } from '../api/src/db/client.js';
import { ensureDatabase, startEmbeddedPostgres } from '../api/src/db/embedded.js';
import { runMigrations } from '../api/src/db/migrate.js';
import { DEFAULT_WS_LIMITS } from '../api/src/features/stream/socket-registry.js';
import { startMain } from './app-process.js';
import { writeResult } from './results.js';
import { percentile } from './stats.js';

export interface StreamBenchOptions {
  levels: number[];
  /** Tokens per answer and the fake server's delay between them. */
  tokens: number;
  tokenDelayMs: number;
  /** Streams start spread evenly over this long (a burst of 1000 in one tick measures the pool queue, not streaming). */
  rampMs: number;
  /** A run that takes longer than this counts its missing chunks as lost. */
  runTimeoutMs: number;
  /** Also run the floor: the two relays of bench/stream.relay.ts (no app), at the levels up to this many streams. */
  floorUpTo: number;
  /** Which of the app's transports to run (both by default). */
  appTransports: ('sse' | 'ws')[];
  /** The 1-stream level runs this many single streams one after another (one stream is one noisy sample). */
  singleRepeats: number;
  /** Streams per transport of the unmeasured warm-up (JIT and heap growth at load), so run order does not matter. */
  warmupStreams: number;
  /**
   * At these levels, also SSE through api/src/main.ts as `start` runs it with 1 and with 2 API processes
   * (WEB_CONCURRENCY) on the same database: does a second process help? Latency only (CPU is per process).
   */
  processLevels: number[];
}

// 100 tokens every 30 ms: each answer lasts 3 s, so with a 1 s ramp all streams of a run are open at once.
const DEFAULTS: StreamBenchOptions = {
  levels: [1, 100, 1000],
  tokens: 100,
  tokenDelayMs: 30,
  rampMs: 1_000,
  runTimeoutMs: 60_000,
  floorUpTo: 1000,
  appTransports: ['sse', 'ws'],
  singleRepeats: 5,
  warmupStreams: 50,
  processLevels: [100, 1000],
};

type Transport = 'direct' | 'relay-bare' | 'relay-langchain' | 'sse' | 'ws' | 'sse, start 1' | 'sse, start 2';

/** One app session a stream runs in, with its owner's access token. */
interface BenchSession {
  sessionId: number;
  token: string;
}

/**
 * Sessions per bench user: the product's per-user WebSocket cap. Each user owns this many consecutive sessions, so
 * any run (a consecutive slice of the list) opens at most this many sockets per user, however many streams it runs.
 */
const STREAMS_PER_USER = DEFAULT_WS_LIMITS.maxSocketsPerUser;

interface StreamResult {
  content: string;
  startedAt: number;
  firstChunkAt?: number;
  arrivals: number[];
  text: string;
  error?: string;
}

export interface RunReport {
  transport: Transport;
  streams: number;
  ttfcP50Ms: number;
  ttfcP99Ms: number;
  /** From the client's request to the model request arriving at the fake: the app's start path (clocks of two processes). */
  toModelP50Ms: number;
  chunkLatencyP50Ms: number;
  chunkLatencyP99Ms: number;
  /** Against the direct (baseline) run with the same number of streams. */
  addedTtfcP50Ms?: number;
  addedChunkP50Ms?: number;
  chunksExpected: number;
  chunksLost: number;
  failedStreams: number;
  /** The first distinct errors of failed streams. */
  errors: string[];
  /** CPU time the app process spent per stream (user + system), whatever else the machine was running. */
  appCpuMsPerStream?: number;
  /** The same per streamed chunk (appCpuMsPerStream / tokens). */
  cpuMsPerChunk?: number;
  /** App runs: CPU per chunk against relay-langchain's at the same level (the target: ≤ 1.25). */
  cpuOverLangchain?: number;
  /** The SSE run: CPU per chunk against the WebSocket run's at the same level (target: within 10%). */
  cpuOverWs?: number;
  /** Answers in progress in the app when memory was sampled (all of them, if the streams overlapped). */
  openAtSample?: number;
  wallMs: number;
  rssPerStreamKb?: number;
  heapPerStreamKb?: number;
  lagP50Ms?: number;
  lagP99Ms?: number;
  lagMaxMs?: number;
}

const now = () => performance.timeOrigin + performance.now();

const round = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? undefined : Math.round(n * 100) / 100);

/** The answer the fake gives: `tokens` words, so `tokens` chunks. */
function replyText(tokens: number): string {
  return Array.from({ length: tokens }, (_, i) => `w${i}`).join(' ');
}

// ——— the app and the fake model, each in its own process ———

export interface Child<Ready> {
  ready: Ready;
  ask<T>(msg: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

type AppProcess = Child<{ port: number }>;
type RelayProcess = Child<{ port: number }>;
type FakeProcess = Child<{ url: string }>;

/** Forks a bench/ process that answers over IPC; `quiet` sends its stdout (an access log) to /dev/null. */
export async function startChild<Ready>(
  file: string,
  env: Record<string, string>,
  opts: { quiet?: boolean; execArgv?: string[] } = {},
): Promise<Child<Ready>> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const child: ChildProcess = fork(path.join(here, file), [], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...(opts.execArgv ?? [])],
    env: { ...process.env, ...env },
    stdio: ['ignore', opts.quiet ? 'ignore' : 'inherit', 'inherit', 'ipc'],
  });
  let seq = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
    child.on('message', (m: { ready?: boolean; id?: number }) => {
      if (m.ready) resolve(m as Ready);
      else if (m.id !== undefined) waiting.get(m.id)?.(m);
    });
  });
  const ask = <T>(msg: Record<string, unknown>) => {
    const id = ++seq;
    return new Promise<T>((resolve) => {
      waiting.set(id, (v) => resolve(v as T));
      child.send({ ...msg, id });
    });
  };
  return {
    ready,
    ask,
    async stop() {
      await Promise.race([ask({ op: 'stop' }), new Promise((r) => setTimeout(r, 5_000))]);
      child.kill();
    },
  };
}

// ——— clients ———

/** Keep-alive connections, as a browser or an SDK keeps them; one per concurrent stream. */
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

/**
 * POSTs `body` and reads the `text/event-stream` answer as it arrives, calling onEvent(event, data) per event until
 * it returns true or the stream ends. Plain node:http, so the clients' own CPU (they share the machine with the app
 * and the fake model) stays small; both the direct and the app runs use it.
 */
function postSse(
  url: string,
  headers: Record<string, string>,
  body: string,
  onEvent: (event: string, data: string) => boolean | undefined,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', ...headers },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve(res.statusCode ?? 0);
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      let finished = false;
      res.on('data', (text: string) => {
        if (finished) return;
        buffer += text;
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (data.length && onEvent(event, data.join('\n'))) {
            finished = true;
            res.destroy();
            resolve(200);
            return;
          }
          cut = buffer.indexOf('\n\n');
        }
      });
      res.on('end', () => resolve(200));
      res.on('error', reject);
    });
    req.end(body);
  });
}

function record(r: StreamResult, content: string) {
  const t = now();
  r.firstChunkAt ??= t;
  r.arrivals.push(t);
  r.text += content;
}

async function directStream(fakeUrl: string, content: string): Promise<StreamResult> {
  const r: StreamResult = { content, startedAt: now(), arrivals: [], text: '' };
  const body = JSON.stringify({ model: 'fake-model', stream: true, messages: [{ role: 'user', content }] });
  await postSse(`${fakeUrl}/chat/completions`, { authorization: 'Bearer bench' }, body, (_event, data) => {
    if (data === '[DONE]') return true;
    const piece = (JSON.parse(data) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content;
    if (piece) record(r, piece);
    return undefined;
  });
  return r;
}

async function sseStream(base: string, token: string, sessionId: number, content: string): Promise<StreamResult> {
  const r: StreamResult = { content, startedAt: now(), arrivals: [], text: '' };
  const url = `${base}/api/chat/sessions/${sessionId}/messages/stream`;
  const status = await postSse(
    url,
    { authorization: `Bearer ${token}` },
    JSON.stringify({ content }),
    (event, data) => {
      if (event === 'chunk') record(r, (JSON.parse(data) as { content: string }).content);
      if (event === 'error') r.error = data;
      return event === 'done' || event === 'error';
    },
  );
  if (status !== 200) r.error = `HTTP ${status}`;
  return r;
}

async function relayStream(url: string, content: string): Promise<StreamResult> {
  const r: StreamResult = { content, startedAt: now(), arrivals: [], text: '' };
  const status = await postSse(url, {}, JSON.stringify({ content }), (event, data) => {
    if (event === 'chunk') record(r, (JSON.parse(data) as { content: string }).content);
    return event === 'done';
  });
  if (status !== 200) r.error = `HTTP ${status}`;
  return r;
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function wsStream(ws: WebSocket, content: string): Promise<StreamResult> {
  const r: StreamResult = { content, startedAt: now(), arrivals: [], text: '' };
  return new Promise((resolve) => {
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as { type: string; content?: string; message?: string };
      if (m.type === 'chunk') record(r, m.content ?? '');
      if (m.type === 'error') r.error = m.message;
      if (m.type === 'done' || m.type === 'error') resolve(r);
    });
    ws.once('close', () => resolve(r));
    ws.send(JSON.stringify({ type: 'message', content }));
  });
}

// ——— one run ———

function summarize(
  transport: Transport,
  n: number,
  results: StreamResult[],
  receivedAt: Map<string, number>,
  opts: StreamBenchOptions,
  wallMs: number,
): RunReport {
  // receivedAt: when the fake received each question; its chunk i leaves about i × delay later.
  const expectedText = replyText(opts.tokens);
  const ttfc: number[] = [];
  const latencies: number[] = [];
  const toModel: number[] = [];
  let lost = 0;
  let failed = 0;
  const errors = new Set<string>();
  for (const r of results) {
    if (r.error && errors.size < 3) errors.add(r.error.slice(0, 200));
    if (r.firstChunkAt !== undefined) ttfc.push(r.firstChunkAt - r.startedAt);
    const at = receivedAt.get(r.content);
    if (at !== undefined) {
      toModel.push(at - r.startedAt);
      r.arrivals.forEach((t, i) => {
        latencies.push(t - (at + i * opts.tokenDelayMs));
      });
    }
    const missing = r.text === expectedText ? 0 : Math.max(1, opts.tokens - r.arrivals.length);
    lost += missing;
    if (r.error || missing) failed++;
  }
  return {
    transport,
    streams: n,
    ttfcP50Ms: percentile(ttfc, 50),
    ttfcP99Ms: percentile(ttfc, 99),
    toModelP50Ms: percentile(toModel, 50),
    chunkLatencyP50Ms: percentile(latencies, 50),
    chunkLatencyP99Ms: percentile(latencies, 99),
    chunksExpected: results.length * opts.tokens,
    chunksLost: lost,
    failedStreams: failed,
    errors: [...errors],
    wallMs,
  };
}

function bounded<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([work, new Promise<T>((r) => setTimeout(() => r(fallback), ms).unref())]);
}

async function run(
  transport: Transport,
  n: number,
  ctx: {
    fake: FakeProcess;
    app: AppProcess;
    relay: RelayProcess;
    /** The ports of main.ts with 1 and with 2 API processes (the `sse, start N` transports). */
    mains: number[];
    /** The app's sessions not used yet, each with its owner's token (one user per STREAMS_PER_USER of them). */
    sessions: BenchSession[];
    opts: StreamBenchOptions;
  },
): Promise<RunReport> {
  const { fake, app, relay, opts } = ctx;
  const viaApp = transport === 'sse' || transport === 'ws';
  // Forgets the requests of earlier runs.
  await fake.ask({ op: 'requests' });
  // One stream at a time is repeated (singleRepeats), one after another; any other level starts n at once.
  const count = n === 1 ? opts.singleRepeats : n;
  const sessions = ctx.sessions.splice(0, count);
  const contents = sessions.map((s, i) => `bench ${transport} ${n} ${i} ${s.sessionId}`);
  const viaStart =
    transport === 'sse, start 1' ? ctx.mains[0] : transport === 'sse, start 2' ? ctx.mains[1] : undefined;
  const port = viaStart ?? app.ready.port;
  const base = `http://127.0.0.1:${port}`;
  // Sockets are opened before the run (a browser keeps its socket open), 50 at a time.
  const sockets: WebSocket[] = [];
  if (transport === 'ws') {
    for (let i = 0; i < sessions.length; i += 50) {
      const batch = sessions.slice(i, i + 50);
      sockets.push(
        ...(await Promise.all(
          batch.map((s) => openSocket(`ws://127.0.0.1:${port}/api/chat/ws/${s.sessionId}?token=${s.token}`)),
        )),
      );
    }
  }
  const before = viaApp ? await app.ask<{ rss: number; heapUsed: number; cpuMs: number }>({ op: 'mark' }) : undefined;
  const relayBefore = transport.startsWith('relay') ? await relay.ask<{ cpuMs: number }>({ op: 'cpu' }) : undefined;

  let peak: { rss: number; heapUsed: number; active: number } | undefined;
  const started = now();
  const ramp = n > 1 ? opts.rampMs : 0;
  const startOne = (content: string, i: number) =>
    transport === 'direct'
      ? directStream(fake.ready.url, content)
      : transport === 'relay-bare' || transport === 'relay-langchain'
        ? relayStream(`http://127.0.0.1:${relay.ready.port}/${transport.slice(6)}`, content)
        : transport === 'sse' || viaStart !== undefined
          ? sseStream(base, sessions[i]!.token, sessions[i]!.sessionId, content)
          : wsStream(sockets[i]!, content);
  let previous: Promise<unknown> = Promise.resolve();
  const streams = contents.map(async (content, i) => {
    if (n === 1) {
      // Sequential: each single stream starts when the one before it has ended.
      const mine = previous.then(() => startOne(content, i));
      previous = mine.catch(() => {});
      return mine;
    }
    if (ramp) await new Promise((r) => setTimeout(r, (i * ramp) / n));
    return startOne(content, i);
  });
  // Memory is read while every stream is open: after the ramp, a second into the (3 s) answers.
  const sampler = (async () => {
    if (!viaApp) return;
    await new Promise((r) => setTimeout(r, ramp + 1_000));
    peak = await app.ask({ op: 'sample' });
  })();
  const empty = (content: string): StreamResult => ({
    content,
    startedAt: started,
    arrivals: [],
    text: '',
    error: 'timeout',
  });
  const results = await Promise.all(
    streams.map((p, i) =>
      bounded(
        p.catch((err: Error & { cause?: { code?: string } }) => ({
          ...empty(contents[i]!),
          error: err.cause?.code ? `${err.message} (${err.cause.code})` : err.message,
        })),
        opts.runTimeoutMs,
        empty(contents[i]!),
      ),
    ),
  );
  const wallMs = now() - started;
  await sampler;
  const after = viaApp
    ? await app.ask<{ lagP50Ms: number; lagP99Ms: number; lagMaxMs: number; cpuMs: number }>({ op: 'sample' })
    : undefined;
  for (const s of sockets) s.terminate();
  const arrived = await fake.ask<{ arrived: [string, number][] }>({ op: 'requests' });
  const report = summarize(transport, n, results, new Map(arrived.arrived), opts, wallMs);
  if (relayBefore) {
    const { cpuMs } = await relay.ask<{ cpuMs: number }>({ op: 'cpu' });
    report.appCpuMsPerStream = (cpuMs - relayBefore.cpuMs) / count;
  }
  if (peak && after && before) {
    report.openAtSample = peak.active;
    report.appCpuMsPerStream = (after.cpuMs - before.cpuMs) / count;
    report.rssPerStreamKb = (peak.rss - before.rss) / n / 1024;
    report.heapPerStreamKb = (peak.heapUsed - before.heapUsed) / n / 1024;
    report.lagP50Ms = after.lagP50Ms;
    report.lagP99Ms = after.lagP99Ms;
    report.lagMaxMs = after.lagMaxMs;
  }
  return report;
}

export interface CpuRatios {
  streams: number;
  /** CPU per streamed chunk of each process (ms). */
  relayBareMsPerChunk?: number;
  relayLangchainMsPerChunk?: number;
  sseMsPerChunk?: number;
  wsMsPerChunk?: number;
  sseOverLangchain?: number;
  wsOverLangchain?: number;
  sseOverWs?: number;
}

/** Fills in each report's CPU per chunk and ratios; returns them per level, for the JSON. */
function cpuRatios(reports: RunReport[], tokens: number): CpuRatios[] {
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || b === 0 ? undefined : Math.round((a / b) * 1000) / 1000;
  const perChunk = (ms: number | undefined) => (ms === undefined ? undefined : Math.round((ms / tokens) * 1e4) / 1e4);
  const levels = [...new Set(reports.map((r) => r.streams))];
  return levels.map((streams) => {
    const at = (t: Transport) => reports.find((r) => r.streams === streams && r.transport === t);
    for (const r of reports) if (r.streams === streams) r.cpuMsPerChunk = perChunk(r.appCpuMsPerStream);
    const [bare, langchain, sse, ws] = (['relay-bare', 'relay-langchain', 'sse', 'ws'] as const).map(at);
    for (const r of [sse, ws]) if (r) r.cpuOverLangchain = ratio(r.cpuMsPerChunk, langchain?.cpuMsPerChunk);
    if (sse) sse.cpuOverWs = ratio(sse.cpuMsPerChunk, ws?.cpuMsPerChunk);
    return {
      streams,
      relayBareMsPerChunk: bare?.cpuMsPerChunk,
      relayLangchainMsPerChunk: langchain?.cpuMsPerChunk,
      sseMsPerChunk: sse?.cpuMsPerChunk,
      wsMsPerChunk: ws?.cpuMsPerChunk,
      sseOverLangchain: sse?.cpuOverLangchain,
      wsOverLangchain: ws?.cpuOverLangchain,
      sseOverWs: sse?.cpuOverWs,
    };
  });
}

function table(reports: RunReport[]): string {
  const cols: [string, (r: RunReport) => unknown][] = [
    ['transport', (r) => r.transport],
    ['streams', (r) => r.streams],
    ['ttfc p50', (r) => round(r.ttfcP50Ms)],
    ['ttfc p99', (r) => round(r.ttfcP99Ms)],
    ['+ttfc p50', (r) => round(r.addedTtfcP50Ms)],
    ['to model p50', (r) => round(r.toModelP50Ms)],
    ['chunk p50', (r) => round(r.chunkLatencyP50Ms)],
    ['chunk p99', (r) => round(r.chunkLatencyP99Ms)],
    ['+chunk p50', (r) => round(r.addedChunkP50Ms)],
    ['lost', (r) => `${r.chunksLost}/${r.chunksExpected}`],
    ['failed', (r) => r.failedStreams],
    ['open', (r) => r.openAtSample],
    ['cpu ms/stream', (r) => round(r.appCpuMsPerStream)],
    ['cpu ms/chunk', (r) => (r.cpuMsPerChunk === undefined ? undefined : r.cpuMsPerChunk.toFixed(3))],
    ['× langchain', (r) => round(r.cpuOverLangchain)],
    ['× ws', (r) => round(r.cpuOverWs)],
    ['rss KB/stream', (r) => round(r.rssPerStreamKb)],
    ['heap KB/stream', (r) => round(r.heapPerStreamKb)],
    ['lag p50', (r) => round(r.lagP50Ms)],
    ['lag p99', (r) => round(r.lagP99Ms)],
    ['lag max', (r) => round(r.lagMaxMs)],
    ['wall ms', (r) => Math.round(r.wallMs)],
  ];
  const rows = [cols.map(([h]) => h), ...reports.map((r) => cols.map(([, f]) => String(f(r) ?? '-')))];
  const widths = cols.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n');
}

export async function runStreamBench(partial: Partial<StreamBenchOptions> = {}): Promise<RunReport[]> {
  const opts = { ...DEFAULTS, ...partial };
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const dir = mkdtempSync(path.join(tmpdir(), 'chatbot-bench-pg-'));
  chmodSync(dir, 0o755);
  out(`streaming bench: ${opts.levels.join(', ')} streams; ${opts.tokens} tokens every ${opts.tokenDelayMs} ms`);
  const pgServer = await startEmbeddedPostgres(path.join(dir, 'data'));
  let fake: FakeProcess | undefined;
  let app: AppProcess | undefined;
  let relay: RelayProcess | undefined;
  const mains: { port: number; stop(): Promise<void> }[] = [];
  try {
    fake = await startChild<{ url: string }>('stream.fake.ts', {
      BENCH_TOKENS: String(opts.tokens),
      BENCH_TOKEN_DELAY_MS: String(opts.tokenDelayMs),
    });
    const url = await ensureDatabase(pgServer.url, 'bench');
    const db = connectDatabase(url, { max: 2 });
    await runMigrations(db);
    await db.close();
    app = await startChild<{ port: number }>('stream.app.ts', {
      NODE_ENV: 'production',
      SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789',
      DATABASE_URL: url,
      DB_POOL_MAX: process.env.DB_POOL_MAX ?? '20',
      // Failures are counted per stream in the report; a log line per failure would drown the table.
      LOG_LEVEL: 'fatal',
      CHAT_RATE_LIMIT_PER_MINUTE: '0',
      OPENAI_BASE_URL: fake.ready.url,
      OPENAI_API_KEY: 'bench',
      OPENAI_MAX_RETRIES: '0',
    });
    relay = await startChild<{ port: number }>('stream.relay.ts', {
      NODE_ENV: 'production',
      SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789',
      DATABASE_URL: url,
      OPENAI_BASE_URL: fake.ready.url,
      OPENAI_API_KEY: 'bench',
      OPENAI_MAX_RETRIES: '0',
    });
    const processLevels = opts.levels.filter((n) => opts.processLevels.includes(n));
    if (processLevels.length) {
      // What `start` runs, as the app process above is configured (its pool, its model server, no log lines).
      const env = { DB_POOL_MAX: process.env.DB_POOL_MAX ?? '20', LOG_LEVEL: 'fatal', OPENAI_BASE_URL: fake.ready.url };
      mains.push(await startMain(url, 1, env), await startMain(url, 2, env));
    }
    // A fresh session for every stream of every run (direct runs take theirs too, unused) and the warm-ups.
    const perLevel = opts.levels.reduce((a, n) => a + (n === 1 ? opts.singleRepeats : n), 0);
    const total =
      perLevel * (1 + opts.appTransports.length) +
      2 * processLevels.reduce((a, n) => a + n + opts.warmupStreams, 0) +
      2 * opts.warmupStreams +
      1;
    const setup = await app.ask<{ users: number; streams: BenchSession[] }>({
      op: 'setup',
      sessions: total,
      perUser: STREAMS_PER_USER,
    });
    out(
      `  ${setup.streams.length} sessions of ${setup.users} users (${STREAMS_PER_USER} each: the per-user socket cap)`,
    );
    const ctx = { fake, app, relay, mains: mains.map((m) => m.port), sessions: setup.streams, opts };
    // Warm-up, not measured: the first answer loads LangChain and opens pools; then every process serves a load
    // once (JIT, heap growth), so whichever transport runs first at a level is not the one that pays for it.
    await run('sse', 1, { ...ctx, opts: { ...opts, singleRepeats: 1 } });
    await run('relay-langchain', 1, {
      ...ctx,
      sessions: [{ sessionId: 0, token: '' }],
      opts: { ...opts, singleRepeats: 1 },
    });
    if (opts.warmupStreams > 1) {
      for (const transport of ['relay-bare', 'relay-langchain', ...opts.appTransports] as Transport[]) {
        const sessions = transport.startsWith('relay') ? [...ctx.sessions] : ctx.sessions;
        await run(transport, opts.warmupStreams, { ...ctx, sessions });
      }
    }
    const reports: RunReport[] = [];
    for (const n of opts.levels) {
      const direct = await run('direct', n, ctx);
      reports.push(direct);
      /** One measured run at this level, with what it adds over the direct run. */
      const measure = async (transport: Transport, runCtx: typeof ctx) => {
        const r = await run(transport, n, runCtx);
        r.addedTtfcP50Ms = r.ttfcP50Ms - direct.ttfcP50Ms;
        r.addedChunkP50Ms = r.chunkLatencyP50Ms - direct.chunkLatencyP50Ms;
        reports.push(r);
        out(`  ${transport} × ${n}: ttfc p50 ${round(r.ttfcP50Ms)} ms, lost ${r.chunksLost}`);
        await new Promise((res) => setTimeout(res, 500));
      };
      const transports: Transport[] =
        n <= opts.floorUpTo ? ['relay-bare', 'relay-langchain', ...opts.appTransports] : opts.appTransports;
      for (const transport of transports) {
        // Relay runs take no session; the same list keeps the app's sessions fresh for every run.
        await measure(transport, transport.startsWith('relay') ? { ...ctx, sessions: [...ctx.sessions] } : ctx);
      }
      if (processLevels.includes(n)) {
        for (const transport of ['sse, start 1', 'sse, start 2'] as const) {
          // Each process of main.ts warms up (JIT, pools) before it is measured, as the app process did.
          await run(transport, opts.warmupStreams, ctx);
          await measure(transport, ctx);
        }
      }
    }
    const ratios = cpuRatios(reports, opts.tokens);
    out('');
    out(table(reports));
    for (const r of reports) {
      if (r.errors.length) out(`${r.transport} × ${r.streams} errors: ${r.errors.join(' | ')}`);
    }
    out('(ms unless stated; + = added by the app over clients reading the fake server directly; lag = app event loop)');
    out('(cpu: of the process serving the streams; × langchain: app / relay-langchain; × ws: app SSE / app WebSocket)');
    const file = writeResult('stream', {
      at: new Date().toISOString(),
      node: process.version,
      options: opts,
      ratios,
      reports,
    });
    out(`written: ${path.relative(process.cwd(), file)}`);
    return reports;
  } finally {
    for (const m of mains) await m.stop();
    await app?.stop();
    await relay?.stop();
    await fake?.stop();
    await pgServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
