// Unit tests of the env schema: defaults, one error listing every problem, the production secret rule, the kept secret.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const dirs: string[] = [];
function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatbot-config-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('runs one API process per core unless WEB_CONCURRENCY says otherwise, and refuses 0 or a word', () => {
    const base = { SECRET_KEY: 'a-development-secret-key', DATA_DIR: tempDir() };
    expect(loadConfig(base).WEB_CONCURRENCY).toBe(availableParallelism());
    expect(loadConfig({ ...base, WEB_CONCURRENCY: '1' }).WEB_CONCURRENCY).toBe(1);
    expect(problemsOf({ ...base, WEB_CONCURRENCY: '0' })).toEqual([expect.stringMatching(/^WEB_CONCURRENCY: /)]);
    expect(problemsOf({ ...base, WEB_CONCURRENCY: 'many' })).toEqual([expect.stringMatching(/^WEB_CONCURRENCY: /)]);
  });

  it('applies the documented defaults', () => {
    const cfg = loadConfig({ SECRET_KEY: 'a-development-secret-key', DATA_DIR: tempDir() });
    expect(cfg).toMatchObject({
      NODE_ENV: 'development',
      PORT: 8080,
      HOST: '127.0.0.1',
      ACCESS_TOKEN_EXPIRE_MINUTES: 30,
      AUTH_RATE_LIMIT_PER_MINUTE: 5,
      TRUST_PROXY: false,
      LOG_LEVEL: 'info',
      BODY_LIMIT_BYTES: 65536,
      secretKeyGenerated: false,
    });
    expect(cfg.ALLOWED_ORIGINS).toContain('http://localhost:8080');
    expect(cfg.DATABASE_URL).toBeUndefined();
  });

  it('parses numbers, booleans and lists from strings, and treats blank values as unset', () => {
    const cfg = loadConfig({
      SECRET_KEY: 'a-development-secret-key',
      DATA_DIR: tempDir(),
      PORT: '9090',
      TRUST_PROXY: 'true',
      AUTH_RATE_LIMIT_PER_MINUTE: '0',
      ALLOWED_ORIGINS: 'https://a.example, https://b.example ,',
      DATABASE_URL: '',
    });
    expect(cfg.PORT).toBe(9090);
    expect(cfg.TRUST_PROXY).toBe(true);
    expect(cfg.AUTH_RATE_LIMIT_PER_MINUTE).toBe(0);
    expect(cfg.ALLOWED_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(cfg.DATABASE_URL).toBeUndefined();
  });

  it('reports every bad value in one ConfigError, the production secret included', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://localhost/x',
      TRUST_PROXY: 'maybe',
      ACCESS_TOKEN_EXPIRE_MINUTES: '0',
    });
    const names = problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'PORT',
        'LOG_LEVEL',
        'DATABASE_URL',
        'TRUST_PROXY',
        'ACCESS_TOKEN_EXPIRE_MINUTES',
        'SECRET_KEY',
      ]),
    );
    expect(problems).toHaveLength(6);
    const err = (() => {
      try {
        loadConfig({ PORT: '-1', SECRET_KEY: 'long-enough-secret-key' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err?.message).toMatch(/^Invalid configuration:\n {2}- PORT: /);
  });

  it('requires SECRET_KEY in production', () => {
    expect(problemsOf({ NODE_ENV: 'production', DATA_DIR: tempDir() })).toEqual([
      expect.stringMatching(/^SECRET_KEY: required when NODE_ENV=production/),
    ]);
  });

  it('refuses a production SECRET_KEY shorter than 32 characters', () => {
    expect(problemsOf({ NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(31) })).toEqual([
      expect.stringMatching(/^SECRET_KEY: must be at least 32 characters/),
    ]);
    const ok = loadConfig({ NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(32) });
    expect(ok.SECRET_KEY).toBe('x'.repeat(32));
    expect(ok.secretKeyGenerated).toBe(false);
  });

  it('generates a secret once, keeps it in DATA_DIR (owner-only) and reuses it', () => {
    const dir = path.join(tempDir(), 'nested');
    const first = loadConfig({ DATA_DIR: dir });
    expect(first.secretKeyGenerated).toBe(true);
    expect(first.SECRET_KEY.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dir, 'secret_key');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.SECRET_KEY);
    expect(statSync(file).mode & 0o077).toBe(0);
    const second = loadConfig({ DATA_DIR: dir });
    expect(second.SECRET_KEY).toBe(first.SECRET_KEY);
  });

  it('replaces a stored secret too short to be safe', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'secret_key'), 'short\n');
    const cfg = loadConfig({ DATA_DIR: dir });
    expect(cfg.SECRET_KEY).not.toBe('short');
    expect(cfg.SECRET_KEY.length).toBeGreaterThanOrEqual(32);
  });

  it('prefers SECRET_KEY from the environment over the stored one', () => {
    const dir = tempDir();
    loadConfig({ DATA_DIR: dir });
    const cfg = loadConfig({ DATA_DIR: dir, SECRET_KEY: 'explicit-secret-key-value' });
    expect(cfg.SECRET_KEY).toBe('explicit-secret-key-value');
    expect(cfg.secretKeyGenerated).toBe(false);
  });
});
