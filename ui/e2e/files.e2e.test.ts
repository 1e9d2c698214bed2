// Files in the conversation, in Chromium: a document picked in the composer uploads and is read, the answer cites it
// and [1] opens the quoted passage; the conversation's Files panel lists it; an image to a model that cannot see is
// refused in words; a file of an unsupported kind fails with the reason and can be removed. Over WebSocket and SSE.
import { deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, type E2eEnv, loggedInPage, screenshotPath, startE2e } from './e2e.harness';

let env: E2eEnv;
beforeAll(async () => {
  env = await startE2e({ script: { chunkDelayMs: 2 } });
});
afterAll(async () => {
  await env?.close();
});

const HANDBOOK = [
  '# Staff handbook',
  '',
  '## Leave',
  '',
  'Every employee gets 27 days of paid leave per year, plus public holidays.',
  '',
  '## Travel',
  '',
  'Book trains over flights for trips under 600 km.',
].join('\n');

/** A real 1×1 PNG (signature, IHDR, IDAT, IEND), built here so nothing binary lives in the repo. */
function tinyPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  const idat = deflateSync(Buffer.from([0, 255, 0, 0]));
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function openNewSession(page: Page, token: string, title: string): Promise<number> {
  const res = await apiCall(env, 'POST', '/api/chat/sessions', { title }, token);
  expect(res.status).toBe(201);
  const id = Number(res.body.id);
  await page.goto(`/c/${id}`);
  await page.getByLabel('Message', { exact: true }).waitFor();
  return id;
}

const chip = (page: Page) => page.getByTestId('attachment');

for (const transport of ['WebSocket', 'SSE'] as const) {
  describe(`a document in the conversation (${transport})`, () => {
    it('uploads from the composer, answers with its passage as a source, and [1] opens the quote', async () => {
      const { page, token } = await loggedInPage(env, { noWebSocket: transport === 'SSE' });
      const sessionId = await openNewSession(page, token, 'Leave question');
      await page.getByTestId('file-input').setInputFiles({
        name: 'handbook.md',
        mimeType: 'text/markdown',
        buffer: Buffer.from(HANDBOOK),
      });
      await expect.poll(() => chip(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('ready');
      expect(await chip(page).textContent()).toContain('handbook.md');

      env.fake.setScript({ reply: 'You get 27 days of paid leave [1].', chunkDelayMs: 2 });
      const before = env.fake.chatRequests().length;
      await page.getByLabel('Message', { exact: true }).fill('How many days of leave do I get?');
      await page.getByLabel('Message', { exact: true }).press('Enter');
      const answer = page.locator('article[data-role="assistant"][data-status="complete"]').last();
      await answer.waitFor({ timeout: 20_000 });
      // The chips went with the message.
      expect(await chip(page).count()).toBe(0);

      // The model was given the passage, numbered as the answer cites it.
      const sent = JSON.stringify(env.fake.chatRequests().slice(before).at(-1)?.body);
      expect(sent).toContain('27 days of paid leave');
      expect(sent).toContain('[1]');

      const sources = answer.getByTestId('sources');
      await sources.waitFor();
      expect(await sources.textContent()).toContain('handbook.md');
      await answer.locator('button.cite', { hasText: '[1]' }).click();
      const quote = answer.getByTestId('source-quote');
      await quote.waitFor();
      expect(await quote.textContent()).toContain('27 days of paid leave');
      if (transport === 'WebSocket') await page.screenshot({ path: screenshotPath('files-desktop-light.png') });

      // After a reload the stored answer still has its sources.
      await page.reload();
      await page.locator('article[data-role="assistant"]').getByTestId('sources').waitFor();

      // The document stays in the conversation: the Files panel lists it, ready.
      await page.getByRole('button', { name: 'Files of this conversation' }).click();
      const listed = page.getByTestId('session-file');
      await listed.first().waitFor();
      expect(await listed.first().getAttribute('data-status')).toBe('ready');
      expect(await listed.first().textContent()).toContain('handbook.md');
      const files = await apiCall(env, 'GET', `/api/files?sessionId=${sessionId}`, undefined, token);
      expect(files.body.total).toBe(1);
    });
  });
}

describe('refusals in words', () => {
  it('says plainly that the model cannot read an image, and stores nothing for it', async () => {
    const { page, token } = await loggedInPage(env);
    const sessionId = await openNewSession(page, token, 'Picture');
    await page.getByTestId('file-input').setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: tinyPng() });
    await expect.poll(() => chip(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('ready');
    await page.getByLabel('Message', { exact: true }).fill('What is in this picture?');
    await page.getByLabel('Message', { exact: true }).press('Enter');
    await page.getByText('This model cannot read images').first().waitFor({ timeout: 20_000 });
    const detail = await apiCall(env, 'GET', `/api/chat/sessions/${sessionId}`, undefined, token);
    expect(detail.body.messages).toEqual([]);
  });

  it('shows why a file of an unsupported kind failed, and removes it', async () => {
    const { page, token } = await loggedInPage(env);
    await openNewSession(page, token, 'Odd file');
    await page.getByTestId('file-input').setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0xff, 0xff]),
    });
    await expect.poll(() => chip(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('failed');
    expect(await chip(page).textContent()).toContain('That kind of file is not supported');
    await page.getByRole('button', { name: 'Remove notes.txt' }).click();
    expect(await chip(page).count()).toBe(0);
    const files = await apiCall(env, 'GET', '/api/files', undefined, token);
    expect(files.body.total).toBe(0);
  });
});
