// An admin's per-user quota overrides: tokens per day and per month, messages per day; empty = the server default.
import type { AdminUser } from '@chatbot/shared';
import { For } from 'solid-js';
import { t } from '../../lib/i18n';
import { inputClass, smallButton } from './format';

type QuotaKey = 'tokensPerDay' | 'tokensPerMonth' | 'messagesPerDay';
const QUOTA_FIELDS: { key: QuotaKey; label: 'admin.tokensPerDay' | 'admin.tokensPerMonth' | 'admin.messagesPerDay' }[] =
  [
    { key: 'messagesPerDay', label: 'admin.messagesPerDay' },
    { key: 'tokensPerDay', label: 'admin.tokensPerDay' },
    { key: 'tokensPerMonth', label: 'admin.tokensPerMonth' },
  ];

export function QuotaEditor(props: {
  user: AdminUser;
  onSave: (q: Record<QuotaKey, number | null>) => void;
  onCancel: () => void;
}) {
  const values: Record<QuotaKey, string> = {
    tokensPerDay: props.user.quota.tokensPerDay?.toString() ?? '',
    tokensPerMonth: props.user.quota.tokensPerMonth?.toString() ?? '',
    messagesPerDay: props.user.quota.messagesPerDay?.toString() ?? '',
  };
  return (
    <form
      class="flex flex-wrap items-end gap-3"
      aria-label={t('admin.quotaTitle', { name: props.user.username })}
      onSubmit={(e) => {
        e.preventDefault();
        const toValue = (v: string) => (v.trim() === '' ? null : Math.max(0, Math.floor(Number(v))));
        props.onSave({
          tokensPerDay: toValue(values.tokensPerDay),
          tokensPerMonth: toValue(values.tokensPerMonth),
          messagesPerDay: toValue(values.messagesPerDay),
        });
      }}
    >
      <p class="w-full text-xs text-zinc-500">{t('admin.quotaHint')}</p>
      <For each={QUOTA_FIELDS}>
        {(f) => (
          <div class="flex flex-col">
            <label for={`quota-${f.key}-${props.user.id}`} class="mb-1 text-xs">
              {t(f.label)}
            </label>
            <input
              id={`quota-${f.key}-${props.user.id}`}
              type="number"
              min="0"
              step="1"
              class={`${inputClass} w-36`}
              placeholder={t('admin.quotaDefault')}
              value={values[f.key]}
              onInput={(e) => {
                values[f.key] = e.currentTarget.value;
              }}
            />
          </div>
        )}
      </For>
      <button type="submit" class="rounded-md bg-indigo-600 px-3 py-1.5 text-sm text-white hover:bg-indigo-500">
        {t('admin.save')}
      </button>
      <button type="button" class={smallButton} onClick={() => props.onCancel()}>
        {t('admin.cancel')}
      </button>
    </form>
  );
}
