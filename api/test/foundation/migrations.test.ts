// Migrations at startup: several processes migrating one empty database at once end with one schema, no errors.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';

describe('runMigrations', () => {
  const name = `m_${randomBytes(6).toString('hex')}`;
  const serverUrl = inject('pgServerUrl');
  let url: string;
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    url = u.toString();
  });
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it('lets three processes (pools of one connection each) migrate an empty database at the same time', async () => {
    const databases = [1, 2, 3].map(() => connectDatabase(url, { max: 1 }));
    try {
      await Promise.all(databases.map((d) => runMigrations(d)));
      // Running again is a no-op.
      await runMigrations(databases[0]!);
      const tables = await databases[0]!.pool.query<{ table_name: string }>(
        `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining(['users', 'revoked_tokens', 'rate_limits', 'chat_sessions', 'messages']),
      );
      const applied = await databases[0]!.pool.query('select count(*)::int as n from drizzle.__drizzle_migrations');
      const journal = await import('../../../drizzle/meta/_journal.json', { with: { type: 'json' } });
      expect(applied.rows[0].n).toBe(journal.default.entries.length);
    } finally {
      await Promise.all(databases.map((d) => d.close()));
    }
  }, 60_000);
});
