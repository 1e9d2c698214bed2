// The model for bench/stream.bench.ts in its own process: the repo's fake OpenAI-compatible server with a fixed token
// delay, so the clients, the app and the model never share an event loop. Answers the benchmark over IPC.
import { lastUserText, startFakeOpenAI } from '../api/test/fake-openai.js';

type Request = { id: number; op: 'requests' } | { id: number; op: 'stop' };

const tokens = Number(process.env.BENCH_TOKENS ?? 100);
const reply = Array.from({ length: tokens }, (_, i) => `w${i}`).join(' ');
const fake = await startFakeOpenAI({ reply, chunkDelayMs: Number(process.env.BENCH_TOKEN_DELAY_MS ?? 30) });

process.on('message', async (req: Request) => {
  if (req.op === 'requests') {
    // When each question arrived (by its text), then forgotten: each run reads only its own.
    const arrived = fake.chatRequests().map((r) => [lastUserText(r.body), r.at] as const);
    fake.requests.length = 0;
    process.send?.({ id: req.id, arrived });
  } else if (req.op === 'stop') {
    await fake.close();
    process.send?.({ id: req.id });
    process.exit(0);
  }
});
process.send?.({ ready: true, url: fake.url });
