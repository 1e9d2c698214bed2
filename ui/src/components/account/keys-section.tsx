// API keys: create one (shown once, with a copy button), list them with their last use, revoke one.
import type { ApiKey, CreatedApiKey } from '@chatbot/shared';
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../../lib/api';
import { errorField, humanError } from '../../lib/errors';
import { t } from '../../lib/i18n';
import { Field, FormError } from '../auth-form';
import { ConfirmButton, primary, Section, secondary, when } from './section';

const EXPIRY_CHOICES = [0, 7, 30, 90, 365] as const;

export function KeysSection() {
  const [keys, { refetch }] = createResource(async () => (await api.keys.list()).keys);
  const [name, setName] = createSignal('');
  const [days, setDays] = createSignal<number>(0);
  const [created, setCreated] = createSignal<CreatedApiKey>();
  const [copied, setCopied] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<{ field?: string; message: string }>();

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setCopied(false);
    try {
      const expiresAt = days() ? new Date(Date.now() + days() * 86_400_000).toISOString() : null;
      setCreated(await api.keys.create({ name: name().trim(), expiresAt }));
      setName('');
      await refetch();
    } catch (err) {
      setError({ field: errorField(err), message: humanError(err) });
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (k: ApiKey) => {
    setError(undefined);
    try {
      await api.keys.revoke(k.id);
      if (created()?.id === k.id) setCreated(undefined);
      await refetch();
    } catch (err) {
      setError({ message: humanError(err) });
    }
  };
  const copy = async (key: string) => {
    try {
      await navigator.clipboard.writeText(key);
      setCopied(true);
    } catch {
      // no clipboard permission: the key stays selectable on screen
    }
  };
  const status = (k: ApiKey) => {
    const parts = [k.lastUsedAt ? t('account.keyLastUsed', { when: when(k.lastUsedAt) }) : t('account.keyNeverUsed')];
    if (!k.expiresAt) parts.push(t('account.keyNoExpiry'));
    else if (new Date(k.expiresAt).getTime() <= Date.now()) parts.push(t('account.keyExpired'));
    else parts.push(t('account.keyExpires', { when: when(k.expiresAt) }));
    return parts.join(' · ');
  };

  return (
    <Section id="keys-title" title={t('account.keysTitle')} hint={t('account.keysHint')}>
      <form onSubmit={create} novalidate class="flex flex-wrap items-end gap-3">
        <div class="min-w-48 flex-1">
          <Field
            id="key-name"
            label={t('account.keyName')}
            value={name()}
            onInput={setName}
            error={error()?.field === 'name' ? error()?.message : undefined}
          />
        </div>
        <div class="mb-4">
          <label for="key-expiry" class="mb-1 block text-sm font-medium">
            {t('account.keyExpiry')}
          </label>
          <select
            id="key-expiry"
            class="rounded-lg border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-700 dark:bg-zinc-950"
            value={String(days())}
            onChange={(e) => setDays(Number(e.currentTarget.value))}
          >
            <For each={EXPIRY_CHOICES}>
              {(n) => <option value={String(n)}>{n ? t('account.keyDays', { n }) : t('account.keyNever')}</option>}
            </For>
          </select>
        </div>
        <div class="mb-4">
          <button type="submit" class={primary} disabled={busy()}>
            {busy() ? t('auth.working') : t('account.createKey')}
          </button>
        </div>
      </form>
      <FormError message={error() && error()?.field !== 'name' ? error()?.message : undefined} />
      <Show when={created()}>
        {(k) => (
          <div
            class="mb-4 rounded-lg border border-amber-300 bg-amber-50 p-3 dark:border-amber-800 dark:bg-amber-950"
            role="status"
          >
            <p class="text-sm font-medium">{t('account.keyCreated')}</p>
            <div class="mt-2 flex flex-wrap items-center gap-2">
              <span class="sr-only">{t('account.newKey')}</span>
              <code
                class="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 text-sm dark:bg-zinc-900"
                data-testid="new-api-key"
              >
                {k().key}
              </code>
              <button type="button" class={secondary} onClick={() => void copy(k().key)}>
                {copied() ? t('chat.copied') : t('chat.copy')}
              </button>
            </div>
          </div>
        )}
      </Show>
      <Show when={keys()} fallback={<p class="text-sm text-zinc-500">{t('chat.loading')}</p>}>
        <Show when={(keys() ?? []).length > 0} fallback={<p class="text-sm text-zinc-500">{t('account.noKeys')}</p>}>
          <ul class="divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="key-list">
            <For each={keys()}>
              {(k) => (
                <li class="flex flex-wrap items-center justify-between gap-3 py-3">
                  <div class="min-w-0">
                    <p class="truncate text-sm font-medium">
                      {k.name} <code class="ml-1 text-xs text-zinc-500">{k.prefix}…</code>
                    </p>
                    <p class="text-xs text-zinc-500">{status(k)}</p>
                  </div>
                  <ConfirmButton
                    label={t('account.revokeKey')}
                    question={t('account.confirmRevokeKey', { name: k.name })}
                    class={secondary}
                    onConfirm={() => void revoke(k)}
                  />
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </Section>
  );
}
