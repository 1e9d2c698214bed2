// Listening: an app served on a port with WebSocket upgrades. main.ts, the tests and the benchmarks all serve this way.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { WebSocketServer } from 'ws';

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
  fetch: (request: Request) => Response | Promise<Response>,
  opts: { port: number; host: string },
): Promise<RunningServer> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  const server = createAdaptorServer({ fetch, websocket: { server: wss } }) as Server;
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
