// The `chatbot` command as a subprocess through a whole session, against the real API, with its config in a temp HOME.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../sdk/api.test-support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(ROOT, 'shared/src/cli/main.ts');
const REPLY = 'one two three four five six seven eight nine ten';
const PASSWORD = 'Terminal pass 7';

let api: RunningApi;
let home: string;
/** The CLI bundled to one plain JS file: each run then starts in ~0.1 s instead of compiling TypeScript again. */
let bundle: string;

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'xdg'),
    CHATBOT_URL: api.baseUrl,
    NODE_ENV: 'test',
    ...extra,
  };
}

function start(args: string[], extraEnv: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [bundle, ...args], { cwd: ROOT, env: env(extraEnv) });
}

async function cli(
  args: string[],
  input = '',
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = start(args, extraEnv);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin!.end(input);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  return { code, stdout, stderr };
}

const configFile = () => path.join(home, 'xdg', 'chatbot', 'config.json');

beforeAll(async () => {
  api = await startApi();
  api.fake.setScript({ reply: REPLY, chunkDelayMs: 2 });
  home = mkdtempSync(path.join(tmpdir(), 'chatbot-cli-'));
  bundle = path.join(home, 'chatbot.mjs');
  await build({
    entryPoints: [MAIN],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundle,
    logLevel: 'silent',
  });
});

