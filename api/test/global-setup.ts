// Starts one embedded PostgreSQL for the whole test run and prepares a migrated template database;
// each test file then gets its own fresh copy (CREATE DATABASE … TEMPLATE), so files never share rows.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { connectDatabase } from '../src/db/client.js';
import { ensureDatabase, startEmbeddedPostgres } from '../src/db/embedded.js';
import { runMigrations } from '../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
  }
}

export const TEMPLATE_DB = 'chatbot_template';

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatbot-test-pg-'));
  // As root, PostgreSQL runs as a `postgres` user, which must be able to enter this folder.
  chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres(path.join(dir, 'data'));
  const templateUrl = await ensureDatabase(server.url, TEMPLATE_DB);
  const database = connectDatabase(templateUrl, { max: 2 });
  await runMigrations(database);
  await database.close();
  project.provide('pgServerUrl', server.url);
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
