// The register page: the server's validation message shows next to the field it concerns; success logs in.
import { useNavigate } from '@solidjs/router';
import { createSignal, onMount } from 'solid-js';
import { AuthFrame, AuthSwitch, Field, FormError, SubmitButton } from '../components/auth-form';
import { errorField, humanError } from '../lib/errors';
import { t } from '../lib/i18n';
import { register } from '../state/auth.state';

type FieldName = 'username' | 'email' | 'password';

export default function RegisterPage() {
  const navigate = useNavigate();
  const [values, setValues] = createSignal<Record<FieldName, string>>({ username: '', email: '', password: '' });
  const [fieldError, setFieldError] = createSignal<{ field: FieldName; message: string }>();
  const [error, setError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  let first: HTMLInputElement | undefined;
  onMount(() => first?.focus());

  const set = (k: FieldName) => (v: string) => setValues((prev) => ({ ...prev, [k]: v }));
  const errorFor = (k: FieldName) => (fieldError()?.field === k ? fieldError()?.message : undefined);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setFieldError(undefined);
    try {
      // An invite link (`/register?invite=…`) carries the token REGISTRATION=invite asks for.
      const inviteToken = new URLSearchParams(location.search).get('invite') ?? undefined;
      await register({ ...values(), ...(inviteToken ? { inviteToken } : {}) });
      navigate('/', { replace: true });
    } catch (err) {
      const field = errorField(err);
      if (field === 'username' || field === 'email' || field === 'password') {
        setFieldError({ field, message: humanError(err) });
      } else setError(humanError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title={t('auth.registerTitle')}>
      <form onSubmit={submit} novalidate>
        <Field
          id="username"
          label={t('auth.username')}
          autocomplete="username"
          value={values().username}
          onInput={set('username')}
          error={errorFor('username')}
          ref={(el) => {
            first = el;
          }}
        />
        <Field
          id="email"
          label={t('auth.email')}
          type="email"
          autocomplete="email"
          value={values().email}
          onInput={set('email')}
          error={errorFor('email')}
        />
        <Field
          id="password"
          label={t('auth.password')}
          type="password"
          autocomplete="new-password"
          hint={t('auth.passwordHint')}
          value={values().password}
          onInput={set('password')}
          error={errorFor('password')}
        />
        <FormError message={error()} />
        <SubmitButton label={t('auth.signUp')} busy={busy()} />
      </form>
      <AuthSwitch prompt={t('auth.haveAccount')} href="/login" label={t('auth.logIn')} />
    </AuthFrame>
  );
}