afterAll(async () => {
  await api?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('the chatbot command', () => {
  let sessionId: number;

  it('runs from source as the root `chatbot` script does, and prints its usage', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--help'], { cwd: ROOT, env: env() });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    expect(await new Promise((r) => child.on('close', r))).toBe(0);
    expect(stdout).toContain('Usage: chatbot');
    expect(stdout).toContain(configFile());
  });

  it('registers and logs in, keeping the token in the config dir with mode 0600', async () => {
    const reg = await cli(['register', 'cli_user', 'cli@example.com', '--password-stdin'], `${PASSWORD}\n`);
    expect(reg.stderr).toBe('');
    expect(reg.code).toBe(0);
    expect(reg.stdout).toContain('Registered cli_user');

    const login = await cli(['login', 'cli_user', '--password-stdin', '--json'], `${PASSWORD}\n`);
    expect(login.code).toBe(0);
    expect(JSON.parse(login.stdout)).toMatchObject({ user: { username: 'cli_user' }, configFile: configFile() });
    expect(statSync(configFile()).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(configFile())).mode & 0o777).toBe(0o700);
    const saved = JSON.parse(readFileSync(configFile(), 'utf8'));
    expect(saved).toMatchObject({ url: api.baseUrl, username: 'cli_user' });
    expect(saved.token).toMatch(/^ey/);

    const who = await cli(['whoami']);
    expect(who.stdout).toContain('cli_user <cli@example.com>');
  });

  it('refuses a wrong password with the API error and exit code 1', async () => {
    const res = await cli(['login', 'cli_user', '--password-stdin'], 'Wrong pass 1\n');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('AUTHENTICATION_FAILED');
  });

  it('creates, lists and renames sessions, in JSON for scripts', async () => {
    const created = await cli(['sessions', 'new', 'From', 'the', 'terminal', '--json']);
    expect(created.code).toBe(0);
    const session = JSON.parse(created.stdout);
    expect(session.title).toBe('From the terminal');
    sessionId = session.id;

    const renamed = await cli(['sessions', 'rename', String(sessionId), 'Renamed', 'here']);
    expect(renamed.stdout).toContain(`Renamed session ${sessionId}: Renamed here`);

    const list = await cli(['sessions', 'list', '--json']);
    expect(JSON.parse(list.stdout).sessions.map((s: { id: number }) => s.id)).toContain(sessionId);
    const table = await cli(['sessions']);
    expect(table.stdout).toMatch(/ID\s+TITLE\s+MESSAGES\s+UPDATED/);
    expect(table.stdout).toContain('Renamed here');
  });

  it('chats with piped input, printing each answer, then shows the history', async () => {
    const chat = await cli(['chat', String(sessionId)], 'first question\nsecond question\n');
    expect(chat.code).toBe(0);
    expect(chat.stdout).toBe(`${REPLY}\n${REPLY}\n`);

    const history = await cli(['history', String(sessionId)]);
    expect(history.code).toBe(0);
    expect(history.stdout).toContain('# Renamed here');
    expect(history.stdout).toContain('You:\nfirst question');
    expect(history.stdout).toContain(`Assistant:\n${REPLY}`);
    const json = JSON.parse((await cli(['history', String(sessionId), '--json'])).stdout);
    expect(json.messages).toHaveLength(4);
  });

  it('prints one JSON event per line with --json, starting a new session without an id', async () => {
    const chat = await cli(['chat', '--json'], 'hello\n');
    expect(chat.code).toBe(0);
    const events = chat.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ event: 'session' });
    expect(events[1]).toMatchObject({ event: 'message', id: 0 });
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { assistantMessage: { content: REPLY } } });
  });

  it('stops the answer on Ctrl+C and keeps chatting; a second Ctrl+C exits', async () => {
    api.fake.setScript({ reply: REPLY, chunkDelayMs: 60 });
    try {
      const child = start(['chat', String(sessionId)]);
      let stdout = '';
      const waitFor = (re: RegExp) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ${re} in ${JSON.stringify(stdout)}`)), 10_000);
          const check = () => {
            if (re.test(stdout)) {
              clearTimeout(timer);
              child.stdout!.off('data', check);
              resolve();
            }
          };
          child.stdout!.on('data', check);
          check();
        });
      child.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      const closed = new Promise<number | null>((r) => child.on('close', r));

      child.stdin!.write('write slowly\n');
      await waitFor(/one two/);
      child.kill('SIGINT');
      await waitFor(/\[stopped\]\n/);
      expect(stdout.length).toBeLessThan(REPLY.length + 20);

      // still running: the next question gets an answer
      api.fake.setScript({ reply: 'after the stop', chunkDelayMs: 2 });
      child.stdin!.write('still there?\n');
      await waitFor(/after the stop\n/);

      child.kill('SIGINT'); // no answer running: exits
      expect(await closed).toBe(0);
    } finally {
      api.fake.setScript({ reply: REPLY, chunkDelayMs: 2 });
    }
  });

  it('deletes a session, and reports errors with the API code', async () => {
    const del = await cli(['sessions', 'delete', String(sessionId)]);
    expect(del.stdout).toMatch(/deleted/i);
    const gone = await cli(['history', String(sessionId), '--json']);
    expect(gone.code).toBe(1);
    expect(JSON.parse(gone.stderr)).toMatchObject({ error: { status: 404, code: 'NOT_FOUND' } });
    const bad = await cli(['history', 'abc']);
    expect(bad.code).toBe(2);
  });

  it('uses --url over CHATBOT_URL, and says when the server cannot be reached', async () => {
    const res = await cli(['--url', 'http://127.0.0.1:9', 'whoami']);
    expect(res.code).toBe(2); // the saved token belongs to another server: not sent there
    expect(res.stderr).toContain('not logged in to http://127.0.0.1:9');
    const down = await cli(
      ['--url', 'http://127.0.0.1:9', 'register', 'x_user', 'x@example.com', '--password-stdin'],
      'Aa345678\n',
    );
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('SERVICE_UNAVAILABLE');
  });

  it('refreshes on its own when the access token is refused, and keeps the rotated refresh token', async () => {
    const before = JSON.parse(readFileSync(configFile(), 'utf8'));
    expect(before.refreshToken).toMatch(/^[\w-]{40,}$/);
    // An access token the server refuses (as an expired one would be).
    writeFileSync(configFile(), JSON.stringify({ ...before, token: 'ey.not.valid' }));
    const who = await cli(['whoami']);
    expect(who.stderr).toBe('');
    expect(who.stdout).toContain('cli_user <cli@example.com>');
    const after = JSON.parse(readFileSync(configFile(), 'utf8'));
    expect(after.token).toMatch(/^ey/);
    expect(after.token).not.toBe('ey.not.valid');
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(statSync(configFile()).mode & 0o777).toBe(0o600);
    // The spent one is refused by the server now (and would end the login: not tried here).
    expect((await cli(['whoami'])).code).toBe(0);
  });

  it('shows usage and quotas, and lets the admin (the first account) promote another account', async () => {
    const usage = await cli(['usage']);
    expect(usage.code).toBe(0);
    expect(usage.stdout).toMatch(/today: \d+ messages \(no limit\)/);
    const json = JSON.parse((await cli(['usage', '--json'])).stdout);
    expect(json).toMatchObject({ groupBy: 'day', limits: { messagesPerDay: null } });

    const other = { username: 'cli_other', email: 'cli_other@example.com', password: PASSWORD };
    expect(
      (
        await api.t.app.request('/api/auth/register', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(other),
        })
      ).status,
    ).toBe(201);
    const promoted = await cli(['admin', 'promote', 'CLI_OTHER']);
    expect(promoted.stderr).toBe('');
    expect(promoted.stdout).toContain('cli_other is now an admin');
    const missing = await cli(['admin', 'promote', 'nobody_at_all']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no account named nobody_at_all');
  });

  it('logs out: the token is revoked on the server and removed from the config', async () => {
    const token = JSON.parse(readFileSync(configFile(), 'utf8')).token as string;
    const res = await cli(['logout']);
    expect(res.code).toBe(0);
    expect(JSON.parse(readFileSync(configFile(), 'utf8')).token).toBeUndefined();
    const me = await fetch(`${api.baseUrl}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
    const after = await cli(['sessions']);
    expect(after.code).toBe(2);
    expect(after.stderr).toContain('not logged in');
  });

  it('logs in with an API key (from stdin or CHATBOT_API_KEY) and uses it for every command', async () => {
    const login = await fetch(`${api.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'cli_user', password: PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const created = await fetch(`${api.baseUrl}/api/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ name: 'terminal' }),
    });
    const { key } = (await created.json()) as { key: string };

    const bad = await cli(['login', '--api-key'], 'not-a-key\n');
    expect(bad.code).toBe(2);
    const res = await cli(['login', '--api-key'], `${key}\n`);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Using an API key of cli_user');
    const saved = JSON.parse(readFileSync(configFile(), 'utf8'));
    expect(saved.token).toBe(key);
    expect(saved.refreshToken).toBeUndefined();
    expect((await cli(['whoami'])).stdout).toContain('cli_user');
    // Logging out only forgets the key; it still works until revoked.
    expect((await cli(['logout'])).code).toBe(0);
    const me = await fetch(`${api.baseUrl}/api/auth/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(me.status).toBe(200);
    // Or from the environment, without any login.
    const viaEnv = await cli(['whoami'], '', { CHATBOT_API_KEY: key });
    expect(viaEnv.stdout).toContain('cli_user');
  });
});
