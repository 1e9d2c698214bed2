// The embedded PostgreSQL superuser's password (#17.10): random, made once, kept in DATA_DIR/postgres.password with
// mode 0600 and reused on restart; a data directory made with the old fixed password is moved to the stored one.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedServer, PASSWORD_FILE, startEmbeddedPostgres } from '../../src/db/embedded.js';

let dir: string;
let server: EmbeddedServer | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'chatbot-pg-password-'));
  chmodSync(dir, 0o755); // as root, the postgres user must enter it
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const passwordFile = () => path.join(dir, PASSWORD_FILE);

async function canLogIn(port: number, password: string): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'chatbot', password, database: 'postgres' });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === '28P01') return false;
    throw err;
  } finally {
    await client.end().catch(() => {});
  }
}

describe('embedded PostgreSQL password', () => {
  it('is random, kept with mode 0600, not the old default, and the same after a restart', async () => {
    server = await startEmbeddedPostgres(path.join(dir, 'postgres'));
    const stored = readFileSync(passwordFile(), 'utf8').trim();
    expect(statSync(passwordFile()).mode & 0o777).toBe(0o600);
    expect(stored).not.toBe('chatbot');
    expect(stored.length).toBeGreaterThanOrEqual(32);
    expect(new URL(server.url).password).toBe(stored);
    expect(await canLogIn(server.port, 'chatbot')).toBe(false);
    expect(await canLogIn(server.port, stored)).toBe(true);
    await server.stop();

    server = await startEmbeddedPostgres(path.join(dir, 'postgres'));
    expect(readFileSync(passwordFile(), 'utf8').trim()).toBe(stored);
    expect(await canLogIn(server.port, stored)).toBe(true);
  }, 120_000);

  it('moves a data directory made with the old fixed password to a stored random one, once', async () => {
    // What a data directory from before looks like: the password `chatbot`, no password file.
    const admin = new pg.Client({ connectionString: server!.url });
    await admin.connect();
    await admin.query("alter user chatbot with password 'chatbot'");
    await admin.end();
    await server!.stop();
    rmSync(passwordFile());

    server = await startEmbeddedPostgres(path.join(dir, 'postgres'));
    const stored = readFileSync(passwordFile(), 'utf8').trim();
    expect(stored).not.toBe('chatbot');
    expect(statSync(passwordFile()).mode & 0o777).toBe(0o600);
    expect(await canLogIn(server.port, 'chatbot')).toBe(false);
    expect(await canLogIn(server.port, stored)).toBe(true);
    // A file left too open is narrowed on the next start.
    await server.stop();
    chmodSync(passwordFile(), 0o644);
    server = await startEmbeddedPostgres(path.join(dir, 'postgres'));
    expect(statSync(passwordFile()).mode & 0o777).toBe(0o600);
    expect(await canLogIn(server.port, stored)).toBe(true);
  }, 120_000);
});
