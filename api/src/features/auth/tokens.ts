// The token service: issues access tokens for a login (device), and authenticates every request's credential (an
// access token or an API key) against the account, the login and the key, with a cache of verified credentials
// that every process drops the moment any process announces a revocation.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { PgListener } from '../../db/listener.js';
import type { AuthUser, UserRole } from '../../http/app-env.js';
import { errors } from '../../http/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { type AccessClaims, createAccessTokens, type SignedAccessToken } from './access-token.js';
import { hashSecret, isApiKey } from './api-key.js';
import { AUTH_CHANNEL, parseRevocation, type Revocation } from './revocations.js';

export interface IssuedToken extends SignedAccessToken {
  /** The login the token belongs to (a device in GET /api/auth/sessions). */
  sessionId: string;
}

export interface IssueOptions {
  /** Another token for an existing login (a refresh); otherwise a new login is recorded. */
  sessionId?: string;
  method?: 'password' | 'oidc' | 'token';
  userAgent?: string;
  ip?: string;
}

export interface TokenService {
  issue(userId: number, opts?: IssueOptions): Promise<IssuedToken>;
  /**
   * The user behind a bearer credential: signature, algorithm, expiry, the login not ended, the key not revoked or
   * expired, the account existing and active. Throws 401 AppErrors (UNAUTHORIZED, TOKEN_INVALID, TOKEN_EXPIRED).
   */
  authenticate(credential: string | undefined): Promise<AuthUser>;
  /** Logout: ends the login this access token descends from (its refresh tokens and every token of it). */
  revoke(user: AuthUser): Promise<void>;
  /** Ends logins of a user in the database, then announces it: one login, or all of them but `except`. */
  endSessions(userId: number, opts: { sessionId?: string; except?: string; reason: string }): Promise<void>;
  /**
   * Announces a change already stored (a key revoked, an account disabled, a role changed): every process drops its
   * cached copies and closes the sockets it ends. Resolves once this process has heard its own announcement.
   */
  publish(r: Revocation): Promise<void>;
  /** Called for every revocation any process announces (sockets close on those that end their credential). */
  onRevoked(cb: (r: Revocation) => void): () => void;
}

export interface TokenServiceOptions {
  db: Db;
  secret: string;
  expireMinutes: number;
  clock: Clock;
  /** Without a listener nothing is cached: every credential is checked against the database. */
  listener?: PgListener;
  logger?: Logger;
}

/** A verified credential is trusted from memory at most this long (revocations arrive by NOTIFY long before). */
const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 20_000;
/** How long publish() waits for its own NOTIFY to come back before answering anyway. */
const ECHO_WAIT_MS = 1_000;
/** After its own echo, publish() waits this much longer for the other processes to have read the same NOTIFY. */
const PEER_GRACE_MS = 50;
/** lastUsedAt of logins and keys is written at most this often (it is shown in lists, not used for decisions). */
const LAST_USED_EVERY = "interval '1 minute'";

interface CachedCredential {
  user: AuthUser;
  /** Trusted until then (the credential's own expiry is checked separately, on the injected clock). */
  until: number;
}

type AccountRow = {
  id: number;
  username: string;
  email: string;
  role: UserRole;
  is_active: boolean;
};

/**
 * Every token service of this process drops its copies at once when any of them publishes: two apps in one process
 * (tests, embedding) must not depend on which LISTEN socket Node reads first. Other processes hear the NOTIFY.
 */
const inProcessCaches = new Set<(r: Revocation) => void>();

