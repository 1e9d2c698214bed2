// Journeys for the conversation features: search that jumps to a message, export and import, pins, per-session
// settings, regenerate and edit with ‹ n/m ›, and the installable app (service worker, manifest, offline shell).
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, type E2eEnv, loggedInPage, screenshotPath, startE2e } from './e2e.harness';

let env: E2eEnv;
beforeAll(async () => {
  env = await startE2e({
    script: { chunkDelayMs: 5 },
    env: { OPENAI_MODELS: 'fake-model,fake-model-large' },
  });
});
afterAll(async () => {
  await env?.close();
});

const assistant = (page: Page) => page.locator('article[data-role="assistant"]');
const user = (page: Page) => page.locator('article[data-role="user"]');

async function newSession(token: string, title: string): Promise<number> {
  const res = await apiCall(env, 'POST', '/api/chat/sessions', { title }, token);
  expect(res.status).toBe(201);
  return Number(res.body.id);
}

async function ask(token: string, sessionId: number, content: string): Promise<void> {
  const res = await apiCall(env, 'POST', `/api/chat/sessions/${sessionId}/messages`, { content }, token);
  expect(res.status).toBeLessThan(300);
}

/** Sends from the composer and waits for one more answer to complete. */
async function sendAndWait(page: Page, text: string): Promise<void> {
  const complete = page.locator('article[data-role="assistant"][data-status="complete"]');
  const before = await complete.count();
  await page.getByLabel('Message').fill(text);
  await page.getByLabel('Message').press('Enter');
  await expect.poll(() => complete.count(), { timeout: 20_000 }).toBe(before + 1);
  await page.getByRole('button', { name: 'Send' }).waitFor();
}

describe('search', () => {
  it('finds a message in an old page of another conversation and jumps to it, highlighted', async () => {
    const { page, token } = await loggedInPage(env);
    env.fake.setScript({ reply: (req) => `Noted: ${String(req.messages.at(-1)?.content ?? '')}`, chunkDelayMs: 0 });
    const garden = await newSession(token, 'Garden notes');
    await ask(token, garden, 'Which zucchini variety climbs a trellis?');
    // 30 more turns: the first message is no longer in the latest page (50 messages).
    for (let i = 0; i < 30; i++) await ask(token, garden, `Filler question ${i}`);
    await newSession(token, 'Something else');

    await page.goto('/');
    await page.getByLabel('Search conversations').fill('zucchini');
    const hit = page.getByTestId('search-result').first();
    await hit.waitFor();
    expect(await hit.locator('mark').first().textContent()).toMatch(/zucchini/i);
    await page.screenshot({ path: screenshotPath('search-desktop-light.png') });
    await hit.click();
    await page.waitForURL(`**/c/${garden}`);
    const target = page.locator('article[data-highlighted]');
    await target.waitFor();
    expect(await target.textContent()).toContain('Which zucchini variety climbs a trellis?');
    await expect.poll(() => target.isVisible()).toBe(true);
  });

  it('never shows another user’s text', async () => {
    const other = await loggedInPage(env);
    const s = await newSession(other.token, 'Secret');
    env.fake.setScript({ reply: 'ok', chunkDelayMs: 0 });
    await ask(other.token, s, 'my password hint is kumquat');
    const { page } = await loggedInPage(env);
    await page.goto('/');
    await page.getByLabel('Search conversations').fill('kumquat');
    await page.getByText('Nothing found.').waitFor();
    expect(await page.getByTestId('search-result').count()).toBe(0);
  });
});

