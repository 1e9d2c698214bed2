// The socket registry alone, with a stand-in token service and sockets: what it checks on a client's ping, when the
// database is away, and after LISTEN comes back (a revocation announced meanwhile was not heard).
import { EventEmitter } from 'node:events';
import type { WsServerMessage } from '@chatbot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { FakeListener, silentLogger } from '../../../test/stream/fakes.js';
import type { AuthUser } from '../../http/app-env.js';
import { AppError, errors } from '../../http/app-error.js';
import type { TokenService } from '../auth/tokens.js';
import { type GuardedSocket, SocketRegistry, TokenBucket } from './socket-registry.js';

class FakeRaw extends EventEmitter {
  closedWith: { code: number; reason: string } | undefined;
  close(code: number, reason: string) {
    this.closedWith = { code, reason };
  }
  terminate() {
    this.closedWith = { code: 1006, reason: '' };
  }
  ping() {}
}

const user: AuthUser = {
  id: 7,
  username: 'u',
  email: 'u@example.com',
  role: 'user',
  credential: 'access',
  jti: 'j',
  tokenExpiresAt: null,
  sessionId: 'login-1',
  apiKeyId: null,
};

/** A token service whose verdict the test sets: valid, revoked, or the database away. */
function fakeTokens() {
  let verdict: 'ok' | 'revoked' | 'away' = 'ok';
  const service = {
    calls: 0,
    set(v: typeof verdict) {
      verdict = v;
    },
    async authenticate() {
      service.calls++;
      if (verdict === 'revoked') throw errors.tokenInvalid();
      if (verdict === 'away') throw new AppError('SERVICE_UNAVAILABLE', 'The database is away');
      return user;
    },
    onRevoked: () => () => {},
  };
  return service;
}

const registries: SocketRegistry[] = [];
afterEach(() => {
  for (const r of registries.splice(0)) r.close();
});

function setup() {
  const tokens = fakeTokens();
  const listener = new FakeListener();
  const registry = new SocketRegistry({
    tokens: tokens as unknown as TokenService,
    listener,
    clock: { now: () => new Date() },
    logger: silentLogger,
  });
  registries.push(registry);
  const socket = () => {
    const raw = new FakeRaw();
    const sent: WsServerMessage[] = [];
    const s: GuardedSocket = {
      user,
      token: 't',
      frames: new TokenBucket(2, 1),
      alive: true,
      ended: false,
      raw: raw as unknown as WebSocket,
      send: (m) => sent.push(m),
    };
    expect(registry.admit(s)).toBe(true);
    return { s, raw, sent };
  };
  return { tokens, listener, registry, socket };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('SocketRegistry', () => {
  it('checks the credential on a client ping and closes with 1008 once it is revoked', async () => {
    const { tokens, socket } = setup();
    const { raw, sent } = socket();
    raw.emit('ping');
    await tick();
    expect(tokens.calls).toBe(1);
    expect(raw.closedWith).toBeUndefined();
    tokens.set('revoked');
    raw.emit('ping');
    await tick();
    expect(raw.closedWith).toEqual({ code: 1008, reason: 'token revoked' });
    expect(sent.at(-1)).toMatchObject({ type: 'error', code: 'TOKEN_INVALID' });
  });

  it('refuses only the frame while the database is away, and keeps the socket', async () => {
    const { tokens, socket, registry } = setup();
    const { s, raw, sent } = socket();
    tokens.set('away');
    expect(await registry.checkCredential(s)).toBe(false);
    expect(sent.at(-1)).toMatchObject({ type: 'error', code: 'SERVICE_UNAVAILABLE' });
    expect(raw.closedWith).toBeUndefined();
    tokens.set('ok');
    expect(await registry.checkCredential(s)).toBe(true);
  });

  it('re-checks every socket when LISTEN comes back, closing those revoked meanwhile', async () => {
    const { tokens, listener, socket, registry } = setup();
    const a = socket();
    const b = socket();
    tokens.set('revoked');
    for (const cb of listener.changes) cb(false);
    for (const cb of listener.changes) cb(true);
    await new Promise((r) => setTimeout(r, 10));
    expect(a.raw.closedWith?.code).toBe(1008);
    expect(b.raw.closedWith?.code).toBe(1008);
    expect(registry.size).toBe(0);
  });

  it('spends no credential check on frames over the budget', async () => {
    const { tokens, socket, registry } = setup();
    const { s, raw, sent } = socket();
    for (let i = 0; i < 5; i++) raw.emit('ping');
    await tick();
    expect(tokens.calls).toBe(2);
    expect(registry.takeFrame(s)).toBe(false);
    expect(sent.at(-1)).toMatchObject({ type: 'error', code: 'RATE_LIMITED' });
  });
});
