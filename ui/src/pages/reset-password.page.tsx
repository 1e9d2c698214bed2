// /reset-password?token=…: the page a reset mail (or an admin's link) opens; sets the new password, then to log in.
import { useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal, onMount, Show } from 'solid-js';
import { AuthFrame, AuthSwitch, Field, FormError, SubmitButton } from '../components/auth-form';
import { api } from '../lib/api';
import { createSubmit } from '../lib/form-submit';
import { t } from '../lib/i18n';
import { clearSession } from '../state/auth.state';

export default function ResetPasswordPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const token = () => (typeof params.token === 'string' ? params.token : '');
  const [password, setPassword] = createSignal('');
  const [done, setDone] = createSignal(false);
  let first: HTMLInputElement | undefined;
  onMount(() => first?.focus());

  const form = createSubmit(async () => {
    await api.auth.resetPassword({ token: token(), newPassword: password() });
    // Every device was logged out, this browser included.
    clearSession();
    setDone(true);
    setTimeout(() => navigate('/login', { replace: true }), 1_500);
  });

  return (
    <AuthFrame title={t('auth.resetTitle')}>
      <Show when={token()} fallback={<FormError message={t('auth.resetMissing')} />}>
        <Show
          when={!done()}
          fallback={
            <p
              class="rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
              role="status"
            >
              {t('auth.resetDone')}
            </p>
          }
        >
          <form onSubmit={form.submit} novalidate>
            <Field
              id="new-password"
              label={t('auth.newPassword')}
              type="password"
              autocomplete="new-password"
              hint={t('auth.passwordHint')}
              value={password()}
              onInput={setPassword}
              error={form.fieldError('newPassword')}
              ref={(el) => {
                first = el;
              }}
            />
            <FormError message={form.error()?.field === 'newPassword' ? undefined : form.error()?.message} />
            <SubmitButton label={t('auth.setPassword')} busy={form.busy()} />
          </form>
        </Show>
      </Show>
      <AuthSwitch prompt="" href="/login" label={t('auth.backToLogin')} />
    </AuthFrame>
  );
}
