// Single sign-on in real Chromium against a real OpenID Connect provider (oidc-provider) on 127.0.0.1: the login
// page's "Sign in with …" button, the code flow through the provider and back, and a refusal page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider, type TestOidcProvider } from '../../api/test/oidc-provider.js';
import { type E2eEnv, startE2e } from './e2e.harness';

let idp: TestOidcProvider;
let env: E2eEnv;

beforeAll(async () => {
  idp = await startOidcProvider();
  env = await startE2e({
    env: {
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      OIDC_NAME: 'Company SSO',
    },
  });
  idp.configure(`${env.baseUrl}/api/auth/oidc/callback`);
});
afterAll(async () => {
  await env?.close();
  await idp?.close();
});

describe('single sign-on in the browser', () => {
  it('signs in with the identity provider and lands in the chat as the new account', async () => {
    idp.accounts.set('sub-hoa', { email: 'hoa@corp.example', email_verified: true, preferred_username: 'hoa_tran' });
    idp.next.account = 'sub-hoa';
    const page = await env.newPage();
    await page.goto('/login');
    await page.getByRole('link', { name: 'Sign in with Company SSO' }).click();
    await page.getByRole('button', { name: 'New chat' }).waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).pathname).toBe('/');
    await expect.poll(() => page.getByTestId('current-user').textContent()).toBe('hoa_tran');
    // The page holds an access token; the refresh token stays in the HttpOnly cookie.
    expect(await page.evaluate(() => localStorage.getItem('chatbot.token'))).toMatch(/^ey/);
    expect(await page.evaluate(() => document.cookie)).not.toContain('chatbot_refresh');
  });

  it('shows a page saying why when the email is not verified', async () => {
    idp.accounts.set('sub-unverified', { email: 'nam@corp.example', email_verified: false });
    idp.next.account = 'sub-unverified';
    const page = await env.newPage();
    await page.goto('/login');
    await page.getByRole('link', { name: 'Sign in with Company SSO' }).click();
    await page.getByRole('heading', { name: 'Sign-in refused' }).waitFor({ timeout: 20_000 });
    expect(await page.textContent('body')).toContain('not verified');
  });
});
