// Browser journeys in real Chromium: accounts, chatting with streamed answers, sessions, stop, reconnect, safety.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastUserText } from '../../api/test/fake-openai.js';
import { apiCall, type E2eEnv, loggedInPage, newAccount, registerViaUi, startE2e } from './e2e.harness';

let env: E2eEnv;
/** The API's clock runs this far ahead of the real one: moved forward to expire tokens without waiting. */
let clockOffsetMs = 0;

beforeAll(async () => {
  env = await startE2e({
    script: { chunkDelayMs: 25 },
    clock: { now: () => new Date(Date.now() + clockOffsetMs) },
  });
});
afterAll(async () => {
  await env?.close();
});

const assistant = (page: Page) => page.locator('article[data-role="assistant"]');

/** Waits until the answer is on screen but still being written, and returns the text shown at that moment. */
async function waitForPartialAnswer(page: Page): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const text = await page.evaluate(
      () =>
        document.querySelector('article[data-role="assistant"][data-status="streaming"] [data-testid="message-body"]')
          ?.textContent ?? '',
    );
    if (text.trim()) return text;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no partly written answer was seen');
}

describe('browser journeys', () => {
  it('registers, logs in, chats with a streamed answer that persists, manages sessions and logs out', async () => {
    const page = await env.newPage();
    const account = newAccount('journey');
    // The app runs under the API's CSP (script-src 'self'): any violation or script error would show here.
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });

    // A protected page sends a logged-out visitor to the login page.
    await page.goto('/');
    await page.waitForURL('**/login');

    await registerViaUi(page, account);
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');

    // Log in by email this time.
    await page.getByLabel('Username').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.waitForURL(/\/c\/\d+$/);
    const firstUrl = page.url();

    // Send; the answer streams in: seen partly written before it is complete.
    env.fake.setScript({
      reply: 'Here is **bold** text and a list:\n\n- one\n- two\n\nThat is all for now, thank you.',
      chunkDelayMs: 60,
    });
    const box = page.getByLabel('Message');
    await expect.poll(async () => box.evaluate((el) => el === document.activeElement)).toBe(true);
    await box.fill('Tell me something');
    await box.press('Enter');
    await expect.poll(() => page.locator('article[data-role="user"]').textContent()).toContain('Tell me something');
    const partial = await waitForPartialAnswer(page);
    await page.locator('article[data-role="assistant"][data-status="complete"]').waitFor();
    const final = (await assistant(page).last().textContent()) ?? '';
    expect(partial.length).toBeGreaterThan(0);
    expect(final.length).toBeGreaterThan(partial.length);
    await expect.poll(() => assistant(page).last().locator('strong').textContent()).toBe('bold');
    expect(await assistant(page).last().locator('li').count()).toBe(2);
    await expect.poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('open');

    // Reload: the conversation is still there, rendered the same way.
    await page.reload();
    await expect.poll(() => assistant(page).last().locator('strong').textContent()).toBe('bold');
    expect(await page.locator('article[data-role="user"]').textContent()).toContain('Tell me something');
    // The server titled the conversation from its first message.
    await expect.poll(() => page.getByTestId('chat-title').textContent()).toContain('Tell me something');

    // A second session, then switch back to the first through the sidebar.
    await page.keyboard.press('Control+k');
    await expect.poll(() => page.url()).not.toBe(firstUrl);
    await expect.poll(() => page.locator('[data-session-id]').count()).toBe(2);
    expect(await page.locator('article').count()).toBe(0);
    await page.getByRole('link', { name: /Tell me something/ }).click();
    await expect.poll(() => page.url()).toBe(firstUrl);
    await expect.poll(() => assistant(page).count()).toBe(1);

    // Rename the first session inline.
    await page.getByRole('button', { name: /^Rename: Tell me something/ }).click();
    const title = page.getByLabel('Conversation title');
    await title.fill('Renamed chat');
    await title.press('Enter');
    await expect.poll(() => page.getByTestId('chat-title').textContent()).toBe('Renamed chat');
    await page.reload();
    await expect.poll(() => page.getByRole('link', { name: 'Renamed chat' }).count()).toBe(1);

    // Delete it, with a confirmation.
    await page.getByRole('button', { name: 'Delete: Renamed chat' }).click();
    await page.getByRole('button', { name: /^Delete "Renamed chat"\?/ }).click();
    await expect.poll(() => page.locator('[data-session-id]').count()).toBe(1);
    await page.waitForURL((u) => u.pathname === '/');

    // Log out; the chat is protected again.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    expect(await page.evaluate(() => localStorage.getItem('chatbot.token'))).toBeNull();
    await page.goto(firstUrl);
    await page.waitForURL('**/login');
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(problems).toEqual([]);
  });
});

