// The floors under bench/reads.bench.ts, in their own process: a bare node:http server and bare Hono (on
// @hono/node-server, as the app serves), both answering GET /api/health with the same JSON and nothing else.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const BODY = { status: 'ok', provider: 'openai', model: 'fake-model' };
const text = JSON.stringify(BODY);

const bare = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
});
await new Promise<void>((r) => bare.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));

const app = new Hono();
app.get('/api/health', (c) => c.json(BODY));
const hono = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise<void>((r) => hono.once('listening', r));

process.on('message', (req: { id: number; op: string }) => {
  if (req.op === 'stop') {
    process.send?.({ id: req.id });
    process.exit(0);
  }
});
process.send?.({
  ready: true,
  bare: (bare.address() as AddressInfo).port,
  hono: (hono.address() as AddressInfo).port,
});
