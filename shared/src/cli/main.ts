#!/usr/bin/env node
// The `chatbot` terminal client: accounts, sessions, history and an interactive streaming chat, built on the SDK.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClient } from '../sdk/client.js';
import { ApiError, isAbortError } from '../sdk/errors.js';
import { runChat } from './cli.chat.js';
import { clearToken, configPath, readConfig, writeConfig } from './cli.config.js';
import { type Output, printTable } from './cli.output.js';

const USAGE = `Usage: chatbot [--url URL] [--json] <command> [arguments]

Commands:
  register <username> <email>          create an account (password prompted, or --password-stdin)
  login <username-or-email>            log in; the tokens are kept in ${configPath()} (mode 0600) and
                                       refreshed on their own
  login --api-key                      use an API key (cbk_…) instead: from $CHATBOT_API_KEY, the first line
                                       of stdin, or asked for
  logout                               end this login and forget it (an API key is only forgotten)
  whoami                               the logged-in user
  sessions [list]                      your sessions (--limit N --offset N --sort updated_at_desc|…)
  sessions new [title]                 start a session
  sessions rename <id> <title>         rename a session
  sessions delete <id>                 delete a session and its messages
  history <id>                         a session's messages (--limit N)
  chat [<id>]                          chat interactively (a new session without <id>); answers stream as they
                                       are written. Ctrl+C stops the answer, a second Ctrl+C or Ctrl+D exits.
  usage                                your usage of the last 30 days and the quotas in force
  admin promote <username>             make an account an admin (needs an admin login; with no admin at all,
                                       run \`node api/dist/main.js admin promote <username>\` on the server)

Options:
  --url URL          the server (default: $CHATBOT_URL, then the server you logged in to, then http://localhost:8080)
  --json             machine-readable output (one JSON document; chat prints one JSON event per line)
  --password-stdin   read the password from the first line of standard input
  --api-key          (login) keep an API key instead of a password login

Environment: CHATBOT_URL (the server), CHATBOT_API_KEY (an API key used for every command instead of the login)
  -h, --help         this help
`;

class UsageError extends Error {}

function readStdinLine(): string {
  // The whole of stdin is small here (a password); its first line is the password.
  return readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
}

