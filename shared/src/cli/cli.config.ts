// Where the terminal client keeps its login: $XDG_CONFIG_HOME/chatbot/config.json (or ~/.config/chatbot), mode 0600.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export interface CliConfig {
  /** The server the token belongs to. */
  url?: string;
  /** An access token, or an API key (`cbk_…`) after `login --api-key`. */
  token?: string;
  /** Kept after a password login: the CLI refreshes on its own (each one works once, so it is rewritten). */
  refreshToken?: string;
  username?: string;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), '.config');
  return path.join(base, 'chatbot', 'config.json');
}

export function readConfig(file = configPath()): CliConfig {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as CliConfig;
    return typeof data === 'object' && data !== null ? data : {};
  } catch {
    return {};
  }
}

/** Writes the whole config: a token is a password, so only the user may read it (0600, folder 0700). */
export function writeConfig(config: CliConfig, file = configPath()): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // The mode above only applies to a new file, and the umask may have narrowed it; set it plainly.
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function clearToken(file = configPath()): void {
  const { token: _token, refreshToken: _refresh, username: _username, ...rest } = readConfig(file);
  if (Object.keys(rest).length === 0) rmSync(file, { force: true });
  else writeConfig(rest, file);
}
