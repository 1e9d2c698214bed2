// The operator's journey in Chromium: an admin logs in, sees the overview chart, finds a user, disables them (their
// open page is logged out at its next request), sets a quota, and the user then meets the plain "limit reached,
// resets at …" message; a non-admin is refused the console. Screenshots in test-artifacts/screenshots/.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, type E2eEnv, newAccount, screenshotPath, startE2e } from './e2e.harness';

let env: E2eEnv;
beforeAll(async () => {
  env = await startE2e({ script: { chunkDelayMs: 5 } });
});
afterAll(async () => {
  await env?.close();
});

async function loginViaUi(page: Page, account: { username: string; password: string }): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'New chat' }).waitFor();
}

async function registerAndLogin(account: ReturnType<typeof newAccount>): Promise<{ id: number; token: string }> {
  const reg = await apiCall(env, 'POST', '/api/auth/register', account);
  expect(reg.status).toBe(201);
  const login = await apiCall(env, 'POST', '/api/auth/login', {
    username: account.username,
    password: account.password,
  });
  return { id: Number(reg.body.id), token: String(login.body.accessToken) };
}

describe('the admin console', () => {
  it('overview chart, find and disable a user (logged out), set a quota, and the user sees when it resets', async () => {
    const adminAccount = newAccount('boss');
    const admin = await registerAndLogin(adminAccount);
    const member = newAccount('member');
    const user = await registerAndLogin(member);
    // The user chats once today, so the chart and the user's usage have something to show.
    const session = await apiCall(env, 'POST', '/api/chat/sessions', { title: 'Before' }, user.token);
    const sent = await apiCall(
      env,
      'POST',
      `/api/chat/sessions/${session.body.id}/messages`,
      { content: 'Hello from the member' },
      user.token,
    );
    expect(sent.status).toBe(201);

    // The member's own page is open in another browser.
    const userPage = await env.newPage();
    await loginViaUi(userPage, member);

    // The admin logs in, opens the console: the overview chart is drawn.
    const adminPage = await env.newPage({ width: 1400, height: 900 });
    await loginViaUi(adminPage, adminAccount);
    await adminPage.getByRole('link', { name: 'Admin console' }).click();
    await adminPage.waitForURL('**/admin');
    const chart = adminPage.getByTestId('admin-day-chart');
    await chart.locator('canvas').waitFor();
    expect(await adminPage.getByTestId('stat-active').textContent()).toMatch(/in 24 h/);
    await adminPage.screenshot({ path: screenshotPath('admin-overview-desktop-light.png') });

    // Find the member and disable them.
    await adminPage.getByRole('button', { name: 'Users' }).click();
    await adminPage.getByLabel('Search users').fill(member.username);
    const row = adminPage.locator(`tr[data-user="${member.username}"]`);
    await row.waitFor();
    await expect.poll(() => adminPage.locator('tr[data-user]').count()).toBe(1);
    await row.getByRole('button', { name: `Disable: ${member.username}` }).click();
    await row.getByText('Disabled').waitFor();
    expect((await apiCall(env, 'GET', '/api/auth/me', undefined, user.token)).status).toBe(401);

    // The member's open page is logged out: its next request (here a message) is refused and it goes to login.
    await userPage.getByRole('button', { name: 'New chat' }).click();
    await userPage.waitForURL('**/login', { timeout: 15_000 });
    await userPage.getByRole('button', { name: 'Log in' }).waitFor();

    // Enable again, with a quota of one message a day (already used).
    await row.getByRole('button', { name: `Enable: ${member.username}` }).click();
    await row.getByText('Active').waitFor();
    await row.getByRole('button', { name: `Quota: ${member.username}` }).click();
    await adminPage.getByLabel('Messages per day').fill('1');
    await adminPage.getByRole('button', { name: 'Save' }).click();
    await adminPage.getByTestId('admin-notice').getByText('Saved.').waitFor();
    const stored = await apiCall(env, 'GET', `/api/admin/users/${user.id}`, undefined, admin.token);
    expect(stored.body.quota).toEqual({ tokensPerDay: null, tokensPerMonth: null, messagesPerDay: 1 });
    await adminPage.screenshot({ path: screenshotPath('admin-users-desktop-light.png') });

    // The audit log shows who did it.
    await adminPage.getByRole('button', { name: 'Audit log' }).click();
    await adminPage.getByLabel('Action').selectOption('user.disable');
    const audit = adminPage.getByTestId('admin-audit');
    await audit.getByText('user.disable').waitFor();
    expect(await audit.textContent()).toContain(adminAccount.username);

    // The member logs in again and sends: refused, in plain words, with the reset time.
    await loginViaUi(userPage, member);
    await userPage.getByRole('button', { name: 'New chat' }).click();
    await userPage.waitForURL(/\/c\/\d+$/);
    await userPage.getByLabel('Message').fill('One more, please');
    await userPage.getByLabel('Message').press('Enter');
    // Said where the answer would have been (WebSocket), or above the composer (the SSE fallback).
    const refusal = userPage.getByText(/Limit reached\. It resets at .+/).first();
    await refusal.waitFor({ timeout: 15_000 });
    await userPage.screenshot({ path: screenshotPath('quota-refusal-desktop-light.png') });

    // Usage in the account menu says the same numbers.
    await userPage.getByRole('button', { name: 'Usage' }).click();
    const panel = userPage.getByTestId('usage-panel');
    await panel.getByText('1 of 1').waitFor();
  });

  it('refuses the console to a non-admin', async () => {
    const account = newAccount('nosy');
    await registerAndLogin(account);
    const page = await env.newPage();
    await loginViaUi(page, account);
    expect(await page.getByRole('link', { name: 'Admin console' }).count()).toBe(0);
    await page.goto('/admin');
    await page.getByTestId('admin-forbidden').waitFor();
    expect(await page.getByTestId('admin-forbidden').textContent()).toBe('This page is for administrators.');
    await page.screenshot({ path: screenshotPath('admin-forbidden-desktop-light.png') });
  });
});
