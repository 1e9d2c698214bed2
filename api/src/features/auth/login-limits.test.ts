// Failed logins per identifier over app.request() on a fresh PostgreSQL database: the 20th failure within 15 minutes
// locks that identifier (429 + Retry-After, audit login.locked), known or unknown alike, others unaffected; login.ok
// and login.failed audit entries carry the address and user agent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../../../test/harness.js';

let offsetMs = 0;
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ TRUST_PROXY: 'true' }, { clock: { now: () => new Date(Date.now() + offsetMs) } });
});
afterAll(async () => t.cleanup());

const from = { 'x-forwarded-for': '203.0.113.50', 'user-agent': 'LimitTest/1.0' };
const attempt = (username: string, password: string) =>
  call(t.app, 'POST', '/api/auth/login', { body: { username, password }, headers: from });

async function register(name: string) {
  const u = { username: name, email: `${name}@example.com`, password: 'Str0ngPassword' };
  const res = await call(t.app, 'POST', '/api/auth/register', { body: u });
  expect(res.status).toBe(201);
  return { ...u, id: res.body.id as number };
}

/** Fails `count` times (alternating the case: the identifier is case-insensitive); returns the statuses. */
async function failTimes(identifier: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const name = i % 2 ? identifier.toUpperCase() : identifier;
    statuses.push((await attempt(name, `Wr0ng guess ${i}`)).status);
  }
  return statuses;
}

describe('login limits per identifier', () => {
  it('locks a known account at its 20th failure for 15 minutes, leaves other identifiers alone', async () => {
    const victim = await register(`victim_${process.pid}`);
    const bystander = await register(`bystander_${process.pid}`);

    const statuses = await failTimes(victim.username, 20);
    expect(statuses.slice(0, 19)).toEqual(Array(19).fill(401));
    expect(statuses[19]).toBe(429);

    // Even the right password is refused while locked, with the time left.
    const locked = await attempt(victim.username, victim.password);
    expect(locked.status).toBe(429);
    expect(locked.body.detail.code).toBe('RATE_LIMITED');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // By email too: the same person, another identifier (counted on its own).
    expect((await attempt(victim.email, victim.password)).status).toBe(200);

    // Another identifier from the same address is unaffected.
    expect((await attempt(bystander.username, 'Wr0ng guess')).status).toBe(401);
    expect((await attempt(bystander.username, bystander.password)).status).toBe(200);

    const audit = await t.database.pool.query(
      'select action, ip, user_agent, actor_name, detail from audit_log where target_id = $1 order by id',
      [victim.id],
    );
    const actions = audit.rows.map((r: { action: string }) => r.action);
    expect(actions.filter((a: string) => a === 'login.failed')).toHaveLength(20);
    expect(actions.filter((a: string) => a === 'login.locked')).toHaveLength(1);
    expect(actions.filter((a: string) => a === 'login.ok')).toHaveLength(1);
    for (const row of audit.rows) {
      expect(row).toMatchObject({ ip: '203.0.113.50', user_agent: 'LimitTest/1.0', actor_name: victim.username });
      expect(JSON.stringify(row)).not.toContain('Wr0ng guess');
      expect(JSON.stringify(row)).not.toContain(victim.password);
    }

    // Once the window has passed, the right password works again.
    offsetMs = 15 * 60_000 + 5_000;
    try {
      expect((await attempt(victim.username, victim.password)).status).toBe(200);
    } finally {
      offsetMs = 0;
    }
  });

  it('treats an unknown identifier the same way (the limit reveals nothing)', async () => {
    const ghost = `ghost_${process.pid}`;
    const statuses = await failTimes(ghost, 20);
    expect(statuses.slice(0, 19)).toEqual(Array(19).fill(401));
    expect(statuses[19]).toBe(429);
    const again = await attempt(ghost, 'anything');
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    const locked = await t.database.pool.query(
      "select count(*)::int as n from audit_log where action = 'login.locked' and target_id is null",
    );
    expect(locked.rows[0].n).toBe(1);
    // Nothing of the identifier's text is stored.
    const stored = await t.database.pool.query('select identifier_hash from login_failures');
    expect(JSON.stringify(stored.rows)).not.toContain(ghost);
  });

  it('forgets the failures after a successful login', async () => {
    const u = await register(`forgetful_${process.pid}`);
    expect(await failTimes(u.username, 15)).toEqual(Array(15).fill(401));
    expect((await attempt(u.username, u.password)).status).toBe(200);
    expect(await failTimes(u.username, 10)).toEqual(Array(10).fill(401));
  });
});

describe('PASSWORD_LOGIN=false', () => {
  let off: TestApp;
  beforeAll(async () => {
    off = await createTestApp({ PASSWORD_LOGIN: 'false' });
  });
  afterAll(async () => off.cleanup());

  it('refuses password login and registration with 403 PASSWORD_LOGIN_DISABLED', async () => {
    const u = { username: 'nopass', email: 'nopass@example.com', password: 'Str0ngPassword' };
    const reg = await call(off.app, 'POST', '/api/auth/register', { body: u });
    expect(reg.status).toBe(403);
    expect(reg.body.detail.code).toBe('PASSWORD_LOGIN_DISABLED');
    const login = await call(off.app, 'POST', '/api/auth/login', { body: u });
    expect(login.status).toBe(403);
    expect(login.body.detail.code).toBe('PASSWORD_LOGIN_DISABLED');
  });
});
