// The open WebSockets of this process and what may keep one open: its credential (checked on every frame, the
// socket closed the moment any process announces a revocation that ends it, and at the credential's expiry), a cap
// on sockets per user, a frame budget per socket, and a ping that drops sockets whose peer vanished.
import type { ErrorCode, WsServerMessage } from '@chatbot/shared';
import type { WebSocket } from 'ws';
import type { PgListener } from '../../db/listener.js';
import type { AuthUser } from '../../http/app-env.js';
import { toAppError } from '../../http/error-handler.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { type Revocation, revokes } from '../auth/revocations.js';
import type { TokenService } from '../auth/tokens.js';

/** Close codes the server uses (documented in the README and the OpenAPI document). */
export const WS_CLOSE = {
  /** The credential ended (revoked anywhere, expired, the account disabled): sign in again, then reconnect. */
  POLICY_VIOLATION: 1008,
  /** This user has too many sockets open on this server: close one, or retry later. */
  TRY_AGAIN_LATER: 1013,
} as const;

export interface WsLimits {
  /** Sockets one user may hold open on one API process. */
  maxSocketsPerUser: number;
  /** Frames a socket may send at once… */
  frameBurst: number;
  /** …and per second after that (a token bucket). */
  framesPerSecond: number;
}

export const DEFAULT_WS_LIMITS: WsLimits = { maxSocketsPerUser: 20, frameBurst: 20, framesPerSecond: 10 };

/** Sockets that miss one pong within this interval are dropped (a vanished peer otherwise lingers). */
const PING_INTERVAL_MS = 30_000;
/** How often credentials are compared with the clock: a socket closes within this long of its token's expiry. */
const EXPIRY_CHECK_MS = 500;

/** A token bucket: `burst` at once, refilled at `perSecond`; counting costs no I/O. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
  ) {
    this.tokens = burst;
  }

  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** One open socket as the registry sees it. */
export interface GuardedSocket {
  user: AuthUser;
  /** The credential the socket was opened with (?token=): an access token or an API key. */
  token: string;
  frames: TokenBucket;
  alive: boolean;
  ended: boolean;
  raw: WebSocket;
  send(msg: WsServerMessage): void;
}

export interface SocketRegistryOptions {
  tokens: TokenService;
  listener: Pick<PgListener, 'onConnectionChange'>;
  clock: Clock;
  logger: Logger;
  limits?: Partial<WsLimits>;
}

const CREDENTIAL_ENDED = new Set<ErrorCode>(['UNAUTHORIZED', 'TOKEN_INVALID', 'TOKEN_EXPIRED']);

export class SocketRegistry {
  readonly limits: WsLimits;
  private readonly byUser = new Map<number, Set<GuardedSocket>>();
  private readonly timers: NodeJS.Timeout[];
  private readonly unsubscribe: (() => void)[];

  constructor(private readonly opts: SocketRegistryOptions) {
    this.limits = { ...DEFAULT_WS_LIMITS, ...opts.limits };
    this.timers = [setInterval(() => this.ping(), PING_INTERVAL_MS), setInterval(() => this.expire(), EXPIRY_CHECK_MS)];
    for (const t of this.timers) t.unref();
    this.unsubscribe = [
      opts.tokens.onRevoked((r) => this.revoked(r)),
      // A revocation announced while LISTEN was away was not heard: check every socket once it is back.
      opts.listener.onConnectionChange((up) => {
        if (up) void this.recheckAll();
      }),
    ];
  }

