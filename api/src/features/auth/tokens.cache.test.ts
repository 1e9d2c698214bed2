// The token service across processes: verified credentials are served from memory, and a revocation announced by
// any process (logout, a device, every login, a key, a disabled account) is refused by every other one at once.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/harness.js';
import { createPgListener, type PgListener } from '../../db/listener.js';
import { apiKeys, users } from '../../db/schema/index.js';
import { AppError } from '../../http/app-error.js';
import { systemClock } from '../../lib/clock.js';
import { createLogger } from '../../lib/logger.js';
import { generateApiKey } from './api-key.js';
import type { Revocation } from './revocations.js';
import { createTokenService, type TokenService } from './tokens.js';

const SECRET = 'cache-test-secret-key-0123456789-abcdefghijkl';
const logger = createLogger('silent');

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).code;
  }
  throw new Error('expected an AppError');
}

/**
 * The code another process answers once the revocation's NOTIFY has reached it. publish() returns when its own
 * process heard the echo; a second LISTEN connection in the same event loop may read the same notification a
 * moment later, so the other "process" is asked until it refuses (bounded: far below any client's next request).
 */
async function refusedOn(service: TokenService, credential: string): Promise<string> {
  let code = '';
  await expect
    .poll(
      async () => {
        code = await codeOf(service.authenticate(credential));
        return code;
      },
      { timeout: 1_000, interval: 5 },
    )
    .not.toBe('');
  return code;
}

describe('token service across processes', () => {
  let db: TestDatabase;
  const listeners: PgListener[] = [];
  let a: TokenService;
  let b: TokenService;
  let n = 0;

  const process = async () => {
    const listener = createPgListener({ connection: db.database.pool.options, logger });
    listeners.push(listener);
    expect(await listener.ready()).toBe(true);
    return createTokenService({ db: db.database.db, secret: SECRET, expireMinutes: 30, clock: systemClock, listener });
  };
  const newUser = async () => {
    n += 1;
    const [row] = await db.database.db
      .insert(users)
      .values({ username: `cache_${n}`, email: `cache_${n}@example.com`, passwordHash: 'x' })
      .returning({ id: users.id });
    return row!.id;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await process();
    b = await process();
  });
  afterAll(async () => {
    for (const l of listeners) await l.close();
    await db.drop();
  });

  it('serves a verified token from memory: no query once it is known', async () => {
    const userId = await newUser();
    const { accessToken } = await a.issue(userId);
    await a.authenticate(accessToken);
    let queries = 0;
    const count = () => {
      queries += 1;
    };
    db.database.pool.on('acquire', count);
    try {
      for (let i = 0; i < 20; i++) expect((await a.authenticate(accessToken)).id).toBe(userId);
    } finally {
      db.database.pool.off('acquire', count);
    }
    expect(queries).toBe(0);
  });

  it('refuses on B, at once, a login ended on A after B had cached it', async () => {
    const userId = await newUser();
    const { accessToken } = await a.issue(userId);
    const user = await b.authenticate(accessToken);
    expect(user.sessionId).toBeTruthy();
    await a.revoke(await a.authenticate(accessToken));
    expect(await refusedOn(b, accessToken)).toBe('TOKEN_INVALID');
    expect(await codeOf(a.authenticate(accessToken))).toBe('TOKEN_INVALID');
  });

  it('ends every login but the current one, and leaves other users alone', async () => {
    const userId = await newUser();
    const otherId = await newUser();
    const keep = await a.issue(userId);
    const drop1 = await a.issue(userId);
    const drop2 = await a.issue(userId);
    const other = await a.issue(otherId);
    for (const t of [keep, drop1, drop2, other]) await b.authenticate(t.accessToken);
    await a.endSessions(userId, { except: keep.sessionId, reason: 'password.change' });
    expect((await b.authenticate(keep.accessToken)).id).toBe(userId);
    expect(await refusedOn(b, drop1.accessToken)).toBe('TOKEN_INVALID');
    expect(await refusedOn(b, drop2.accessToken)).toBe('TOKEN_INVALID');
    expect((await b.authenticate(other.accessToken)).id).toBe(otherId);
  });

  it('refuses every credential of a disabled account on every process, and tells subscribers', async () => {
    const userId = await newUser();
    const token = await a.issue(userId);
    const key = generateApiKey();
    await db.database.db.insert(apiKeys).values({ userId, name: 'ci', prefix: key.prefix, keyHash: key.hash });
    expect((await b.authenticate(key.key)).credential).toBe('apikey');
    await b.authenticate(token.accessToken);
    const heardOnB: Revocation[] = [];
    const off = b.onRevoked((r) => heardOnB.push(r));
    await db.database.db.execute(sql`update users set is_active = false where id = ${userId}`);
    await a.publish({ scope: 'user', userId });
    expect(await refusedOn(b, token.accessToken)).toBe('TOKEN_INVALID');
    expect(await refusedOn(b, key.key)).toBe('TOKEN_INVALID');
    off();
    expect(heardOnB).toEqual([{ scope: 'user', userId }]);
  });

  it('accepts an API key until it is revoked or expires', async () => {
    const userId = await newUser();
    const key = generateApiKey();
    const [row] = await db.database.db
      .insert(apiKeys)
      .values({ userId, name: 'script', prefix: key.prefix, keyHash: key.hash })
      .returning({ id: apiKeys.id });
    const user = await b.authenticate(key.key);
    expect(user).toMatchObject({ id: userId, credential: 'apikey', apiKeyId: row!.id, sessionId: null });
    await db.database.db.execute(sql`update api_keys set revoked_at = now() where id = ${row!.id}`);
    await a.publish({ scope: 'key', userId, keyId: row!.id });
    expect(await refusedOn(b, key.key)).toBe('TOKEN_INVALID');

    const expired = generateApiKey();
    await db.database.db.insert(apiKeys).values({
      userId,
      name: 'old',
      prefix: expired.prefix,
      keyHash: expired.hash,
      expiresAt: new Date(Date.now() - 1000),
    });
    expect(await codeOf(a.authenticate(expired.key))).toBe('TOKEN_EXPIRED');
    expect(await codeOf(a.authenticate(`${expired.key}x`))).toBe('TOKEN_INVALID');
  });

  it('checks the database again while its LISTEN connection is away (a revocation could be missed)', async () => {
    const userId = await newUser();
    const c = await process();
    const { accessToken, sessionId } = await c.issue(userId);
    await c.authenticate(accessToken);
    await listeners.at(-1)!.close();
    // Stored by another process while C hears nothing.
    await db.database.db.execute(sql`update auth_sessions set revoked_at = now() where id = ${sessionId}`);
    expect(await codeOf(c.authenticate(accessToken))).toBe('TOKEN_INVALID');
  });
});
