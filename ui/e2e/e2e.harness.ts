// The browser journeys' harness: the API in-process on a real port (HTTP + WebSocket) serving ui/dist, a fresh test
// database, the fake OpenAI-compatible server, and Debian's Chromium driven by playwright-core (never downloaded).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Clock } from '../../api/src/lib/clock.js';
import { startServer } from '../../api/src/server.js';
import { launchChromium } from '../../api/test/chromium.js';
import { type FakeOpenAI, type FakeScript, startFakeOpenAI } from '../../api/test/fake-openai.js';
// Brings in the ProvidedContext declaration (pgServerUrl) that the API harness reads.
import type {} from '../../api/test/global-setup.js';
import { createTestApp, type TestApp } from '../../api/test/harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const uiDist = path.join(repoRoot, 'ui', 'dist');
export const artifactsDir = path.join(repoRoot, 'test-artifacts');

export interface E2eEnv {
  app: TestApp;
  fake: FakeOpenAI;
  browser: Browser;
  baseUrl: string;
  /** Drops every open WebSocket from the server side, as a flaky network would. */
  dropSockets(): void;
  newPage(opts?: { width?: number; height?: number; colorScheme?: 'light' | 'dark' }): Promise<Page>;
  close(): Promise<void>;
}

/** The UI must be built (scripts/test.sh does it); building here keeps `vitest run --project e2e` usable alone. */
function ensureUiBuilt(): void {
  if (existsSync(path.join(uiDist, 'index.html'))) return;
  execFileSync('npx', ['vite', 'build'], { cwd: path.join(repoRoot, 'ui'), stdio: 'inherit' });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startE2e(
  opts: { script?: FakeScript; env?: Record<string, string>; offlineModel?: boolean; clock?: Clock } = {},
): Promise<E2eEnv> {
  ensureUiBuilt();
  const fake = await startFakeOpenAI(opts.script ?? { chunkDelayMs: 20 });
  // The WebSocket route checks Origin against ALLOWED_ORIGINS, so the port is chosen before the app is built.
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const model: Record<string, string> = opts.offlineModel
    ? {}
    : { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test-key', OPENAI_MODEL: 'fake-model' };
  const app = await createTestApp(
    {
      ...model,
      UI_DIST_DIR: uiDist,
      ALLOWED_ORIGINS: baseUrl,
      ...opts.env,
    },
    opts.clock ? { clock: opts.clock } : {},
  );
  const running = await startServer(app.app.fetch, { port, host: '127.0.0.1' });
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];

  return {
    app,
    fake,
    browser,
    baseUrl,
    dropSockets() {
      for (const c of running.wss.clients) c.terminate();
    },
    async newPage(p = {}) {
      // A fresh context per page: its own storage (token) and cache, like a new browser profile.
      const context = await browser.newContext({
        baseURL: baseUrl,
        viewport: { width: p.width ?? 1280, height: p.height ?? 800 },
        colorScheme: p.colorScheme ?? 'light',
        locale: 'en-US',
      });
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      await running.close();
      await app.cleanup();
      await fake.close();
    },
  };
}

let counter = 0;
/** A unique, valid account for one journey. */
export function newAccount(prefix = 'user') {
  counter += 1;
  const username = `${prefix}_${process.pid}_${counter}`;
  return { username, email: `${username}@example.com`, password: 'Str0ngPassword' };
}

/** Registers through the UI; registration logs in and lands in the chat. */
export async function registerViaUi(page: Page, account: ReturnType<typeof newAccount>): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('button', { name: 'New chat' }).waitFor();
}

export function screenshotPath(name: string): string {
  const dir = path.join(artifactsDir, 'screenshots');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

/** JSON over the API from the test (setting the scene fast; the page under test then reads it). */
export async function apiCall(
  env: E2eEnv,
  method: string,
  p: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${env.baseUrl}${p}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** An account made through the API, and a page that starts logged in as it (token in localStorage before the app runs). */
export async function loggedInPage(
  env: E2eEnv,
  opts: { width?: number; height?: number; colorScheme?: 'light' | 'dark'; noWebSocket?: boolean } = {},
): Promise<{ page: Page; token: string; account: ReturnType<typeof newAccount> }> {
  const account = newAccount('api');
  const reg = await apiCall(env, 'POST', '/api/auth/register', account);
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status}`);
  const login = await apiCall(env, 'POST', '/api/auth/login', {
    username: account.username,
    password: account.password,
  });
  const token = String(login.body.accessToken);
  const page = await env.newPage(opts);
  await page.context().addInitScript(
    ([t, u, noWs]) => {
      localStorage.setItem('chatbot.token', t);
      localStorage.setItem('chatbot.user', u);
      // A browser (or proxy) without WebSocket: the app must fall back to SSE.
      if (noWs) (window as { WebSocket?: unknown }).WebSocket = undefined;
    },
    [
      token,
      JSON.stringify({ id: 0, username: account.username, email: account.email }),
      Boolean(opts.noWebSocket),
    ] as const,
  );
  return { page, token, account };
}