describe('export and import', () => {
  it('downloads a conversation as Markdown and JSON, exports everything and imports it back as new sessions', async () => {
    const { page, token } = await loggedInPage(env);
    env.fake.setScript({ reply: 'Bring a warm jacket.', chunkDelayMs: 0 });
    const trip = await newSession(token, 'Trip to Đà Lạt');
    await ask(token, trip, 'What should I pack?');
    await page.goto(`/c/${trip}`);
    await assistant(page).first().waitFor();

    await page.getByRole('button', { name: 'More actions' }).click();
    const [md] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'Export as Markdown' }).click(),
    ]);
    expect(md.suggestedFilename()).toBe('Trip-to-Da-Lat.md');
    const markdown = readFileSync(await md.path(), 'utf8');
    expect(markdown).toContain('What should I pack?');
    expect(markdown).toContain('Bring a warm jacket.');

    await page.getByRole('button', { name: 'More actions' }).click();
    const [js] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'Export as JSON' }).click(),
    ]);
    expect(JSON.parse(readFileSync(await js.path(), 'utf8')).sessions[0].title).toBe('Trip to Đà Lạt');

    await page.getByRole('button', { name: 'Your data' }).click();
    const [all] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'Export all (JSON)' }).click(),
    ]);
    const everything = readFileSync(await all.path());
    expect(JSON.parse(everything.toString('utf8')).sessions).toHaveLength(1);

    await page.getByLabel('Chatbot export file').setInputFiles({
      name: 'export.json',
      mimeType: 'application/json',
      buffer: everything,
    });
    await page.getByText('Imported 1 conversation(s).').waitFor();
    await expect.poll(() => page.locator('[data-session-id]').count()).toBe(2);
    const titles = await page.locator('[data-session-id] a').allTextContents();
    expect(titles).toEqual(['Trip to Đà Lạt', 'Trip to Đà Lạt']);
  });

  it('refuses a file that is not an export, in plain words, importing nothing', async () => {
    const { page } = await loggedInPage(env);
    await page.goto('/');
    await page.getByRole('button', { name: 'New chat' }).waitFor();
    // As a person does: open the data menu (its import picker loads with it), then pick the file.
    await page.getByRole('button', { name: 'Your data' }).click();
    await page.getByRole('menuitem', { name: 'Import from a file…' }).waitFor();
    await page.getByLabel('Chatbot export file').setInputFiles({
      name: 'notes.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"hello": "world"}'),
    });
    await page.getByText('This file is not a Chatbot export (JSON) or it is damaged.').waitFor();
    expect(await page.locator('[data-session-id]').count()).toBe(0);
  });
});

describe('pins and settings', () => {
  it('pins a conversation to the top, and it stays there after a reload', async () => {
    const { page, token } = await loggedInPage(env);
    await newSession(token, 'Old but important');
    await newSession(token, 'Newest');
    await page.goto('/');
    await expect.poll(() => page.locator('[data-session-id] a').first().textContent()).toBe('Newest');
    await page.getByRole('button', { name: 'Pin: Old but important' }).click();
    await page.getByTestId('session-group').getByText('Pinned').waitFor();
    await expect.poll(() => page.locator('[data-session-id] a').first().textContent()).toBe('Old but important');
    await page.reload();
    await page.getByRole('button', { name: 'Unpin: Old but important' }).waitFor();
    expect(await page.locator('[data-session-id] a').first().textContent()).toBe('Old but important');
  });

  it('saves a system prompt, model and temperature that the next answer uses', async () => {
    const { page, token } = await loggedInPage(env);
    const id = await newSession(token, 'Configured');
    await page.goto(`/c/${id}`);
    await page.getByRole('button', { name: 'Conversation settings' }).click();
    await page.getByRole('option', { name: 'fake-model-large' }).waitFor({ state: 'attached' });
    await page.getByLabel('System prompt').fill('Answer like a pirate.');
    await page.getByLabel('Model').selectOption('fake-model-large');
    await page.getByLabel('Temperature').fill('0.4');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor();

    env.fake.setScript({ reply: 'Arr, hello.', chunkDelayMs: 0 });
    await sendAndWait(page, 'Hello');
    const sent = env.fake.chatRequests().at(-1)?.body as {
      model: string;
      temperature?: number;
      messages: { role: string; content: string }[];
    };
    expect(sent.model).toBe('fake-model-large');
    expect(sent.temperature).toBe(0.4);
    expect(sent.messages[0]?.role).toBe('system');
    expect(sent.messages[0]?.content).toContain('Answer like a pirate.');

    await page.reload();
    await page.getByRole('button', { name: 'Conversation settings' }).click();
    expect(await page.getByLabel('System prompt').inputValue()).toBe('Answer like a pirate.');
    expect(await page.getByLabel('Model').inputValue()).toBe('fake-model-large');
  });
});

describe('starting a conversation', () => {
  it('sends a message typed the moment a new chat opens, while the chat is still loading', async () => {
    const { page } = await loggedInPage(env);
    env.fake.setScript({ reply: 'Here is one.', chunkDelayMs: 0 });
    // The new conversation's messages arrive late (a slow server or network): Enter comes before they do.
    await page.route(/\/api\/chat\/sessions\/\d+(\?.*)?$/, async (route) => {
      if (route.request().method() === 'GET') await new Promise((r) => setTimeout(r, 300));
      await route.continue();
    });
    await page.goto('/');
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.waitForURL(/\/c\/\d+$/);
    const asked = env.fake.chatRequests().length;
    await page.getByLabel('Message').fill('Tell me a joke');
    await page.getByLabel('Message').press('Enter');
    // Taken at once (the composer is emptied), and sent once the conversation is open.
    expect(await page.getByLabel('Message').inputValue()).toBe('');
    await page.locator('article[data-role="assistant"][data-status="complete"]').waitFor({ timeout: 20_000 });
    expect(await user(page).getByTestId('message-body').allTextContents()).toEqual(['Tell me a joke']);
    expect((await assistant(page).getByTestId('message-body').textContent())?.trim()).toBe('Here is one.');
    expect(env.fake.chatRequests().length).toBe(asked + 1);
  });
});

