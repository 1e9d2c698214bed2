// The admin console (lazy route /admin): overview with charts, users and their actions, the audit log. The role is
// read from the server (GET /api/auth/me); every admin route refuses non-admins on its own too.
import { A } from '@solidjs/router';
import { createResource, createSignal, For, Match, Show, Switch } from 'solid-js';
import { Audit } from '../components/admin/audit';
import { Overview } from '../components/admin/overview';
import { Users } from '../components/admin/users';
import { Preferences } from '../components/preferences';
import { api } from '../lib/api';
import { t } from '../lib/i18n';

type Tab = 'overview' | 'users' | 'audit';
const TABS: { id: Tab; label: 'admin.tabOverview' | 'admin.tabUsers' | 'admin.tabAudit' }[] = [
  { id: 'overview', label: 'admin.tabOverview' },
  { id: 'users', label: 'admin.tabUsers' },
  { id: 'audit', label: 'admin.tabAudit' },
];

export default function AdminPage() {
  const [me] = createResource(() => api.auth.me());
  const [tab, setTab] = createSignal<Tab>('overview');

  return (
    <main class="min-h-full bg-white text-zinc-900 dark:bg-zinc-950 dark:text-zinc-100">
      <header class="flex items-center gap-3 border-b border-zinc-200 px-4 py-3 dark:border-zinc-800">
        <h1 class="text-lg font-semibold">{t('admin.title')}</h1>
        <A href="/" class="text-sm text-indigo-600 hover:underline dark:text-indigo-400">
          {t('admin.back')}
        </A>
        <div class="ml-auto">
          <Preferences />
        </div>
      </header>
      <Show when={me()} fallback={<p class="p-4 text-sm text-zinc-500">{t('admin.loading')}</p>}>
        {(u) => (
          <Show
            when={u().role === 'admin'}
            fallback={
              <p role="alert" class="p-4" data-testid="admin-forbidden">
                {t('admin.forbidden')}
              </p>
            }
          >
            <nav class="flex gap-1 border-b border-zinc-200 px-4 dark:border-zinc-800" aria-label={t('admin.tabs')}>
              <For each={TABS}>
                {(x) => (
                  <button
                    type="button"
                    class="-mb-px border-b-2 px-3 py-2 text-sm"
                    classList={{
                      'border-indigo-600 font-medium text-indigo-700 dark:text-indigo-300': tab() === x.id,
                      'border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400': tab() !== x.id,
                    }}
                    aria-current={tab() === x.id ? 'page' : undefined}
                    onClick={() => setTab(x.id)}
                  >
                    {t(x.label)}
                  </button>
                )}
              </For>
            </nav>
            <div class="p-4">
              <Switch>
                <Match when={tab() === 'overview'}>
                  <Overview />
                </Match>
                <Match when={tab() === 'users'}>
                  <Users />
                </Match>
                <Match when={tab() === 'audit'}>
                  <Audit />
                </Match>
              </Switch>
            </div>
          </Show>
        )}
      </Show>
    </main>
  );
}
