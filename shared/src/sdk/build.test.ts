// The publishable build: scripts/build.mjs output installed as node_modules/@chatbot/shared in a temp project,
// imported by plain Node (no TypeScript loader) and used against the running API; its bin runs too.
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from './api.test-support.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

let api: RunningApi;
let project: string;
let pkg: string;

beforeAll(async () => {
  project = mkdtempSync(path.join(tmpdir(), 'chatbot-sdk-build-'));
  pkg = path.join(project, 'node_modules', '@chatbot', 'shared');
  mkdirSync(path.dirname(pkg), { recursive: true });
  // The package's one dependency, as an install would provide it.
  symlinkSync(path.join(ROOT, 'node_modules', 'zod'), path.join(project, 'node_modules', 'zod'), 'dir');
  const [, served] = await Promise.all([
    run(process.execPath, [path.join(ROOT, 'shared/scripts/build.mjs'), '--out-dir', pkg], { cwd: ROOT }),
    startApi(),
  ]);
  api = served;
}, 180_000);

afterAll(async () => {
  await api?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the built package', () => {
  it('has ESM with type declarations, a package.json pointing at them, and no tests', () => {
    const manifest = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: '@chatbot/shared', type: 'module', bin: { chatbot: './cli/main.js' } });
    for (const target of Object.values(manifest.exports) as ({ types: string; import: string } | string)[]) {
      if (typeof target === 'string') continue;
      expect(existsSync(path.join(pkg, target.import)), target.import).toBe(true);
      expect(existsSync(path.join(pkg, target.types)), target.types).toBe(true);
    }
    expect(manifest.dependencies).toHaveProperty('zod');
    expect(readFileSync(path.join(pkg, 'sdk/client.d.ts'), 'utf8')).toContain('export declare function createClient');
    expect(existsSync(path.join(pkg, 'sdk/client.test.js'))).toBe(false);
    expect(existsSync(path.join(pkg, 'sdk/api.test-support.js'))).toBe(false);
  });

  it('is imported by plain Node and talks to the running API', async () => {
    const script = path.join(project, 'check.mjs');
    writeFileSync(
      script,
      `import { createClient, ApiError, routes } from '@chatbot/shared';
const client = createClient({ baseUrl: process.argv[2], validate: true });
const health = await client.health();
let refused;
try { await client.auth.me(); } catch (err) { refused = err instanceof ApiError ? { status: err.status, code: err.code } : String(err); }
process.stdout.write(JSON.stringify({ health, refused, routes: Object.keys(routes).length }));
`,
    );
    const { stdout } = await run(process.execPath, [script, api.baseUrl], { cwd: project });
    const result = JSON.parse(stdout);
    expect(result.health).toMatchObject({ status: 'ok', provider: 'openai-compatible' });
    expect(result.refused).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    expect(result.routes).toBeGreaterThan(15);
  });

  it('ships an executable chatbot bin', async () => {
    const bin = path.join(pkg, 'cli/main.js');
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const { stdout } = await run(bin, ['--help'], { cwd: project, env: { ...process.env, HOME: project } });
    expect(stdout).toContain('Usage: chatbot');
  });
});