describe('streaming control and recovery', () => {
  it('stops an answer mid-way: the partial text stays, marked stopped, with Retry', async () => {
    const page = await env.newPage();
    await registerViaUi(page, newAccount('stopper'));
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.waitForURL(/\/c\/\d+$/);
    env.fake.setScript({ reply: Array.from({ length: 200 }, (_, i) => `word${i}`).join(' '), chunkDelayMs: 40 });
    await page.getByLabel('Message').fill('Write a long answer');
    await page.getByRole('button', { name: 'Send' }).click();
    const partial = await waitForPartialAnswer(page);
    await page.getByRole('button', { name: 'Stop' }).click();
    const stopped = page.locator('article[data-role="assistant"][data-status="stopped"]');
    await stopped.waitFor();
    const text = (await stopped.getByTestId('message-body').textContent()) ?? '';
    expect(text.length).toBeGreaterThanOrEqual(partial.trim().length);
    expect(text).not.toContain('word199');
    expect(await stopped.getByText('Stopped').count()).toBe(1);
    await stopped.getByRole('button', { name: 'Retry' }).waitFor();
    // Send is back: the composer accepts the next message.
    await page.getByRole('button', { name: 'Send' }).waitFor();
    // After a reload the stopped answer is still there and still marked.
    await page.reload();
    await page.locator('article[data-role="assistant"][data-status="stopped"]').waitFor();
    // Retry regenerates the answer: this time it completes, and the stopped one stays an alternative (‹ 1/2 ›).
    env.fake.setScript({ reply: 'A short answer this time.', chunkDelayMs: 5 });
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.locator('article[data-role="assistant"][data-status="complete"]').waitFor();
    const questions = await page.locator('article[data-role="user"] [data-testid="message-body"]').allTextContents();
    expect(questions).toEqual(['Write a long answer']);
    await expect.poll(() => page.getByTestId('sibling-position').textContent()).toBe('2/2');
  });

  it('recovers the whole answer when the socket drops mid-answer', async () => {
    const page = await env.newPage();
    await registerViaUi(page, newAccount('dropper'));
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.waitForURL(/\/c\/\d+$/);
    const words = Array.from({ length: 60 }, (_, i) => `w${i}`);
    env.fake.setScript({ reply: words.join(' '), chunkDelayMs: 30 });
    await page.getByLabel('Message').fill('Keep talking');
    await page.getByLabel('Message').press('Enter');
    await waitForPartialAnswer(page);
    env.dropSockets();
    // The state becomes visible to the user, then heals.
    await expect.poll(() => page.getByTestId('connection-state').getAttribute('data-state')).not.toBe('open');
    await expect
      .poll(() => page.getByTestId('connection-state').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('open');
    const done = page.locator('article[data-role="assistant"][data-status="complete"]');
    await done.waitFor({ timeout: 15_000 });
    const text = ((await done.getByTestId('message-body').textContent()) ?? '').trim();
    expect(text).toContain(words.join(' '));
    // Every word exactly once: nothing lost, nothing doubled by the replay.
    expect(text.match(/w\d+/g)).toEqual(words);
  });
});

describe('safety and sessions', () => {
  it('keeps an <img onerror> and a javascript: link inert', async () => {
    const page = await env.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await registerViaUi(page, newAccount('hostile'));
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.waitForURL(/\/c\/\d+$/);
    const hostile = 'Look <img src=x onerror=alert(1)> and [click me](javascript:alert(2)) now';
    env.fake.setScript({ reply: hostile, chunkDelayMs: 5 });
    await page.getByLabel('Message').fill(hostile);
    await page.getByLabel('Message').press('Enter');
    const done = page.locator('article[data-role="assistant"][data-status="complete"]');
    await done.waitFor();
    await expect.poll(() => done.locator('.prose-chat').count()).toBe(1);
    const link = done.getByText('click me');
    await link.click();
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(await page.locator('[data-testid="messages"] img').count()).toBe(0);
    expect(await page.locator('a[href^="javascript" i]').count()).toBe(0);
    expect(await page.locator('[onerror]').count()).toBe(0);
    expect(await done.textContent()).toContain('<img src=x onerror=alert(1)>');
  });

  it('returns to the login page when the token is revoked', async () => {
    const page = await env.newPage();
    await registerViaUi(page, newAccount('revoked'));
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.waitForURL(/\/c\/\d+$/);
    // The new conversation's own requests (its messages, the list, the socket) finish first: one of them still in
    // flight when the token is revoked would send the page to /login before the click below, and the click would
    // wait for a button that is gone.
    await page.waitForLoadState('networkidle');
    const token = await page.evaluate(() => localStorage.getItem('chatbot.token'));
    expect(token).toBeTruthy();
    // Logged out elsewhere (another tab, an admin): the server now refuses this token.
    const res = await fetch(`${env.baseUrl}/api/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.waitForURL('**/login');
    expect(await page.evaluate(() => localStorage.getItem('chatbot.token'))).toBeNull();
  });

  it('returns to the login page when the login itself has expired', async () => {
    const page = await env.newPage();
    await registerViaUi(page, newAccount('expired'));
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.waitForURL(/\/c\/\d+$/);
    // An expired access token alone is refreshed (identity.e2e.test.ts); past REFRESH_TOKEN_EXPIRE_DAYS (30) the
    // refresh is refused too, and only then does the page return to the login.
    clockOffsetMs = 31 * 24 * 60 * 60_000;
    try {
      // The next call the page makes (the reload's session list, or a reconnecting socket) is refused.
      await page.reload();
      await page.waitForURL('**/login');
      expect(await page.evaluate(() => localStorage.getItem('chatbot.token'))).toBeNull();
      await expect(page.getByLabel('Password').isVisible()).resolves.toBe(true);
    } finally {
      clockOffsetMs = 0;
    }
  });
});

describe('long lists and fallbacks', () => {
  it('loads older messages when scrolling up, keeping the latest first', async () => {
    const { page, token } = await loggedInPage(env);
    env.fake.setScript({ reply: (req) => `answer to ${lastUserText(req)}`, chunkDelayMs: 0 });
    const session = await apiCall(env, 'POST', '/api/chat/sessions', { title: 'Long talk' }, token);
    const id = Number(session.body.id);
    for (let i = 1; i <= 30; i++) {
      const sent = await apiCall(env, 'POST', `/api/chat/sessions/${id}/messages`, { content: `question ${i}` }, token);
      expect(sent.status).toBeLessThan(300);
    }
    await page.goto(`/c/${id}`);
    await page.getByText('answer to question 30').waitFor();
    const before = await page.locator('article').count();
    expect(before).toBeLessThan(60);
    expect(await page.getByText('question 1', { exact: true }).count()).toBe(0);
    await page.getByTestId('messages').evaluate((el) => {
      el.scrollTop = 0;
    });
    await page.getByText('question 1', { exact: true }).waitFor();
    expect(await page.locator('article').count()).toBe(60);
  });

  it('pages the sidebar as it scrolls, newest activity first', async () => {
    const { page, token } = await loggedInPage(env);
    for (let i = 1; i <= 35; i++) await apiCall(env, 'POST', '/api/chat/sessions', { title: `Session ${i}` }, token);
    await page.goto('/');
    await page.getByRole('link', { name: 'Session 35' }).waitFor();
    const first = await page.locator('[data-session-id] a').first().textContent();
    expect(first).toBe('Session 35');
    expect(await page.locator('[data-session-id]').count()).toBe(30);
    await page.getByTestId('session-list').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect.poll(() => page.locator('[data-session-id]').count()).toBe(35);
  });

  it('falls back to SSE when WebSocket is unavailable', async () => {
    const { page } = await loggedInPage(env, { noWebSocket: true });
    env.fake.setScript({ reply: 'Streamed over *SSE* instead', chunkDelayMs: 20 });
    await page.goto('/');
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.waitForURL(/\/c\/\d+$/);
    await expect.poll(() => page.getByTestId('connection-state').getAttribute('data-state')).toBe('sse');
    await page.getByLabel('Message').fill('Hello without sockets');
    await page.getByLabel('Message').press('Enter');
    const done = page.locator('article[data-role="assistant"][data-status="complete"]');
    await done.waitFor();
    expect(await done.locator('em').textContent()).toBe('SSE');
  });

  it('shows the server validation next to the field it concerns on sign-up', async () => {
    const page = await env.newPage();
    await page.goto('/register');
    await page.getByLabel('Username').fill('valid_name');
    await page.getByLabel('Email').fill('valid@example.com');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    const error = page.locator('#password-error');
    await error.waitFor();
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    expect((await error.textContent())?.length).toBeGreaterThan(5);
  });
});

describe('smoothness', () => {
  it('keeps typing smooth while an answer streams at 100 chunks a second', async () => {
    const { page } = await loggedInPage(env);
    const chunks = 400;
    env.fake.setScript({
      reply: Array.from({ length: chunks }, (_, i) => (i % 40 === 39 ? `w${i}\n\n` : `w${i} `)).join(''),
      chunkBy: 'token',
      chunkDelayMs: 10,
    });
    await page.goto('/');
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.waitForURL(/\/c\/\d+$/);
    await page.getByLabel('Message').fill('Stream fast');
    await page.getByLabel('Message').press('Enter');
    await waitForPartialAnswer(page);
    // Frame gaps and key-to-frame latency measured in the page while the answer streams and the user types.
    await page.evaluate(() => {
      const w = window as unknown as { __gaps: number[]; __lat: number[]; __stop: boolean };
      w.__gaps = [];
      w.__lat = [];
      w.__stop = false;
      let last = performance.now();
      const tick = (now: number) => {
        w.__gaps.push(now - last);
        last = now;
        if (!w.__stop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      document.addEventListener('keydown', (e) => {
        const t0 = e.timeStamp;
        requestAnimationFrame(() => w.__lat.push(performance.now() - t0));
      });
    });
    const typed = 'typing while it streams';
    await page.getByLabel('Message').pressSequentially(typed, { delay: 30 });
    const stats = await page.evaluate(() => {
      const w = window as unknown as { __gaps: number[]; __lat: number[]; __stop: boolean };
      w.__stop = true;
      const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
      const p = (a: number[], q: number) => Math.round(sorted(a)[Math.floor((a.length - 1) * q)] ?? 0);
      return {
        frames: w.__gaps.length,
        frameGapP50: p(w.__gaps, 0.5),
        frameGapP95: p(w.__gaps, 0.95),
        keyToFrameP50: p(w.__lat, 0.5),
        keyToFrameP95: p(w.__lat, 0.95),
        streaming: Boolean(document.querySelector('article[data-status="streaming"]')),
      };
    });
    process.stdout.write(`typing during a 100 chunks/s stream: ${JSON.stringify(stats)}\n`);
    // Nothing typed is lost, and the answer was still streaming while the user typed.
    expect(await page.getByLabel('Message').inputValue()).toBe(typed);
    expect(stats.streaming).toBe(true);
    // A key shows on the next frame or so: well under what a person notices (~100 ms), even on a busy machine.
    expect(stats.keyToFrameP50).toBeLessThan(100);
    await page.locator('article[data-role="assistant"][data-status="complete"]').waitFor({ timeout: 20_000 });
  });
});
