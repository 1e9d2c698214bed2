// The docs page in a real Chromium under the app's CSP: Swagger UI renders every operation, reports no CSP
// violation or script error, and "Try it out" calls the API.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/chromium.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { buildOpenApiDocument } from './openapi.js';

let t: TestApp;
let server: ReturnType<typeof serve>;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  t = await createTestApp();
  await new Promise<void>((resolve) => {
    server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      baseUrl = `http://127.0.0.1:${(info as AddressInfo).port}`;
      resolve();
    });
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await t?.cleanup();
});

describe('GET /api/docs in a browser', () => {
  it('renders every operation with no CSP violation, and Try it out reaches the API', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const outside: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(baseUrl) && !r.url().startsWith('data:')) outside.push(r.url());
    });

    await page.goto(`${baseUrl}/api/docs`);
    await page.waitForSelector('.opblock', { timeout: 20_000 });
    const operations = Object.values(buildOpenApiDocument().paths).flatMap((p) => Object.keys(p)).length;
    expect(await page.locator('.opblock').count()).toBe(operations);

    const health = page.locator('.opblock', { has: page.locator('[data-path="/api/health"]') });
    await health.locator('.opblock-summary').click();
    await health.getByRole('button', { name: 'Try it out' }).click();
    await health.getByRole('button', { name: 'Execute' }).click();
    const status = health.locator('.live-responses-table tbody .response-col_status').first();
    await expect.poll(async () => (await status.textContent())?.trim(), { timeout: 10_000 }).toBe('200');

    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 90_000); // a cold Chromium on a loaded 2-core machine
});
