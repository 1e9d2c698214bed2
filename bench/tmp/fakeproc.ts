import { startFakeOpenAI } from '../../api/test/fake-openai.js';
const reply = Array.from({ length: Number(process.env.TOK ?? 100) }, (_, i) => `w${i}`).join(' ');
const fake = await startFakeOpenAI({ reply, chunkDelayMs: Number(process.env.D ?? 30) });
process.send?.({ url: fake.url });
