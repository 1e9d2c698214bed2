import { createSignal } from 'solid-js';
import { createSubmit } from '../../lib/form-submit';
import { t } from '../../lib/i18n';
import { changePassword } from '../../state/auth.state';
import { Field, FormError } from '../auth-form';
import { Notice, primary, Section } from './section';

export function PasswordSection() {
  const [current, setCurrent] = createSignal('');
  const [next, setNext] = createSignal('');
  const [done, setDone] = createSignal<string>();
  const form = createSubmit(async () => {
    setDone(undefined);
    await changePassword(current(), next());
    setCurrent('');
    setNext('');
    setDone(t('account.passwordChanged'));
  });
  return (
    <Section id="password-title" title={t('account.passwordTitle')}>
      <form onSubmit={form.submit} novalidate class="max-w-sm">
        <Field
          id="current-password"
          label={t('account.currentPassword')}
          type="password"
          autocomplete="current-password"
          value={current()}
          onInput={setCurrent}
          error={form.fieldError('currentPassword')}
        />
        <Field
          id="new-password"
          label={t('account.newPassword')}
          type="password"
          autocomplete="new-password"
          hint={t('auth.passwordHint')}
          value={next()}
          onInput={setNext}
          error={form.fieldError('newPassword')}
        />
        <FormError
          message={
            form.error() && !['currentPassword', 'newPassword'].includes(form.error()?.field ?? '')
              ? form.error()?.message
              : undefined
          }
        />
        <Notice message={done()} />
        <button type="submit" class={primary} disabled={form.busy()}>
          {form.busy() ? t('auth.working') : t('account.changePassword')}
        </button>
      </form>
    </Section>
  );
}
