// Identity in real Chromium: an access token that expires mid-session is refreshed (before expiry, and on a 401) so
// the person is never logged out and the WebSocket keeps working; changing the password from the account page logs
// out the other devices; an API key is created (shown once), works, and is revoked.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, type E2eEnv, newAccount, registerViaUi, screenshotPath, startE2e } from './e2e.harness';

let env: E2eEnv;
/** The API's clock runs this far ahead of the real one (the browser's stays put). */
let clockOffsetMs = 0;

beforeAll(async () => {
  env = await startE2e({
    script: { chunkDelayMs: 10 },
    // One-minute access tokens: the page must refresh on its own to stay in.
    env: { ACCESS_TOKEN_EXPIRE_MINUTES: '1' },
    clock: { now: () => new Date(Date.now() + clockOffsetMs) },
  });
});
afterAll(async () => {
  await env?.close();
});

const storedToken = (page: Page) => page.evaluate(() => localStorage.getItem('chatbot.token'));

async function sendAndWait(page: Page, text: string, expectedAnswers: number): Promise<void> {
  const box = page.getByLabel('Message');
  await box.fill(text);
  await box.press('Enter');
  await expect
    .poll(() => page.locator('article[data-role="assistant"][data-status="complete"]').count(), { timeout: 15_000 })
    .toBe(expectedAnswers);
}

describe('identity journeys', () => {
  it('keeps a working person logged in across token expiry: refreshed ahead of time and on a 401', async () => {
    const page = await env.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    const account = newAccount('refresh');
    await registerViaUi(page, account);
    const first = await storedToken(page);
    expect(first).toBeTruthy();

    await page.getByRole('button', { name: 'New chat' }).click();
    await page.waitForURL(/\/c\/\d+$/);
    await sendAndWait(page, 'before the token expires', 1);

    // A one-minute token is refreshed some seconds before it runs out, through the HttpOnly cookie.
    await expect.poll(() => storedToken(page), { timeout: 70_000, interval: 500 }).not.toBe(first);
    const second = await storedToken(page);
    // The first token has expired by now on the server's clock; the page goes on with the new one.
    await new Promise((r) => setTimeout(r, 15_000));
    expect(await storedToken(page)).not.toBe(first);
    await sendAndWait(page, 'after the first token expired', 2);
    expect(new URL(page.url()).pathname).toMatch(/^\/c\/\d+$/);

    // The server's clock jumps past this token's expiry without the page knowing: the next call gets 401
    // TOKEN_EXPIRED, refreshes and is sent again.
    clockOffsetMs = 2 * 60_000;
    try {
      await page.getByTestId('current-user').click();
      await page.waitForURL('**/account');
      await page.getByText('This device', { exact: true }).waitFor({ timeout: 15_000 });
      expect(await storedToken(page)).not.toBe(second);
      expect(new URL(page.url()).pathname).toBe('/account');
    } finally {
      clockOffsetMs = 0;
    }
    // The refresh cookie is invisible to the page.
    expect(await page.evaluate(() => document.cookie)).not.toContain('chatbot_refresh');
    expect(problems).toEqual([]);
  }, 180_000);

  it('changes the password on the account page: other devices are logged out, the new password works', async () => {
    const page = await env.newPage();
    const account = newAccount('pwchange');
    await registerViaUi(page, account);
    const elsewhere = await apiCall(env, 'POST', '/api/auth/login', {
      username: account.username,
      password: account.password,
    });
    const otherToken = String(elsewhere.body.accessToken);
    expect((await apiCall(env, 'GET', '/api/auth/me', undefined, otherToken)).status).toBe(200);

    await page.getByTestId('current-user').click();
    await page.waitForURL('**/account');
    // Two devices listed: this one and the login made over the API.
    await expect.poll(() => page.getByTestId('device-list').locator('li').count()).toBe(2);

    await page.getByLabel('Current password').fill('Not the password 1');
    await page.getByLabel('New password').fill('Brand new Passw0rd');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /current password/i })
      .waitFor();

    await page.getByLabel('Current password').fill(account.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. Your other devices have been logged out.').waitFor();
    expect((await apiCall(env, 'GET', '/api/auth/me', undefined, otherToken)).status).toBe(401);
    await expect
      .poll(async () => {
        await page.reload();
        return page.getByTestId('device-list').locator('li').count();
      })
      .toBe(1);

    // Logged out, the old password fails and the new one works.
    await page.getByRole('link', { name: 'Back to the chat' }).click();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await page.getByLabel('Username').fill(account.username);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Password').fill('Brand new Passw0rd');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'New chat' }).waitFor();
  });

  it('creates an API key shown once, which works until it is revoked', async () => {
    const page = await env.newPage();
    const account = newAccount('keys');
    await registerViaUi(page, account);
    await page.goto('/account');
    await page.getByText('No API keys yet.').waitFor();

    await page.getByLabel('Key name').fill('deploy script');
    await page.getByLabel('Expires').selectOption('30');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByTestId('new-api-key');
    await shown.waitFor();
    const key = ((await shown.textContent()) ?? '').trim();
    expect(key).toMatch(/^cbk_[\w-]{40,}$/);
    const list = page.getByTestId('key-list');
    await list.getByText('deploy script').waitFor();
    expect(await list.textContent()).not.toContain(key);
    expect(await list.textContent()).toContain(key.slice(0, 12));

    await page.screenshot({ path: screenshotPath('account-desktop-light.png'), fullPage: true });

    const me = await apiCall(env, 'GET', '/api/auth/me', undefined, key);
    expect(me.status).toBe(200);
    expect(me.body.username).toBe(account.username);

    // Shown once: after a reload only the prefix remains.
    await page.reload();
    await list.getByText('deploy script').waitFor();
    expect(await page.getByTestId('new-api-key').count()).toBe(0);

    await list.getByRole('button', { name: 'Revoke' }).click();
    await list.getByText('Revoke the key "deploy script"? Scripts using it will stop working.').waitFor();
    await list.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('No API keys yet.').waitFor();
    expect((await apiCall(env, 'GET', '/api/auth/me', undefined, key)).status).toBe(401);
  });

  it('shows "Forgot password?" on the login page and a reset page that takes the link\'s token', async () => {
    const page = await env.newPage();
    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL('**/forgot-password');
    await page.getByLabel('Email').fill('nobody@example.com');
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByText('If an account has this email, a link is on its way.', { exact: false }).waitFor();

    await page.goto('/reset-password?token=not-a-real-token');
    await page.getByLabel('New password').fill('Brand new Passw0rd');
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.getByText('This reset link is invalid, used or expired. Ask for a new one.').waitFor();
  });
});
