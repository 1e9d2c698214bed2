// The login page: username or email + password; lands in the chat.
import { A, useNavigate } from '@solidjs/router';
import { createSignal, onMount } from 'solid-js';
import { AuthFrame, AuthSwitch, Field, FormError, SubmitButton } from '../components/auth-form';
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
        <p class="-mt-2 mb-4 text-right text-sm">
          <A href="/forgot-password" class="text-indigo-600 hover:underline dark:text-indigo-400">
            {t('auth.forgot')}
          </A>
        </p>
        <FormError message={error()} />
        <SubmitButton label={t('auth.logIn')} busy={busy()} />
      </form>
      <AuthSwitch prompt={t('auth.noAccount')} href="/register" label={t('auth.signUp')} />
    </AuthFrame>
  );
}