export function createTokenService(opts: TokenServiceOptions): TokenService {
  const { db, clock, listener } = opts;
  const access = createAccessTokens(opts);
  const cache = new Map<string, CachedCredential>();
  const subscribers = new Set<(r: Revocation) => void>();
  const echoes = new Map<string, () => void>();

  const useCache = () => listener?.connected === true;
  const dropCached = (r: Revocation) => {
    for (const [key, entry] of cache) if (r.userId === entry.user.id) cache.delete(key);
  };
  const notifySubscribers = (r: Revocation) => {
    for (const cb of subscribers) {
      try {
        cb(r);
      } catch (err) {
        opts.logger?.warn({ err: { message: (err as Error).message } }, 'revocation subscriber failed');
      }
    }
  };
  const onRevocation = (payload: string) => {
    const r = parseRevocation(payload);
    if (!r) return;
    dropCached(r);
    echoes.get(payload)?.();
    notifySubscribers(r);
  };
  listener?.listen(AUTH_CHANNEL, onRevocation);
  inProcessCaches.add(dropCached);
  // While the listener is away a revocation could be missed: forget everything, and cache again once it is back.
  listener?.onConnectionChange(() => cache.clear());

  const remember = (credential: string, user: AuthUser) => {
    if (!useCache()) return;
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(credential, { user, until: Date.now() + CACHE_TTL_MS });
  };

  const fromCache = (credential: string): AuthUser | undefined => {
    if (!useCache()) return undefined;
    const entry = cache.get(credential);
    if (!entry) return undefined;
    if (entry.until < Date.now()) {
      cache.delete(credential);
      return undefined;
    }
    const expires = entry.user.tokenExpiresAt;
    if (expires && expires.getTime() <= clock.now().getTime()) throw errors.tokenExpired();
    return entry.user;
  };

  const activeAccount = (row: AccountRow | undefined): AccountRow => {
    if (!row) throw errors.tokenInvalid();
    if (!row.is_active) throw errors.tokenInvalid('This account is disabled');
    return row;
  };

  async function authenticateAccess(token: string): Promise<AuthUser> {
    const claims: AccessClaims = await access.verify(token);
    // One round trip: the account and whether the login is still open.
    const result = await db.execute<AccountRow & { ended: boolean; stale: boolean }>(sql`
      select u.id, u.username, u.email, u.role, u.is_active, s.revoked_at is not null as ended,
             s.last_used_at < now() - ${sql.raw(LAST_USED_EVERY)} as stale
      from users u join auth_sessions s on s.id = ${claims.sessionId} and s.user_id = u.id
      where u.id = ${claims.userId}`);
    const row = result.rows[0];
    if (row?.ended) throw errors.tokenInvalid();
    const account = activeAccount(row);
    if (row?.stale) {
      db.execute(sql`update auth_sessions set last_used_at = now() where id = ${claims.sessionId}`).catch(() => {});
    }
    return {
      id: account.id,
      username: account.username,
      email: account.email,
      role: account.role,
      credential: 'access',
      jti: claims.jti,
      tokenExpiresAt: claims.expiresAt,
      sessionId: claims.sessionId,
      apiKeyId: null,
    };
  }

  async function authenticateKey(key: string): Promise<AuthUser> {
    const result = await db.execute<
      AccountRow & { key_id: number; expires_at: string | Date | null; revoked: boolean; stale: boolean }
    >(sql`
      select u.id, u.username, u.email, u.role, u.is_active, k.id as key_id, k.expires_at,
             k.revoked_at is not null as revoked,
             (k.last_used_at is null or k.last_used_at < now() - ${sql.raw(LAST_USED_EVERY)}) as stale
      from api_keys k join users u on u.id = k.user_id
      where k.key_hash = ${hashSecret(key)}`);
    const row = result.rows[0];
    if (row?.revoked) throw errors.tokenInvalid();
    const account = activeAccount(row);
    const expiresAt = row?.expires_at ? new Date(row.expires_at) : null;
    if (expiresAt && expiresAt.getTime() <= clock.now().getTime()) throw errors.tokenExpired();
    if (row?.stale) db.execute(sql`update api_keys set last_used_at = now() where id = ${row.key_id}`).catch(() => {});
    return {
      id: account.id,
      username: account.username,
      email: account.email,
      role: account.role,
      credential: 'apikey',
      jti: `key:${row!.key_id}`,
      tokenExpiresAt: expiresAt,
      sessionId: null,
      apiKeyId: row!.key_id,
    };
  }

  const service: TokenService = {
    async issue(userId, o = {}) {
      let sessionId = o.sessionId;
      if (!sessionId) {
        sessionId = randomBytes(18).toString('base64url');
        await db.execute(sql`
          insert into auth_sessions (id, user_id, method, user_agent, ip)
          values (${sessionId}, ${userId}, ${o.method ?? 'token'}, ${o.userAgent?.slice(0, 512) ?? null},
                  ${o.ip ?? null})`);
      }
      return { ...(await access.sign(userId, sessionId)), sessionId };
    },

    async authenticate(credential) {
      if (!credential) throw errors.unauthorized();
      const cached = fromCache(credential);
      if (cached) return cached;
      const user = isApiKey(credential) ? await authenticateKey(credential) : await authenticateAccess(credential);
      remember(credential, user);
      return user;
    },

    async revoke(user) {
      if (user.sessionId) await service.endSessions(user.id, { sessionId: user.sessionId, reason: 'logout' });
    },

    async endSessions(userId, o) {
      await db.execute(sql`
        update auth_sessions set revoked_at = now(), revoked_reason = ${o.reason}
        where user_id = ${userId} and revoked_at is null
          ${o.sessionId ? sql`and id = ${o.sessionId}` : sql``}
          ${o.except ? sql`and id <> ${o.except}` : sql``}`);
      await service.publish(
        o.sessionId
          ? { scope: 'session', userId, sessionId: o.sessionId }
          : { scope: 'sessions', userId, ...(o.except ? { exceptSessionId: o.except } : {}) },
      );
    },

    async publish(r) {
      // Dropped here first, so this process never serves a stale copy, whatever the notification does.
      for (const drop of inProcessCaches) drop(r);
      const payload = JSON.stringify(r);
      const heard = listener?.connected
        ? new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, ECHO_WAIT_MS);
            timer.unref();
            echoes.set(payload, () => {
              clearTimeout(timer);
              resolve();
            });
          })
        : undefined;
      try {
        await db.execute(sql`select pg_notify(${AUTH_CHANNEL}, ${payload})`);
        // Other processes got the same notification at the same moment; once this one has it, so (in practice)
        // have they, and the client's next request on any of them is refused.
        await heard;
        // The others got it at the same moment but may be busier than this one: a little more, so the client's
        // next request (a few ms away) finds every process already refusing the credential.
        if (heard) await new Promise((resolve) => setTimeout(resolve, PEER_GRACE_MS));
      } finally {
        echoes.delete(payload);
      }
      // Without a LISTEN connection this process hears nothing back: tell its own subscribers directly.
      if (!heard) notifySubscribers(r);
    },

    onRevoked(cb) {
      subscribers.add(cb);
      return () => subscribers.delete(cb);
    },
  };
  return service;
}
