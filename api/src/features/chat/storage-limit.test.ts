// MAX_STORAGE_BYTES_PER_USER over real HTTP on a fresh PostgreSQL: imports and uploads that would take a user past
// the bytes they may keep are 409 LIMIT_REACHED and store nothing; another user is unaffected; deleting makes room.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upload } from '../../../test/files/file-fixtures.js';
import { seedUser } from '../../../test/fixtures.js';
import { call, createTestApp, type TestApp } from '../../../test/harness.js';

const LIMIT = 4_000;
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ MAX_STORAGE_BYTES_PER_USER: String(LIMIT) });
});
afterAll(async () => t?.cleanup());

/** An export file with one session whose messages hold `bytes` bytes of text in all. */
function exportOf(title: string, bytes: number) {
  const half = Math.floor(bytes / 2);
  const at = '2026-01-01T00:00:00.000Z';
  return {
    version: 1,
    exportedAt: at,
    sessions: [
      {
        title,
        createdAt: at,
        updatedAt: at,
        messages: [
          { role: 'user', content: 'q'.repeat(half), status: 'complete', createdAt: at },
          { role: 'assistant', content: 'a'.repeat(bytes - half), status: 'complete', createdAt: at },
        ],
      },
    ],
  };
}

describe('MAX_STORAGE_BYTES_PER_USER', () => {
  it('refuses an import or an upload past the limit with 409 LIMIT_REACHED, storing nothing', async () => {
    const alice = await seedUser(t, 'storage_alice');
    const first = await call(t.app, 'POST', '/api/import', { token: alice.token, body: exportOf('First', 3_000) });
    expect(first.status).toBe(201);

    const second = await call(t.app, 'POST', '/api/import', { token: alice.token, body: exportOf('Second', 1_500) });
    expect(second.status).toBe(409);
    expect(second.body.detail.code).toBe('LIMIT_REACHED');
    expect(second.body.detail.message).toMatch(/allowed/);
    const sessions = await call(t.app, 'GET', '/api/chat/sessions', { token: alice.token });
    expect(sessions.body.sessions.map((s: { title: string }) => s.title)).toEqual(['First']);

    const big = await upload(t.app, alice.token, 'notes.md', Buffer.from(`# Notes\n\n${'x'.repeat(1_200)}`));
    expect(big.status).toBe(409);
    expect(big.body.detail.code).toBe('LIMIT_REACHED');
    expect((await call(t.app, 'GET', '/api/files', { token: alice.token })).body.total).toBe(0);
    // What still fits is taken.
    const small = await upload(t.app, alice.token, 'small.md', Buffer.from('# Small\n\nfits'));
    expect(small.status).toBe(201);

    // Another user has their own allowance.
    const bob = await seedUser(t, 'storage_bob');
    expect((await call(t.app, 'POST', '/api/import', { token: bob.token, body: exportOf('Bob', 3_000) })).status).toBe(
      201,
    );

    // Deleting a conversation makes room again.
    const id = sessions.body.sessions[0].id as number;
    expect((await call(t.app, 'DELETE', `/api/chat/sessions/${id}`, { token: alice.token })).status).toBeLessThan(300);
    const again = await call(t.app, 'POST', '/api/import', { token: alice.token, body: exportOf('Second', 1_500) });
    expect(again.status).toBe(201);
  });
});
