// The app as the request benchmarks run it: its environment, and api/src/main.ts started as `start` starts it.
// Its own module so that the benches that use it (reads, login, stream) do not import one another.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../api/src/db/embedded.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const APP_ENV = {
  NODE_ENV: 'production',
  SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789',
  // The production default: one access-log line per request is part of what a read costs.
  LOG_LEVEL: 'info',
  CHAT_RATE_LIMIT_PER_MINUTE: '0',
  AUTH_RATE_LIMIT_PER_MINUTE: '0',
  OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
  OPENAI_API_KEY: 'bench',
  OPENAI_MODEL: 'fake-model',
};

/**
 * api/src/main.ts as `start` runs it, on an existing database, with `workers` API processes (WEB_CONCURRENCY) and
 * APP_ENV plus `env`; resolves once it answers on its port.
 */
export async function startMain(databaseUrl: string, workers: number, env: Record<string, string> = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...APP_ENV,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      WEB_CONCURRENCY: String(workers),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const answers = () =>
    new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/health', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
  const deadline = Date.now() + 60_000;
  while (!(await answers())) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`main.ts (WEB_CONCURRENCY=${workers}) did not start`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
