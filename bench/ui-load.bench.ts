// UI load benchmark: the chat page's first load (cold cache) in Debian's Chromium, N times, against a same-run
// baseline (a blank static page from the same server), so a slow shared machine shows in both columns.
// Run: node --import tsx bench/ui-load.bench.ts   (needs ui/dist: `cd ui && npx vite build`; writes bench/results/ui-load.json)
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { createApp } from '../api/src/app.js';
import { loadConfig } from '../api/src/config.js';
import { connectDatabase, type Database } from '../api/src/db/client.js';
import { ensureDatabase, startEmbeddedPostgres } from '../api/src/db/embedded.js';
import { runMigrations } from '../api/src/db/migrate.js';
import { createLogger } from '../api/src/lib/logger.js';
import { type RunningServer, startServer } from '../api/src/server.js';
import { launchChromium } from '../api/test/chromium.js';
import { writeResult } from './results.js';
import { percentile } from './stats.js';

const RUNS = Number(process.env.BENCH_UI_RUNS ?? 10);
const here = path.dirname(fileURLToPath(import.meta.url));
const uiDist = path.resolve(here, '..', 'ui', 'dist');
const out = (line = '') => process.stdout.write(`${line}\n`);

interface Sample {
  /** Chat page: the conversation's assistant message and the focused composer are on screen. */
  usableMs: number;
  domContentLoadedMs: number;
  /** Baseline: a blank static page's load event, from the same server in the same run. */
  blankLoadMs: number;
}

async function post(base: string, p: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${p}: HTTP ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

async function measureOnce(browser: Browser, base: string, token: string, sessionId: number): Promise<Sample> {
  // A new context each time: empty cache and storage, like a first visit.
  const blankCtx = await browser.newContext({ baseURL: base });
  const blank = await blankCtx.newPage();
  await blank.goto('/bench-blank.html', { waitUntil: 'load' });
  const blankLoadMs = await blank.evaluate(
    () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd,
  );
  await blankCtx.close();

  const ctx = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
  await ctx.addInitScript((t) => {
    localStorage.setItem('chatbot.token', t);
    const marks: Record<string, number> = {};
    (window as unknown as { __marks: typeof marks }).__marks = marks;
    new MutationObserver(() => {
      if (
        !marks.usable &&
        document.querySelector('article[data-role="assistant"] [data-testid="message-body"]') &&
        document.activeElement?.tagName === 'TEXTAREA'
      )
        marks.usable = performance.now();
    }).observe(document, { childList: true, subtree: true, attributes: true });
  }, token);
  const page = await ctx.newPage();
  await page.goto(`/c/${sessionId}`);
  await page.locator('article[data-role="assistant"] [data-testid="message-body"]').waitFor();
  await page.waitForFunction(() => document.activeElement?.tagName === 'TEXTAREA');
  const t = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const marks = (window as unknown as { __marks: { usable?: number } }).__marks;
    return { usable: marks.usable ?? performance.now(), dcl: n.domContentLoadedEventEnd };
  });
  await ctx.close();
  return {
    usableMs: Math.round(t.usable),
    domContentLoadedMs: Math.round(t.dcl),
    blankLoadMs: Math.round(blankLoadMs),
  };
}

export async function runUiLoadBench(): Promise<Record<string, unknown>> {
  if (!existsSync(path.join(uiDist, 'index.html'))) throw new Error('no ui/dist: run `cd ui && npx vite build` first');
  const dir = mkdtempSync(path.join(tmpdir(), 'chatbot-bench-ui-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as `postgres`, which must enter this folder
  // The built UI plus a blank page (the baseline), served by the API exactly as in production.
  const dist = path.join(dir, 'dist');
  cpSync(uiDist, dist, { recursive: true });
  writeFileSync(path.join(dist, 'bench-blank.html'), '<!doctype html><title>blank</title><p>blank</p>\n');
  const server = await startEmbeddedPostgres(path.join(dir, 'data'));
  let database: Database | undefined;
  let browser: Browser | undefined;
  let running: RunningServer | undefined;
  try {
    database = connectDatabase(await ensureDatabase(server.url, 'bench_ui'), { max: 4 });
    await runMigrations(database);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const base = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      NODE_ENV: 'production',
      SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789',
      LOG_LEVEL: 'silent',
      AUTH_RATE_LIMIT_PER_MINUTE: '0',
      CHAT_RATE_LIMIT_PER_MINUTE: '0',
      DATA_DIR: path.join(dir, 'app-data'),
      UI_DIST_DIR: dist,
      ALLOWED_ORIGINS: base,
    });
    const app = createApp({ config, database, logger: createLogger('silent') });
    running = await startServer(app.app.fetch, { port, host: '127.0.0.1' });
    // One account with one answered question (the built-in offline model answers).
    const account = { username: 'bench_ui', email: 'bench_ui@example.com', password: 'Str0ngPassword' };
    await post(base, '/api/auth/register', account);
    const login = await post(base, '/api/auth/login', { username: account.username, password: account.password });
    const token = String(login.accessToken);
    const session = await post(base, '/api/chat/sessions', { title: 'Benchmark' }, token);
    const sessionId = Number(session.id);
    await post(base, `/api/chat/sessions/${sessionId}/messages`, { content: 'How do I sort people by age?' }, token);

    browser = await launchChromium();
    await measureOnce(browser, base, token, sessionId); // warm-up: the server's first requests, Chromium's start
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(await measureOnce(browser, base, token, sessionId));

    const col = (k: keyof Sample) => samples.map((s) => s[k]);
    const row = (name: string, k: keyof Sample) => ({
      name,
      medianMs: percentile(col(k), 50),
      p95Ms: percentile(col(k), 95),
      minMs: Math.min(...col(k)),
    });
    const rows = [
      row('blank page load (baseline)', 'blankLoadMs'),
      row('chat page DOMContentLoaded', 'domContentLoadedMs'),
      row('chat page usable', 'usableMs'),
    ];
    out(`chat page first load, cold cache, ${RUNS} runs (load average ${loadavg()[0]?.toFixed(2)})`);
    out(`${'what'.padEnd(30)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'min'.padStart(8)}`);
    for (const r of rows)
      out(
        `${r.name.padEnd(30)} ${`${r.medianMs}`.padStart(8)} ${`${r.p95Ms}`.padStart(8)} ${`${r.minMs}`.padStart(8)}`,
      );
    const usable = rows[2]?.medianMs ?? Number.NaN;
    const blank = rows[0]?.medianMs ?? Number.NaN;
    out(`chat page usable: median ${usable} ms, ${(usable / Math.max(1, blank)).toFixed(1)}× the blank page`);

    const result = {
      runs: RUNS,
      loadAverage: loadavg()[0],
      rows,
      usableOverBaseline: usable / Math.max(1, blank),
      samples,
    };
    out(`written: ${writeResult('ui-load', result)}`);
    await app.close(2_000);
    return result;
  } finally {
    await browser?.close().catch(() => {});
    await running?.close();
    await database?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Standalone: `node --import tsx bench/ui-load.bench.ts`.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runUiLoadBench().catch((err) => {
    process.stderr.write(`ui-load bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
