// A small loopback load generator for the request benchmarks: `connections` keep-alive connections, each sending
// its next request as soon as its answer has arrived, for `durationMs` (bounded in time, 127.0.0.1 only).
import { Agent, request } from 'node:http';
import { percentile } from './stats.js';

export interface LoadOptions {
  connections: number;
  durationMs: number;
  method?: string;
  headers?: Record<string, string>;
  /** A body per request (logins each use their own user); called once per request. */
  body?: () => string;
  /** Stop after this many requests in all, whatever the time (0: none). */
  maxRequests?: number;
}

export interface LoadReport {
  requests: number;
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Answers other than 2xx, and connection errors. */
  failures: number;
  firstFailure?: string;
}

function once(url: URL, agent: Agent, opts: LoadOptions): Promise<{ status: number; error?: string }> {
  return new Promise((resolve) => {
    const body = opts.body?.();
    const req = request(url, { method: opts.method ?? 'GET', agent, headers: opts.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.on('error', (err) => resolve({ status: 0, error: err.message }));
    });
    req.on('error', (err) => resolve({ status: 0, error: err.message }));
    req.end(body);
  });
}

export async function runLoad(target: string, opts: LoadOptions): Promise<LoadReport> {
  const url = new URL(target);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error('loopback targets only');
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  let sent = 0;
  const started = performance.now();
  const deadline = started + opts.durationMs;
  const loop = async () => {
    while (performance.now() < deadline && (!opts.maxRequests || sent < opts.maxRequests)) {
      sent++;
      const t = performance.now();
      const r = await once(url, agent, opts);
      latencies.push(performance.now() - t);
      if (r.status < 200 || r.status >= 300) {
        failures++;
        firstFailure ??= r.error ?? `HTTP ${r.status}`;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, loop));
  const wallMs = performance.now() - started;
  agent.destroy();
  return {
    requests: latencies.length,
    rps: (latencies.length / wallMs) * 1000,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    failures,
    firstFailure,
  };
}
