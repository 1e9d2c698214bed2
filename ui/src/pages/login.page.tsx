// The login page: username or email + password; lands in the chat.
import { A, useNavigate } from '@solidjs/router';
import { createResource, createSignal, onMount, Show } from 'solid-js';
import { AuthFrame, AuthSwitch, Field, FormError, SubmitButton } from '../components/auth-form';
import { api } from '../lib/api';
import { createSubmit } from '../lib/form-submit';
import { t } from '../lib/i18n';
import { login, resumeFromCookie } from '../state/auth.state';

export default function LoginPage() {
  const navigate = useNavigate();
  const [username, setUsername] = createSignal('');
  const [password, setPassword] = createSignal('');
  let first: HTMLInputElement | undefined;
  // What the server offers: a "Sign in with …" button, and whether passwords are on at all.
  const [sso] = createResource(() => api.auth.oidcConfig().catch(() => undefined));
  onMount(() => {
    first?.focus();
    // Back from single sign-on (or a lost stored token): the refresh cookie alone signs in.
    void resumeFromCookie().then((ok) => {
      if (ok) navigate('/', { replace: true });
    });
  });

  const form = createSubmit(async () => {
    await login({ username: username().trim(), password: password() });
    navigate('/', { replace: true });
  });

  return (
    <AuthFrame title={t('auth.loginTitle')}>
      <Show when={sso()?.enabled}>
        {/* rel="external": a full page load to the API (which redirects to the provider), not a route of the app. */}
        <a
          href="/api/auth/oidc/login"
          rel="external"
          class="mb-4 block w-full rounded-lg border border-zinc-300 px-3 py-2.5 text-center font-medium hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
        >
          {t('auth.signInWith', { name: sso()?.name ?? '' })}
        </a>
        <Show when={sso()?.passwordLogin !== false}>
          <p class="mb-4 text-center text-xs text-zinc-500 uppercase">{t('auth.or')}</p>
        </Show>
      </Show>
      <Show when={sso()?.passwordLogin !== false}>
        <form onSubmit={form.submit} novalidate>
          <Field
            id="username"
            label={t('auth.username')}
            autocomplete="username"
            hint={t('auth.usernameOrEmail')}
            value={username()}
            onInput={setUsername}
            ref={(el) => {
              first = el;
            }}
          />
          <Field
            id="password"
            label={t('auth.password')}
            type="password"
            autocomplete="current-password"
            value={password()}
            onInput={setPassword}
          />
          <p class="-mt-2 mb-4 text-right text-sm">
            <A href="/forgot-password" class="text-indigo-600 hover:underline dark:text-indigo-400">
              {t('auth.forgot')}
            </A>
          </p>
          <FormError message={form.error()?.message} />
          <SubmitButton label={t('auth.logIn')} busy={form.busy()} />
        </form>
      </Show>
      <AuthSwitch prompt={t('auth.noAccount')} href="/register" label={t('auth.signUp')} />
    </AuthFrame>
  );
}
