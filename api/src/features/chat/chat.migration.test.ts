// The tree migration (drizzle/0002_tree.sql) on a database holding linear histories from before it: nothing lost.

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestDatabase, type TestDatabase, testConfig } from '../../../test/harness.js';
import { createApp } from '../../app.js';
import type { Database } from '../../db/client.js';
import { findMigrationsFolder, runMigrations } from '../../db/migrate.js';
import { createLogger } from '../../lib/logger.js';

interface Journal {
  entries: { tag: string }[];
}

/** A migrations folder with only the migrations before the tree (0000, 0001) and their journal. */
function foldersBeforeTree(): string {
  const source = findMigrationsFolder();
  const dir = mkdtempSync(path.join(tmpdir(), 'chatbot-pre-tree-'));
  mkdirSync(path.join(dir, 'meta'));
  const journal = JSON.parse(readFileSync(path.join(source, 'meta', '_journal.json'), 'utf8')) as Journal;
  const upTo = journal.entries.findIndex((e) => e.tag.endsWith('_tree'));
  expect(upTo).toBe(2);
  const kept = { ...journal, entries: journal.entries.slice(0, upTo) };
  writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify(kept));
  for (const e of kept.entries) copyFileSync(path.join(source, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
  return dir;
}

describe('the tree migration', () => {
  let db: TestDatabase;
  let database: Database;
  let oldFolder: string;

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
    database = db.database;
    oldFolder = foldersBeforeTree();
  });
  afterAll(async () => {
    rmSync(oldFolder, { recursive: true, force: true });
    await db.drop();
  });

  it('turns each linear history into one branch ending at the last message, and the API shows all of it', async () => {
    await runMigrations(database, oldFolder);
    const q = (text: string, values: unknown[] = []) => database.pool.query(text, values);
    const cols = await q(`select column_name from information_schema.columns where table_name = 'messages'`);
    expect(cols.rows.map((r) => r.column_name)).not.toContain('parent_id');

    const user = await q(
      `insert into users (username, email, password_hash) values ('old_user', 'old@example.com', 'x') returning id`,
    );
    const userId = user.rows[0].id as number;
    const sessions: number[] = [];
    for (const title of ['first', 'second', 'empty']) {
      const s = await q(`insert into chat_sessions (user_id, title, titled) values ($1, $2, true) returning id`, [
        userId,
        title,
      ]);
      sessions.push(s.rows[0].id);
    }
    const [first, second, empty] = sessions as [number, number, number];
    // Interleaved across sessions, as real traffic is: each history must link only its own messages.
    const written: Record<number, number[]> = { [first]: [], [second]: [] };
    for (let i = 0; i < 4; i++) {
      for (const sid of [first, second]) {
        const role = i % 2 === 0 ? 'user' : 'assistant';
        const m = await q(
          `insert into messages (session_id, role, content, status) values ($1, $2, $3, 'complete') returning id`,
          [sid, role, `${sid}-${i}`],
        );
        written[sid]!.push(m.rows[0].id);
      }
    }

    await runMigrations(database);

    for (const sid of [first, second]) {
      const rows = await q(`select id, parent_id, content from messages where session_id = $1 order by id`, [sid]);
      const ids = written[sid]!;
      expect(rows.rows.map((r) => r.id)).toEqual(ids);
      expect(rows.rows.map((r) => r.parent_id)).toEqual([null, ...ids.slice(0, -1)]);
      expect(rows.rows.map((r) => r.content)).toEqual([0, 1, 2, 3].map((i) => `${sid}-${i}`));
      const leaf = await q(`select current_leaf_id from chat_sessions where id = $1`, [sid]);
      expect(leaf.rows[0].current_leaf_id).toBe(ids.at(-1));
    }
    const none = await q(
      `select current_leaf_id, pinned, system_prompt, model, temperature from chat_sessions where id = $1`,
      [empty],
    );
    expect(none.rows[0]).toEqual({
      current_leaf_id: null,
      pinned: false,
      system_prompt: null,
      model: null,
      temperature: null,
    });

    // The API reads the migrated history as the current branch, and continues it.
    const config = testConfig();
    const instance = createApp({ config, database, logger: createLogger('silent') });
    try {
      const { accessToken } = await instance.ctx.tokens.issue(userId);
      const detail = await call(instance.app, 'GET', `/api/chat/sessions/${first}`, { token: accessToken });
      expect(detail.status).toBe(200);
      expect(detail.body.messages.map((m: { content: string }) => m.content)).toEqual(
        [0, 1, 2, 3].map((i) => `${first}-${i}`),
      );
      expect(detail.body.messages[3].siblings).toEqual({ index: 0, count: 1, ids: [written[first]!.at(-1)] });
      const sent = await call(instance.app, 'POST', `/api/chat/sessions/${first}/messages`, {
        token: accessToken,
        body: { content: 'after the migration' },
      });
      expect(sent.status).toBe(201);
      expect(sent.body.userMessage.parentId).toBe(written[first]!.at(-1));
    } finally {
      await instance.close(2_000);
    }
  });
});
