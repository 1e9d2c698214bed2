// Listening: an app served on a port with WebSocket upgrades. main.ts, the tests and the benchmarks all serve this way.
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { WebSocketServer } from 'ws';
import { serveDirect } from './http/text-stream.js';

/** The most a WebSocket message may be (the `ws` default is 100 MiB): a 10,000-character message in JSON is far below. */
export const WS_MAX_PAYLOAD = 64 * 1024;

export interface RunningServer {
  server: Server;
  wss: WebSocketServer;
  port: number;
  /** `http://host:port`, with IPv6 hosts in brackets. */
  url: string;
  /** Drops every socket at once and stops listening (tests, benchmarks; main.ts runs its own ordered shutdown). */
  close(): Promise<void>;
}

/**
 * Listens with a deep accept queue: a burst of streams (each a new connection) queues instead of being reset
 * (Node's default backlog is 511). Rejects on a listen error (EADDRINUSE…) instead of throwing from an event.
 */
export function startServer(
  fetch: (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>,
  opts: { port: number; host: string; servedByHeader?: boolean },
): Promise<RunningServer> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  // Streaming text responses (SSE) go straight to the socket (http/text-stream.ts); the rest as node-server writes them.
  const serve = async (request: Request, env: HttpBindings | Http2Bindings) => {
    // writeHead merges headers set before it, so every response (streams included) carries it.
    if (opts.servedByHeader) (env.outgoing as ServerResponse).setHeader('x-served-by', String(process.pid));
    const res = await fetch(request, env);
    // This server is HTTP/1.1 (createAdaptorServer's default), so the response is a ServerResponse.
    return serveDirect(res, env.outgoing as ServerResponse) ? RESPONSE_ALREADY_SENT : res;
  };
  const server = createAdaptorServer({ fetch: serve, websocket: { server: wss } }) as Server;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port, host: opts.host, backlog: 4096 }, () => {
      server.off('error', reject);
      const { address, port } = server.address() as AddressInfo;
      resolve({
        server,
        wss,
        port,
        url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
        async close() {
          for (const client of wss.clients) client.terminate();
          wss.close();
          server.closeAllConnections();
          await new Promise<void>((r) => server.close(() => r()));
        },
      });
    });
  });
}