  /** Open sockets on this process. */
  get size(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  /** Registers an opened socket; ends it (1013, LIMIT_REACHED first) when its user already has the most. */
  admit(s: GuardedSocket): boolean {
    const set = this.byUser.get(s.user.id) ?? new Set();
    if (set.size >= this.limits.maxSocketsPerUser) {
      const message = `Too many open connections (at most ${this.limits.maxSocketsPerUser} per user). Close one and retry.`;
      this.end(s, WS_CLOSE.TRY_AGAIN_LATER, 'too many connections', { code: 'LIMIT_REACHED', message });
      return false;
    }
    set.add(s);
    this.byUser.set(s.user.id, set);
    s.raw.on('pong', () => {
      s.alive = true;
    });
    // A client's own ping costs a credential check too, within the same budget as other frames.
    s.raw.on('ping', () => {
      if (s.frames.take()) void this.checkCredential(s);
    });
    return true;
  }

  release(s: GuardedSocket) {
    s.ended = true;
    const set = this.byUser.get(s.user.id);
    set?.delete(s);
    if (set && !set.size) this.byUser.delete(s.user.id);
  }

  /** Within the socket's frame budget; a refused frame gets RATE_LIMITED and costs no database query. */
  takeFrame(s: GuardedSocket): boolean {
    if (s.frames.take()) return true;
    s.send({ type: 'error', code: 'RATE_LIMITED', message: 'Too many messages on this connection. Slow down.' });
    return false;
  }

  /**
   * The socket's credential still holds (the token service's cache while LISTEN is up, else the database). Ended
   * credentials close the socket (1008); a database that is away refuses only this frame.
   */
  async checkCredential(s: GuardedSocket): Promise<boolean> {
    if (s.ended) return false;
    try {
      await this.opts.tokens.authenticate(s.token);
      return !s.ended;
    } catch (err) {
      const e = toAppError(err);
      if (CREDENTIAL_ENDED.has(e.code)) {
        this.end(s, WS_CLOSE.POLICY_VIOLATION, e.code === 'TOKEN_EXPIRED' ? 'token expired' : 'token revoked', e);
      } else {
        if (e.status >= 500) this.opts.logger.warn({ code: e.code }, 'websocket credential check failed');
        s.send({ type: 'error', code: e.code, message: e.message });
      }
      return false;
    }
  }

  close() {
    for (const t of this.timers) clearInterval(t);
    for (const u of this.unsubscribe) u();
  }

  /** Sends the reason as an `error` frame, then closes. */
  private end(s: GuardedSocket, code: number, reason: string, error: { code: ErrorCode; message: string }) {
    if (s.ended) return;
    s.send({ type: 'error', code: error.code, message: error.message });
    this.release(s);
    try {
      s.raw.close(code, reason);
    } catch {
      s.raw.terminate();
    }
  }

  private all(): GuardedSocket[] {
    return [...this.byUser.values()].flatMap((set) => [...set]);
  }

  private revoked(r: Revocation) {
    for (const s of this.byUser.get(r.userId) ?? []) {
      if (!revokes(r, s.user)) continue;
      const message = r.scope === 'user' ? 'This account can no longer sign in' : 'Token has been revoked';
      this.end(s, WS_CLOSE.POLICY_VIOLATION, 'token revoked', { code: 'TOKEN_INVALID', message });
    }
  }

  private expire() {
    const now = this.opts.clock.now().getTime();
    for (const s of this.all()) {
      const expires = s.user.tokenExpiresAt?.getTime();
      if (expires !== undefined && expires <= now) {
        const error = { code: 'TOKEN_EXPIRED' as const, message: 'Token has expired' };
        this.end(s, WS_CLOSE.POLICY_VIOLATION, 'token expired', error);
      }
    }
  }

  private async recheckAll() {
    // One at a time: after an outage every socket's check is a query, and the pool serves requests too.
    for (const s of this.all()) await this.checkCredential(s);
  }

  /** Ping every socket, drop those that did not answer the previous ping, and check each one's credential. */
  private ping() {
    for (const s of this.all()) {
      if (!s.alive) {
        this.release(s);
        s.raw.terminate();
        continue;
      }
      s.alive = false;
      try {
        s.raw.ping();
      } catch {
        s.raw.terminate();
        continue;
      }
      void this.checkCredential(s);
    }
  }
}
