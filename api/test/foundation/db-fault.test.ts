// The database going away and coming back: a TCP proxy between the pool and PostgreSQL is cut, then restored.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppInstance, createApp } from '../../src/app.js';
import { connectDatabase, type Database } from '../../src/db/client.js';
import { freePort } from '../../src/db/embedded.js';
import { createLogger } from '../../src/lib/logger.js';
import { call, createTestDatabase, testConfig } from '../harness.js';

/** A loopback TCP proxy that can be stopped (every connection cut, port closed) and started again on the same port. */
function tcpProxy(listenPort: number, target: { host: string; port: number }) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    async start() {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(listenPort, '127.0.0.1', () => resolve());
      });
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    },
  };
}

describe('database outage', () => {
  let direct: { url: string; database: Database; drop(): Promise<void> };
  let proxied: Database;
  let proxy: ReturnType<typeof tcpProxy>;
  let instance: AppInstance;
  let token: string;

  beforeAll(async () => {
    direct = await createTestDatabase();
    const target = new URL(direct.url);
    const port = await freePort();
    proxy = tcpProxy(port, { host: target.hostname, port: Number(target.port) });
    await proxy.start();
    const viaProxy = new URL(direct.url);
    viaProxy.port = String(port);
    proxied = connectDatabase(viaProxy.toString(), { max: 4, logger: createLogger('silent') });
    instance = createApp({ config: testConfig(), database: proxied, logger: createLogger('silent') });
    const u = { username: 'outage', email: 'outage@example.com', password: 'Str0ngPassword' };
    expect((await call(instance.app, 'POST', '/api/auth/register', { body: u })).status).toBe(201);
    token = (await call(instance.app, 'POST', '/api/auth/login', { body: u })).body.accessToken;
  });
  afterAll(async () => {
    await proxy.stop();
    await instance.close(1000);
    await proxied.close();
    await direct.drop();
  });

  it('answers 503 SERVICE_UNAVAILABLE while the database is away, then works again without a restart', async () => {
    expect((await call(instance.app, 'GET', '/api/ready')).status).toBe(200);
    expect((await call(instance.app, 'GET', '/api/auth/me', { token })).status).toBe(200);

    await proxy.stop();

    const ready = await call(instance.app, 'GET', '/api/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.detail.code).toBe('SERVICE_UNAVAILABLE');
    expect(ready.headers.get('retry-after')).toBeTruthy();
    const me = await call(instance.app, 'GET', '/api/auth/me', { token });
    expect(me.status).toBe(503);
    expect(me.body.detail.code).toBe('SERVICE_UNAVAILABLE');
    const login = await call(instance.app, 'POST', '/api/auth/login', {
      body: { username: 'outage', password: 'Str0ngPassword' },
    });
    expect(login.status).toBe(503);
    // The message says nothing about the database's address or the driver.
    expect(JSON.stringify([ready.body, me.body, login.body])).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|pg|terminated/i);
    // Liveness does not depend on the database: the process is up.
    expect((await call(instance.app, 'GET', '/api/health')).status).toBe(200);

    await proxy.start();

    expect((await call(instance.app, 'GET', '/api/ready')).status).toBe(200);
    const back = await call(instance.app, 'GET', '/api/auth/me', { token });
    expect(back.status).toBe(200);
    expect(back.body.username).toBe('outage');
  });

  it('recovers the same way when connections are cut mid-use rather than refused', async () => {
    // Warm the pool, then cut every open connection and bring the proxy straight back.
    await Promise.all([1, 2, 3].map(() => call(instance.app, 'GET', '/api/auth/me', { token })));
    await proxy.stop();
    await proxy.start();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(instance.app, 'GET', '/api/auth/me', { token })).status);
    // Never a 500: at worst a 503 while a dead pooled connection is noticed, then 200s.
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(statuses.at(-1)).toBe(200);
  });
});