/** Reads a password without echoing it (a terminal), or from the first line of stdin (--password-stdin). */
async function readPassword(fromStdin: boolean, prompt: string): Promise<string> {
  if (fromStdin) return readStdinLine();
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new UsageError('no terminal to ask the password on: use --password-stdin');
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (text: string) => {
      for (const ch of text) {
        if (ch === '\r' || ch === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003' || ch === '\u0004') {
          finish();
          reject(new UsageError('cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

function positiveInt(value: string | undefined, what: string): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`${what} must be a positive integer`);
  return Number(value);
}

function optionalInt(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${what} must be a whole number`);
  return Number(value);
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      json: { type: 'boolean', default: false },
      'password-stdin': { type: 'boolean', default: false },
      'api-key': { type: 'boolean', default: false },
      limit: { type: 'string' },
      offset: { type: 'string' },
      sort: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const out: Output = { json: values.json, stdout: process.stdout, stderr: process.stderr };
  const [command, ...args] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }

  const config = readConfig();
  const url = values.url ?? process.env.CHATBOT_URL ?? config.url ?? 'http://localhost:8080';
  // A token is only sent to the server it was issued by.
  const sameServer = config.url === undefined || config.url === url;
  const envKey = process.env.CHATBOT_API_KEY || undefined;
  const token = envKey ?? (config.token && sameServer ? config.token : undefined);
  const refreshToken = !envKey && sameServer ? config.refreshToken : undefined;
  const client = createClient({
    baseUrl: url,
    token,
    ...(refreshToken ? { refreshToken } : {}),
    // Each refresh token works once: the rotated pair is written back at once.
    onTokens: (t) => writeConfig({ ...readConfig(), url, token: t.accessToken, refreshToken: t.refreshToken }),
    validate: false,
  });
  const print = (data: unknown, human: () => void) => {
    if (out.json) out.stdout.write(`${JSON.stringify(data)}\n`);
    else human();
  };
  const needLogin = () => {
    if (!token) throw new UsageError(`not logged in to ${url}: run \`chatbot login <username>\``);
  };

  switch (command) {
    case 'register': {
      const [username, email] = args;
      if (!username || !email) throw new UsageError('usage: chatbot register <username> <email>');
      const password = await readPassword(values['password-stdin'], 'Password: ');
      const user = await client.auth.register({ username, email, password });
      print(user, () =>
        out.stdout.write(`Registered ${user.username} (id ${user.id}). Now: chatbot login ${username}\n`),
      );
      return 0;
    }
    case 'login': {
      if (values['api-key']) {
        // Piped in (never on the command line, where other users' `ps` would see it), or typed without echo.
        const fromStdin = values['password-stdin'] || !process.stdin.isTTY;
        const key = (envKey ?? (await readPassword(fromStdin, 'API key: '))).trim();
        if (!key.startsWith('cbk_'))
          throw new UsageError('an API key starts with cbk_ (create one on the Account page)');
        const me = await createClient({ baseUrl: url, token: key, validate: false }).auth.me();
        const { refreshToken: _old, ...rest } = config;
        writeConfig({ ...rest, url, token: key, username: me.username });
        print({ user: me, apiKey: true, configFile: configPath() }, () =>
          out.stdout.write(`Using an API key of ${me.username} on ${url}\n`),
        );
        return 0;
      }
      const [username] = args;
      if (!username) throw new UsageError('usage: chatbot login <username-or-email>');
      const password = await readPassword(values['password-stdin'], 'Password: ');
      const res = await client.auth.login({ username, password, returnRefreshToken: true });
      writeConfig({
        ...config,
        url,
        token: res.accessToken,
        refreshToken: res.refreshToken,
        username: res.user.username,
      });
      print({ user: res.user, expiresIn: res.expiresIn, configFile: configPath() }, () =>
        out.stdout.write(`Logged in as ${res.user.username} on ${url}\n`),
      );
      return 0;
    }
    case 'logout': {
      needLogin();
      try {
        // An API key is not a login: it is only forgotten here (revoke it on the Account page).
        if (!token?.startsWith('cbk_')) await client.auth.logout();
      } finally {
        // Forget the token even when the server already refuses it (expired, revoked).
        clearToken();
      }
      print({ message: 'Logged out' }, () => out.stdout.write('Logged out\n'));
      return 0;
    }
    case 'whoami': {
      needLogin();
      const me = await client.auth.me();
      print(me, () => out.stdout.write(`${me.username} <${me.email}> on ${url}\n`));
      return 0;
    }
    case 'sessions': {
      needLogin();
      const [sub = 'list', ...rest] = args;
      if (sub === 'list') {
        const sort = values.sort as 'updated_at_desc' | undefined;
        const page = await client.sessions.list({
          limit: optionalInt(values.limit, 'limit'),
          offset: optionalInt(values.offset, 'offset'),
          sort,
        });
        print(page, () => {
          printTable(
            out,
            ['ID', 'TITLE', 'MESSAGES', 'UPDATED'],
            page.sessions.map((s) => [String(s.id), s.title, String(s.messageCount), s.updatedAt]),
          );
          out.stdout.write(`${page.sessions.length} of ${page.total}\n`);
        });
        return 0;
      }
      if (sub === 'new') {
        const title = rest.join(' ').trim();
        const s = await client.sessions.create(title ? { title } : {});
        print(s, () => out.stdout.write(`Created session ${s.id}: ${s.title}\n`));
        return 0;
      }
      if (sub === 'rename') {
        const id = positiveInt(rest[0], 'the session id');
        const title = rest.slice(1).join(' ');
        if (!title) throw new UsageError('usage: chatbot sessions rename <id> <title>');
        const s = await client.sessions.rename(id, title);
        print(s, () => out.stdout.write(`Renamed session ${s.id}: ${s.title}\n`));
        return 0;
      }
      if (sub === 'delete') {
        const id = positiveInt(rest[0], 'the session id');
        const res = await client.sessions.delete(id);
        print(res, () => out.stdout.write(`${res.message}\n`));
        return 0;
      }
      throw new UsageError(`unknown sessions command "${sub}" (list, new, rename, delete)`);
    }
    case 'history': {
      needLogin();
      const id = positiveInt(args[0], 'the session id');
      const detail = await client.sessions.get(id, { limit: optionalInt(values.limit, 'limit') });
      print(detail, () => {
        out.stdout.write(`# ${detail.title}${detail.hasMore ? ' (older messages not shown)' : ''}\n\n`);
        for (const m of detail.messages) {
          const mark = m.status === 'complete' ? '' : ` [${m.status}]`;
          out.stdout.write(`${m.role === 'user' ? 'You' : 'Assistant'}${mark}:\n${m.content}\n\n`);
        }
      });
      return 0;
    }
    case 'usage': {
      needLogin();
      const u = await client.usage();
      print(u, () => {
        printTable(
          out,
          ['DAY', 'MESSAGES', 'TOKENS', 'COST'],
          u.rows
            .filter((r) => r.totalTokens > 0 || r.messages > 0)
            .map((r) => [r.key, String(r.messages), String(r.totalTokens), r.cost === null ? '-' : r.cost.toFixed(4)]),
        );
        const limit = (n: number | null) => (n === null ? 'no limit' : String(n));
        out.stdout.write(
          `today: ${u.used.messagesToday} messages (${limit(u.limits.messagesPerDay)}), ` +
            `${u.used.tokensToday} tokens (${limit(u.limits.tokensPerDay)}); ` +
            `this month: ${u.used.tokensThisMonth} tokens (${limit(u.limits.tokensPerMonth)})\n`,
        );
      });
      return 0;
    }
    case 'admin': {
      needLogin();
      const [sub, name] = args;
      if (sub !== 'promote' || !name) throw new UsageError('usage: chatbot admin promote <username>');
      const found = await client.admin.users.list({ q: name, limit: 100 });
      const target = found.users.find((u) => u.username.toLowerCase() === name.toLowerCase());
      if (!target) throw new UsageError(`no account named ${name}`);
      const updated = await client.admin.users.update(target.id, { role: 'admin' });
      print(updated, () => out.stdout.write(`${updated.username} is now an admin\n`));
      return 0;
    }
    case 'chat': {
      needLogin();
      const id = args[0] === undefined ? undefined : positiveInt(args[0], 'the session id');
      return runChat(client, id, out);
    }
    default:
      throw new UsageError(`unknown command "${command}"; see chatbot --help`);
  }
}

/** Runs the CLI and exits with its code: 0 ok, 1 the API refused, 2 usage. */
export function run(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const json = argv.includes('--json');
      if (err instanceof ApiError) {
        process.stderr.write(
          json
            ? `${JSON.stringify({ error: { status: err.status, code: err.code, message: err.message, field: err.field } })}\n`
            : `error: ${err.message} (${err.code}${err.status ? `, HTTP ${err.status}` : ''})\n`,
        );
        process.exitCode = 1;
      } else if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        process.stderr.write(`chatbot: ${(err as Error).message}\n`);
        process.exitCode = 2;
      } else if (isAbortError(err)) {
        process.exitCode = 130;
      } else {
        process.stderr.write(`chatbot: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      }
    },
  );
}

run(process.argv.slice(2));
