// Tests of client IP resolution: the socket peer, and X-Forwarded-For only behind a trusted proxy.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientIp } from './client-ip.js';

function appFor(trustProxy: boolean) {
  return new Hono().get('/', (c) => c.text(clientIp(c, trustProxy)));
}
/** What @hono/node-server passes as env: the Node request, whose socket knows the peer. */
const nodeEnv = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

describe('clientIp', () => {
  it('uses the socket peer and ignores X-Forwarded-For when TRUST_PROXY is off', async () => {
    const res = await appFor(false).request(
      '/',
      { headers: { 'x-forwarded-for': '203.0.113.9' } },
      nodeEnv('10.0.0.5'),
    );
    expect(await res.text()).toBe('10.0.0.5');
  });

  it("takes X-Forwarded-For's first hop, then X-Real-IP, when TRUST_PROXY is on", async () => {
    const app = appFor(true);
    const xff = await app.request(
      '/',
      { headers: { 'x-forwarded-for': ' 203.0.113.9 , 10.0.0.1', 'x-real-ip': '198.51.100.1' } },
      nodeEnv('10.0.0.5'),
    );
    expect(await xff.text()).toBe('203.0.113.9');
    const real = await app.request('/', { headers: { 'x-real-ip': '198.51.100.1' } }, nodeEnv('10.0.0.5'));
    expect(await real.text()).toBe('198.51.100.1');
    const none = await app.request('/', {}, nodeEnv('10.0.0.5'));
    expect(await none.text()).toBe('10.0.0.5');
  });

  it('answers "unknown" when there is no socket (app.request in tests)', async () => {
    expect(await (await appFor(false).request('/')).text()).toBe('unknown');
  });
});
