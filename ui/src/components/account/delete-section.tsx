import { createSignal } from 'solid-js';
import { errorField, humanError } from '../../lib/errors';
import { t } from '../../lib/i18n';
import { deleteAccount, user } from '../../state/auth.state';
import { Field } from '../auth-form';
import { ConfirmButton, danger, Section } from './section';

export function DeleteSection(props: { onDeleted: () => void }) {
  const [password, setPassword] = createSignal('');
  // An account without a password (single sign-on) confirms with its username instead; the server says which.
  const [byName, setByName] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await deleteAccount(byName() ? { confirm: password() } : { password: password() });
      props.onDeleted();
    } catch (err) {
      if (errorField(err) === 'confirm' && !byName()) {
        setByName(true);
        setPassword('');
      } else setError(humanError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section id="delete-title" title={t('account.deleteTitle')} hint={t('account.deleteHint')}>
      <form onSubmit={(e) => e.preventDefault()} novalidate class="max-w-sm">
        <Field
          id="delete-confirm"
          label={
            byName()
              ? t('account.deleteConfirmName', { name: user()?.username ?? '' })
              : t('account.deleteConfirmPassword')
          }
          type={byName() ? 'text' : 'password'}
          autocomplete={byName() ? 'off' : 'current-password'}
          value={password()}
          onInput={setPassword}
          error={error()}
        />
        <ConfirmButton
          label={busy() ? t('auth.working') : t('account.deleteButton')}
          question={t('account.confirmDelete')}
          class={danger}
          onConfirm={() => void run()}
        />
      </form>
    </Section>
  );
}
