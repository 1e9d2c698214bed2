// The WebSocket's Origin check on real requests through Hono: the page's own host (any port), ALLOWED_ORIGINS, no
// Origin at all; refused: other hosts, other ports, "null", non-web schemes, a forwarded host unless TRUST_PROXY.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createOriginCheck } from './same-origin.js';

function appWith(trustProxy: boolean) {
  const check = createOriginCheck(['https://app.example'], trustProxy);
  return new Hono().get('/', (c) => c.text(check(c) ? 'ok' : 'refused'));
}

async function verdict(trustProxy: boolean, headers: Record<string, string>) {
  const res = await appWith(trustProxy).request('http://ignored/', { headers });
  return res.text();
}

describe('createOriginCheck', () => {
  it('accepts the page’s own host on any port, a listed origin, and no Origin', async () => {
    expect(await verdict(false, { host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' })).toBe('ok');
    expect(await verdict(false, { host: '192.168.1.20:8080', origin: 'http://192.168.1.20:8080' })).toBe('ok');
    expect(await verdict(false, { host: 'Chat.Example.com', origin: 'https://chat.example.com' })).toBe('ok');
    // A TLS proxy's hop is plain http with the browser's Host: the scheme is not compared, the host is.
    expect(await verdict(false, { host: 'chat.example.com', origin: 'https://chat.example.com:443' })).toBe('ok');
    expect(await verdict(false, { host: 'elsewhere:1', origin: 'https://app.example' })).toBe('ok');
    expect(await verdict(false, { host: 'localhost:3000' })).toBe('ok');
  });

  it('refuses other hosts and ports, opaque and non-web origins', async () => {
    expect(await verdict(false, { host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3001' })).toBe('refused');
    expect(await verdict(false, { host: '127.0.0.1:3000', origin: 'http://localhost:3000' })).toBe('refused');
    expect(await verdict(false, { host: 'chat.example.com', origin: 'https://chat.example.com.evil.example' })).toBe(
      'refused',
    );
    expect(await verdict(false, { host: 'chat.example.com', origin: 'null' })).toBe('refused');
    expect(await verdict(false, { host: 'chat.example.com', origin: 'file://chat.example.com' })).toBe('refused');
    expect(await verdict(false, { host: 'chat.example.com', origin: 'not a url' })).toBe('refused');
  });

  it('takes X-Forwarded-Host only from a trusted proxy', async () => {
    const forwarded = { host: 'api:8080', 'x-forwarded-host': 'chat.example.com', origin: 'https://chat.example.com' };
    expect(await verdict(true, forwarded)).toBe('ok');
    expect(await verdict(false, forwarded)).toBe('refused');
    expect(await verdict(false, { ...forwarded, host: 'chat.example.com' })).toBe('ok');
  });
});
