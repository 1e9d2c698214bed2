// With no model configured, the built-in offline model answers and the chat says plainly that no real model is set.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type E2eEnv, loggedInPage, startE2e } from './e2e.harness';

let env: E2eEnv;
beforeAll(async () => {
  env = await startE2e({ offlineModel: true });
});
afterAll(async () => {
  await env?.close();
});

describe('offline model', () => {
  it('shows the offline-model notice in the chat', async () => {
    const { page } = await loggedInPage(env);
    await page.goto('/');
    await page.getByTestId('offline-notice').waitFor();
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByLabel('Message').fill('Hello?');
    await page.getByLabel('Message').press('Enter');
    await page.locator('article[data-role="assistant"][data-status="complete"]').waitFor();
    await page.getByTestId('offline-notice').getByText('No real AI model is configured', { exact: false }).waitFor();
  });
});
