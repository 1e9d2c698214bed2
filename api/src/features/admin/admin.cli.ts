// Server-side admin commands, run where the API runs (`node api/dist/main.js admin promote <user>`, or
// `npm run chatbot -- admin promote <user>` through the API): for the operator who has no admin to log in as.
import path from 'node:path';
import type { Config } from '../../config.js';
import { connectDatabase } from '../../db/client.js';
import { type EmbeddedServer, ensureDatabase, startEmbeddedPostgres } from '../../db/embedded.js';
import { runMigrations } from '../../db/migrate.js';
import { promoteUsers } from './roles.js';

const USAGE = `Usage: main.js admin promote <username> [<username>…]
  Makes the accounts admins, on the database DATABASE_URL names (or the embedded one in DATA_DIR: stop the server
  first, it holds that database while it runs).
`;

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

/** Runs `admin <command> …`; resolves with the exit code (0 done, 1 failed, 2 usage). */
export async function runAdminCommand(args: string[], config: Config, io: CliIo): Promise<number> {
  const [command, ...names] = args;
  if (command !== 'promote' || names.length === 0) {
    io.stderr.write(USAGE);
    return 2;
  }
  let embedded: EmbeddedServer | undefined;
  let url = config.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres(path.join(config.DATA_DIR, 'postgres'));
    url = await ensureDatabase(embedded.url, 'chatbot');
  }
  const database = connectDatabase(url, { max: 2 });
  try {
    await runMigrations(database);
    const { promoted, missing } = await promoteUsers(database.db, names);
    for (const name of promoted) io.stdout.write(`${name} is now an admin\n`);
    for (const name of missing) io.stderr.write(`no account named ${name}\n`);
    return missing.length ? 1 : 0;
  } finally {
    await database.close();
    await embedded?.stop();
  }
}
