// The login page: username or email + password; lands in the chat.
import { A, useNavigate } from '@solidjs/router';
import { createSignal, onMount, Show } from 'solid-js';
import { AuthFrame, Field, SubmitButton } from '../components/auth-form';
import { humanError } from '../lib/errors';
import { t } from '../lib/i18n';
import { login } from '../state/auth.state';

export default function LoginPage() {
  const navigate = useNavigate();
  const [username, setUsername] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [error, setError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  let first: HTMLInputElement | undefined;
  onMount(() => first?.focus());

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login({ username: username().trim(), password: password() });
      navigate('/', { replace: true });
    } catch (err) {
      setError(humanError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title={t('auth.loginTitle')}>
      <form onSubmit={submit} novalidate>
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
        <Show when={error()}>
          <p
            class="mb-4 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300"
            role="alert"
          >
            {error()}
          </p>
        </Show>
        <SubmitButton label={t('auth.logIn')} busy={busy()} />
      </form>
      <p class="mt-4 text-center text-sm text-zinc-600 dark:text-zinc-400">
        {t('auth.noAccount')}{' '}
        <A href="/register" class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
          {t('auth.signUp')}
        </A>
      </p>
    </AuthFrame>
  );
}