describe('regenerate and edit', () => {
  it('regenerates the last answer, flips back to the first one, and edits a question into a new branch', async () => {
    const { page } = await loggedInPage(env);
    let n = 0;
    env.fake.setScript({ reply: () => `Answer number ${++n}`, chunkDelayMs: 10 });
    await page.goto('/');
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.waitForURL(/\/c\/\d+$/);
    await sendAndWait(page, 'Tell me a joke');
    await expect
      .poll(() => assistant(page).last().getByTestId('message-body').textContent())
      .toContain('Answer number 1');

    await assistant(page).last().getByRole('button', { name: 'Regenerate' }).click();
    await expect
      .poll(() => assistant(page).last().getByTestId('message-body').textContent(), { timeout: 20_000 })
      .toContain('Answer number 2');
    await expect.poll(() => assistant(page).last().getByTestId('sibling-position').textContent()).toBe('2/2');
    expect(await assistant(page).count()).toBe(1);

    await assistant(page).last().getByRole('button', { name: 'Previous version' }).click();
    await expect.poll(() => assistant(page).last().getByTestId('sibling-position').textContent()).toBe('1/2');
    expect(await assistant(page).last().getByTestId('message-body').textContent()).toContain('Answer number 1');
    await page.screenshot({ path: screenshotPath('branches-desktop-light.png') });

    // Edit the question: a new branch with its own answer; the model sees only that branch.
    await user(page).first().getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Edit your message').fill('Tell me a story');
    await page.getByLabel('Edit your message').press('Enter');
    await expect
      .poll(() => assistant(page).last().getByTestId('message-body').textContent(), { timeout: 20_000 })
      .toContain('Answer number 3');
    await expect.poll(() => user(page).first().getByTestId('sibling-position').textContent()).toBe('2/2');
    expect(await user(page).first().getByTestId('message-body').textContent()).toBe('Tell me a story');
    const sent = env.fake.chatRequests().at(-1)?.body as { messages: { content: string }[] };
    const texts = sent.messages.map((m) => m.content).join('\n');
    expect(texts).toContain('Tell me a story');
    expect(texts).not.toContain('Tell me a joke');

    // The earlier question is one click away, with its own answers.
    await user(page).first().getByRole('button', { name: 'Previous version' }).click();
    await expect.poll(() => user(page).first().getByTestId('message-body').textContent()).toBe('Tell me a joke');
    await page.reload();
    await expect.poll(() => user(page).first().getByTestId('message-body').textContent()).toBe('Tell me a joke');
  });
});

describe('installable app', () => {
  it('links a valid manifest, registers the service worker, and opens offline saying the server cannot be reached', async () => {
    const { page } = await loggedInPage(env);
    await page.goto('/');
    await page.getByRole('button', { name: 'New chat' }).waitFor();

    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(manifestHref).toBe('/manifest.webmanifest');
    const manifest = await page.evaluate(async (href) => {
      const res = await fetch(href);
      return { type: res.headers.get('content-type'), body: await res.json() };
    }, manifestHref ?? '');
    expect(manifest.type).toContain('application/manifest+json');
    expect(manifest.body).toMatchObject({ name: 'Chatbot', start_url: '/', display: 'standalone' });
    const icons = manifest.body.icons as { src: string; sizes: string; purpose: string }[];
    expect(icons.map((i) => `${i.sizes} ${i.purpose}`).sort()).toEqual([
      '192x192 any',
      '512x512 any',
      '512x512 maskable',
    ]);
    for (const icon of icons) {
      const res = await page.request.get(icon.src);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-type']).toBe('image/png');
      expect((await res.body()).subarray(1, 4).toString()).toBe('PNG');
    }

    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${env.baseUrl}/`);
    // The worker controls the page once it has claimed it; its shell cache is filled at install.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const cached = await page.evaluate(async () => {
      const cache = await caches.open('chatbot-shell-v1');
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    expect(cached).toContain('/');
    expect(cached.some((p) => p.startsWith('/assets/') && p.endsWith('.js'))).toBe(true);
    expect(cached.some((p) => p.startsWith('/api/'))).toBe(false);

    await page.context().setOffline(true);
    const res = await page.reload();
    expect(res?.fromServiceWorker()).toBe(true);
    await page.getByTestId('server-unreachable').getByText('The server cannot be reached.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'New chat' }).waitFor();
    await page.context().setOffline(false);
    // Back online: the banner goes by itself.
    await page.getByTestId('server-unreachable').waitFor({ state: 'detached', timeout: 15_000 });
  });
});
