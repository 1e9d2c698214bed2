// "Forgot password?": asks for the account's email; the server mails a reset link (and answers the same for any address).
import { createSignal, onMount, Show } from 'solid-js';
import { AuthFrame, AuthSwitch, Field, FormError, SubmitButton } from '../components/auth-form';
import { api } from '../lib/api';
import { createSubmit } from '../lib/form-submit';
import { t } from '../lib/i18n';

export default function ForgotPasswordPage() {
  const [email, setEmail] = createSignal('');
  const [sent, setSent] = createSignal(false);
  let first: HTMLInputElement | undefined;
  onMount(() => first?.focus());

  const form = createSubmit(async () => {
    await api.auth.forgotPassword({ email: email().trim() });
    setSent(true);
  });

  return (
    <AuthFrame title={t('auth.forgotTitle')}>
      <Show
        when={!sent()}
        fallback={
          <p
            class="rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
            role="status"
          >
            {t('auth.linkSent')}
          </p>
        }
      >
        <p class="mb-4 text-sm text-zinc-600 dark:text-zinc-400">{t('auth.forgotIntro')}</p>
        <form onSubmit={form.submit} novalidate>
          <Field
            id="email"
            label={t('auth.email')}
            type="email"
            autocomplete="email"
            value={email()}
            onInput={setEmail}
            ref={(el) => {
              first = el;
            }}
          />
          <FormError message={form.error()?.message} />
          <SubmitButton label={t('auth.sendLink')} busy={form.busy()} />
        </form>
      </Show>
      <AuthSwitch prompt="" href="/login" label={t('auth.backToLogin')} />
    </AuthFrame>
  );
}
