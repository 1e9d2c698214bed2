// The devices (logins) of the account: each one's last use, logging one out, or every one.
import type { AuthSession } from '@chatbot/shared';
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../../lib/api';
import { humanError } from '../../lib/errors';
import { t } from '../../lib/i18n';
import { clearSession, logoutEverywhere } from '../../state/auth.state';
import { FormError } from '../auth-form';
import { ConfirmButton, danger, Section, secondary, when } from './section';

export function DevicesSection(props: { onLoggedOut: () => void }) {
  const [devices, { refetch }] = createResource(async () => (await api.auth.sessions()).sessions);
  const [error, setError] = createSignal<string>();
  const act = async (fn: () => Promise<void>) => {
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(humanError(err));
    }
  };
  const revoke = (d: AuthSession) =>
    act(async () => {
      await api.auth.revokeSession(d.id);
      if (d.current) {
        clearSession();
        props.onLoggedOut();
      } else await refetch();
    });
  return (
    <Section id="devices-title" title={t('account.devicesTitle')} hint={t('account.devicesHint')}>
      <FormError message={error() ?? (devices.error ? humanError(devices.error) : undefined)} />
      <Show when={devices()} fallback={<p class="text-sm text-zinc-500">{t('chat.loading')}</p>}>
        <ul class="divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="device-list">
          <For each={devices()}>
            {(d) => (
              <li class="flex flex-wrap items-center justify-between gap-3 py-3" data-current={d.current}>
                <div class="min-w-0 flex-1">
                  <div class="flex min-w-0 items-center gap-2">
                    <p class="truncate text-sm font-medium" title={d.userAgent ?? undefined}>
                      {d.userAgent || t('account.unknownDevice')}
                    </p>
                    <Show when={d.current}>
                      <span class="shrink-0 rounded bg-indigo-100 px-1.5 py-0.5 text-xs text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300">
                        {t('account.thisDevice')}
                      </span>
                    </Show>
                  </div>
                  <p class="text-xs text-zinc-500">
                    {[d.ip, t('account.deviceUsed', { created: when(d.createdAt), used: when(d.lastUsedAt) })]
                      .filter(Boolean)
                      .join(' · ')}
                  </p>
                </div>
                <button type="button" class={secondary} onClick={() => void revoke(d)}>
                  {t('account.revokeDevice')}
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <div class="mt-4">
        <ConfirmButton
          label={t('account.logoutAll')}
          question={t('account.confirmLogoutAll')}
          class={danger}
          onConfirm={() =>
            void act(async () => {
              await logoutEverywhere();
              props.onLoggedOut();
            })
          }
        />
      </div>
    </Section>
  );
}
