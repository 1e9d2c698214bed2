import { fork } from 'node:child_process';
import http from 'node:http';
import OpenAI from 'openai';
import { HumanMessage } from '@langchain/core/messages';
import { ChatOpenAICompletions } from '@langchain/openai';
const child = fork(new URL('./fakeproc.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, D: '30' } });
const url: string = await new Promise((r) => child.once('message', (m: any) => r(m.url)));
const body = (c: string) => JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: c }] });
const ways: Record<string, (c: string) => Promise<number>> = {
  fetch: async (c) => { const res = await fetch(`${url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(c) }); let n = 0; const d = new TextDecoder(); for await (const v of res.body as any) { n += d.decode(v).split('\n\n').length - 1; } return n; },
  http: (c) => new Promise((resolve) => { const u = new URL(`${url}/chat/completions`); const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json' }, agent }, (res) => { let n = 0; let buf = ''; res.setEncoding('utf8'); res.on('data', (s: string) => { buf += s; let i; while ((i = buf.indexOf('\n\n')) >= 0) { const line = buf.slice(6, i); buf = buf.slice(i + 2); if (line !== '[DONE]') JSON.parse(line); n++; } }); res.on('end', () => resolve(n)); }); req.end(body(c)); }),
  openai: async (c) => { const s = await oa.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: c }] }); let n = 0; for await (const _ of s) n++; return n; },
  openaiHttp: async (c) => { const s = await oaHttp.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: c }] }); let n = 0; for await (const _ of s) n++; return n; },
  openaiBytes: async (c) => { const s = await oaBytes.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: c }] }); let n = 0; for await (const _ of s) n++; return n; },
  lcBytes: async (c) => { let n = 0; for await (const _ of lcBytes._streamResponseChunks([new HumanMessage(c)], {} as any)) n++; return n; },
  langchain: async (c) => { let n = 0; for await (const _ of lc._streamResponseChunks([new HumanMessage(c)], {} as any)) n++; return n; },
};
const agent = new http.Agent({ keepAlive: true });
import { Readable } from 'node:stream';
const httpFetch = (input: any, init: any = {}) => new Promise<Response>((resolve, reject) => {
  const u = new URL(String(input));
  const headers: Record<string, string> = {}; new Headers(init.headers).forEach((v, k) => { headers[k] = v; });
  const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: init.method ?? 'GET', headers, agent }, (res) => {
    const h = new Headers(); for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
    resolve(new Response(Readable.toWeb(res) as any, { status: res.statusCode, headers: h }));
  });
  req.on('error', reject); init.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')));
  req.end(init.body);
});
const bytesFetch = (input: any, init: any = {}) => new Promise<Response>((resolve, reject) => {
  const u = new URL(String(input));
  const headers: Record<string, string> = {}; new Headers(init.headers).forEach((v, k) => { headers[k] = v; });
  const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: init.method ?? 'GET', headers, agent }, (res) => {
    const h = new Headers(); for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
    const body = new ReadableStream({ start(c) { res.on('data', (b: Buffer) => c.enqueue(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))); res.on('end', () => c.close()); res.on('error', (e) => c.error(e)); }, cancel() { res.destroy(); } });
    resolve(new Response(body, { status: res.statusCode, headers: h }));
  });
  req.on('error', reject); req.end(init.body);
});
const oaHttp = new OpenAI({ apiKey: 'k', baseURL: url, maxRetries: 0, fetch: httpFetch as any });
const oaBytes = new OpenAI({ apiKey: 'k', baseURL: url, maxRetries: 0, fetch: bytesFetch as any });
const lcBytes = new ChatOpenAICompletions({ model: 'm', apiKey: 'k', configuration: { baseURL: url, fetch: bytesFetch as any }, maxRetries: 0, streamUsage: false });
const oa = new OpenAI({ apiKey: 'k', baseURL: url, maxRetries: 0 });
const lc = new ChatOpenAICompletions({ model: 'm', apiKey: 'k', configuration: { baseURL: url }, maxRetries: 0, streamUsage: false });
const N = Number(process.env.N ?? 100);
for (const name of (process.env.WAYS ?? 'fetch,http,openai,langchain').split(',')) {
  for (let rep = 0; rep < 2; rep++) {
    const c0 = process.cpuUsage(); const t0 = performance.now();
    const counts = await Promise.all(Array.from({ length: N }, (_, i) => new Promise<number>((r) => setTimeout(r, (i * 1000) / N)).then(() => ways[name]!(`${name}${rep}${i}`))));
    const c = process.cpuUsage(c0);
    console.log(name.padEnd(10), 'rep', rep, 'chunks/stream', counts[0], 'cpu ms/stream', ((c.user + c.system) / 1000 / N).toFixed(1), 'user', (c.user/1000/N).toFixed(1), 'wall', (performance.now() - t0).toFixed(0));
  }
}
child.kill(); process.exit(0);
