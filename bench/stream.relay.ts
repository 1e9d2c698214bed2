// The floor under the app's numbers, for bench/stream.bench.ts: two relays in their own process that do only the
// unavoidable part of streaming an answer (read the model's stream, write each piece to the client as an SSE event)
// and nothing the app adds (no auth, no database, no chunk log):
//   POST /bare       node:http to the model and hand-parsed SSE: what this machine costs for one relay hop;
//   POST /langchain  the app's own LangChain model (createLlmProvider, the same config): what the fixed stack costs.
// The same clients read them as read the app, so app − langchain is what the app itself adds.
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HumanMessage } from '@langchain/core/messages';
import { loadConfig } from '../api/src/config.js';
import { createLlmProvider } from '../api/src/llm/model-factory.js';

type Request = { id: number; op: 'cpu' } | { id: number; op: 'stop' };

const config = loadConfig(process.env);
const model = createLlmProvider(config).chatModel();
const modelUrl = new URL(`${config.OPENAI_BASE_URL}/chat/completions`);
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
const event = (seq: number, content: string) => `event: chunk\ndata: ${JSON.stringify({ content })}\nid: ${seq}\n\n`;

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  req.setEncoding('utf8');
  for await (const part of req) body += part;
  return body;
}

function bare(content: string, res: ServerResponse) {
  const body = JSON.stringify({ model: config.OPENAI_MODEL, stream: true, messages: [{ role: 'user', content }] });
  const up = httpRequest(modelUrl, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${config.OPENAI_API_KEY}` },
  });
  up.on('error', () => res.destroy());
  up.on('response', (upRes) => {
    res.writeHead(200, SSE_HEADERS);
    upRes.setEncoding('utf8');
    let buffer = '';
    let seq = 0;
    upRes.on('data', (text: string) => {
      buffer += text;
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const data = buffer.slice(buffer.indexOf('data:') + 5, cut).trim();
        buffer = buffer.slice(cut + 2);
        if (data !== '[DONE]') {
          const piece = (JSON.parse(data) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta
            ?.content;
          if (piece) res.write(event(++seq, piece));
        }
        cut = buffer.indexOf('\n\n');
      }
    });
    upRes.on('end', () => res.end('event: done\ndata: {}\n\n'));
  });
  up.end(body);
}

async function langchain(content: string, res: ServerResponse) {
  res.writeHead(200, SSE_HEADERS);
  let seq = 0;
  const signal = new AbortController().signal;
  // As the app's GenerationManager calls it (modelChunks): the model's own streaming generator.
  const prompt = [new HumanMessage(content)];
  for await (const chunk of model._streamResponseChunks(prompt, { signal } as typeof model.ParsedCallOptions)) {
    const text = chunk.message.content;
    if (typeof text === 'string' && text) res.write(event(++seq, text));
  }
  res.end('event: done\ndata: {}\n\n');
}

const server = createServer(async (req, res) => {
  try {
    const { content } = JSON.parse(await readBody(req)) as { content: string };
    if (req.url === '/bare') bare(content, res);
    else await langchain(content, res);
  } catch {
    res.destroy();
  }
});
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  process.send?.({ ready: true, port: (server.address() as AddressInfo).port });
});

process.on('message', (req: Request) => {
  if (req.op === 'cpu') {
    const cpu = process.cpuUsage();
    process.send?.({ id: req.id, cpuMs: (cpu.user + cpu.system) / 1000 });
  } else if (req.op === 'stop') {
    server.closeAllConnections();
    server.close();
    process.send?.({ id: req.id });
    process.exit(0);
  }
});
