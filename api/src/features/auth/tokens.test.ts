// Unit tests of the token service: HS256 pinned, claims, expiry on an injected clock, revocation.
import { createHmac } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/harness.js';
import type { Database } from '../../db/client.js';
import { users } from '../../db/schema/index.js';
import { AppError } from '../../http/app-error.js';
import { createTokenService } from './tokens.js';

const SECRET = 'unit-test-secret-key-0123456789-abcdefghijkl';

/** A settable clock: tokens are issued and checked "at" whatever time the test says. */
function testClock(start = new Date('2030-01-01T00:00:00Z')) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Signs by hand, so the test controls the header completely (alg none, HS512…). */
function handSigned(header: object, payload: object, sign: (input: string) => string) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${sign(input)}`;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(401);
    return (err as AppError).code;
  }
  throw new Error('expected a 401 AppError');
}

describe('token service', () => {
  let db: { database: Database; drop(): Promise<void> };
  let userId: number;
  beforeAll(async () => {
    db = await createTestDatabase();
    const [row] = await db.database.db
      .insert(users)
      .values({ username: 'token_user', email: 'token@example.com', passwordHash: 'x' })
      .returning();
    userId = row!.id;
  });
  afterAll(async () => db.drop());

  const service = (clock = testClock()) =>
    createTokenService({ db: db.database.db, secret: SECRET, expireMinutes: 30, clock });

  it('issues an HS256 JWT with sub, iat, exp and a unique jti', async () => {
    const clock = testClock();
    const tokens = service(clock);
    const a = await tokens.issue(userId);
    const b = await tokens.issue(userId);
    expect(decodeProtectedHeader(a.accessToken).alg).toBe('HS256');
    const claims = decodeJwt(a.accessToken);
    const iat = Math.floor(clock.now().getTime() / 1000);
    expect(claims).toMatchObject({ sub: String(userId), iat, exp: iat + 30 * 60, jti: a.jti });
    expect(a.expiresIn).toBe(1800);
    expect(a.expiresAt.getTime()).toBe((iat + 1800) * 1000);
    expect(b.jti).not.toBe(a.jti);
    const user = await tokens.authenticate(a.accessToken);
    expect(user).toMatchObject({ id: userId, username: 'token_user', email: 'token@example.com', jti: a.jti });
  });

  it('refuses a missing token with UNAUTHORIZED', async () => {
    expect(await codeOf(service().authenticate(undefined))).toBe('UNAUTHORIZED');
  });

  it('refuses alg "none" with TOKEN_INVALID', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = handSigned(
      { alg: 'none', typ: 'JWT' },
      { sub: String(userId), iat: now, exp: now + 60, jti: 'n' },
      () => '',
    );
    expect(await codeOf(service(testClock(new Date())).authenticate(unsigned))).toBe('TOKEN_INVALID');
  });

  it('refuses HS512 signed with the right key: the algorithm is pinned', async () => {
    const now = Math.floor(Date.now() / 1000);
    const hs512 = handSigned(
      { alg: 'HS512', typ: 'JWT' },
      { sub: String(userId), iat: now, exp: now + 60, jti: 'hs512' },
      (input) => createHmac('sha512', SECRET).update(input).digest('base64url'),
    );
    expect(await codeOf(service(testClock(new Date())).authenticate(hs512))).toBe('TOKEN_INVALID');
  });

  it('refuses HS256 signed with another key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(userId))
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .setJti('forged')
      .sign(new TextEncoder().encode('another-secret-key-of-enough-length-0123456789'));
    expect(await codeOf(service(testClock(new Date())).authenticate(forged))).toBe('TOKEN_INVALID');
  });

  it('refuses a well-signed token missing jti or with a non-numeric sub', async () => {
    const key = new TextEncoder().encode(SECRET);
    const now = Math.floor(Date.now() / 1000);
    const noJti = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(userId))
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(key);
    const badSub = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .setJti('x')
      .sign(key);
    const tokens = service(testClock(new Date()));
    expect(await codeOf(tokens.authenticate(noJti))).toBe('TOKEN_INVALID');
    expect(await codeOf(tokens.authenticate(badSub))).toBe('TOKEN_INVALID');
  });

  it('refuses a token past its expiry with TOKEN_EXPIRED, using the injected clock', async () => {
    const clock = testClock();
    const tokens = service(clock);
    const { accessToken } = await tokens.issue(userId);
    clock.advance(29 * 60_000);
    expect((await tokens.authenticate(accessToken)).id).toBe(userId);
    clock.advance(2 * 60_000);
    expect(await codeOf(tokens.authenticate(accessToken))).toBe('TOKEN_EXPIRED');
  });

  it('refuses a revoked token with TOKEN_INVALID, and revoking twice is harmless', async () => {
    const tokens = service(testClock(new Date()));
    const { accessToken } = await tokens.issue(userId);
    const user = await tokens.authenticate(accessToken);
    await tokens.revoke(user);
    await tokens.revoke(user);
    expect(await codeOf(tokens.authenticate(accessToken))).toBe('TOKEN_INVALID');
  });
});
