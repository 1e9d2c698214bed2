import { fork } from 'node:child_process';
import { WebSocket } from 'ws';
const child = fork(new URL('./writesrv.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'] });
const port: number = await new Promise((r) => child.once('message', (m: any) => r(m.port)));
const cpu = () => new Promise<number>((r) => { child.once('message', (m: any) => r(m.cpu)); child.send('x'); });
const sse = async (p: string) => { const res = await fetch(`http://127.0.0.1:${port}/${p}`, { method: 'POST' }); for await (const _ of res.body as any); };
const ws = async () => { const s = new WebSocket(`ws://127.0.0.1:${port}/ws`); await new Promise((r) => s.once('open', r)); await new Promise<void>((r) => { s.on('message', (d) => { if (String(d).includes('done')) r(); }); s.send('go'); }); s.terminate(); };
const S = 100;
for (const mode of ['hono', 'rs', 'direct', 'ws', 'hono', 'rs', 'direct', 'ws']) {
  const c0 = await cpu();
  await Promise.all(Array.from({ length: S }, (_, i) => new Promise((r) => setTimeout(r, (i * 1000) / S)).then(() => (mode === 'ws' ? ws() : sse(mode)))));
  console.log(mode.padEnd(7), 'server cpu ms/stream', ((await cpu() - c0) / S).toFixed(1));
}
child.kill(); process.exit(0);
