// The admin console's users: search by name or email, paged; per user role, status, created, last login, usage and
// quota overrides; actions: disable/enable, role, force logout, reset link, quota, delete; and invite links.
import type { AdminUser, AdminUserPatch } from '@chatbot/shared';
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { api } from '../../lib/api';
import { humanError } from '../../lib/errors';
import { t } from '../../lib/i18n';
import { DataTable } from './data-table';
import { fmtNumber, fmtTime, inputClass, smallButton } from './format';
import { Pager } from './pager';
import { QuotaEditor } from './quota-editor';

const PAGE = 20;

interface Notice {
  text: string;
  link?: string;
  error?: boolean;
}

export function Users() {
  const [query, setQuery] = createSignal('');
  const [offset, setOffset] = createSignal(0);
  const [notice, setNotice] = createSignal<Notice>();
  const [editing, setEditing] = createSignal<number>();
  const [confirming, setConfirming] = createSignal<number>();
  const [page, { refetch }] = createResource(
    () => ({ q: query(), offset: offset() }),
    (p) => api.admin.users.list({ ...(p.q ? { q: p.q } : {}), limit: PAGE, offset: p.offset }),
  );
  let debounce: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(debounce));

  const act = async (work: () => Promise<Notice | undefined>) => {
    setNotice(undefined);
    try {
      const n = await work();
      if (n) setNotice(n);
      await refetch();
    } catch (err) {
      setNotice({ text: humanError(err), error: true });
    }
  };
  const patch = (u: AdminUser, body: AdminUserPatch) =>
    act(async () => {
      await api.admin.users.update(u.id, body);
      return { text: t('admin.saved') };
    });

  const [inviteEmail, setInviteEmail] = createSignal('');
  const invite = () =>
    act(async () => {
      const email = inviteEmail().trim();
      const res = await api.admin.createInvite(email ? { email } : {});
      setInviteEmail('');
      return { text: t('admin.inviteCreated', { time: fmtTime(res.expiresAt) }), link: res.url };
    });

  return (
    <section class="space-y-3">
      <div class="flex flex-wrap items-end gap-3">
        <div class="flex flex-col">
          <label for="admin-user-search" class="mb-1 text-xs text-zinc-500">
            {t('admin.search')}
          </label>
          <input
            id="admin-user-search"
            type="search"
            class={inputClass}
            placeholder={t('admin.searchPlaceholder')}
            onInput={(e) => {
              const v = e.currentTarget.value;
              clearTimeout(debounce);
              debounce = setTimeout(() => {
                setOffset(0);
                setQuery(v.trim());
              }, 250);
            }}
          />
        </div>
        <form
          class="ml-auto flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void invite();
          }}
        >
          <div class="flex flex-col">
            <label for="admin-invite-email" class="mb-1 text-xs text-zinc-500">
              {t('admin.inviteEmail')}
            </label>
            <input
              id="admin-invite-email"
              type="email"
              class={inputClass}
              value={inviteEmail()}
              onInput={(e) => setInviteEmail(e.currentTarget.value)}
            />
          </div>
          <button type="submit" class={smallButton}>
            {t('admin.invite')}
          </button>
        </form>
      </div>

      <Show when={notice()}>
        {(n) => (
          <div
            role={n().error ? 'alert' : 'status'}
            data-testid="admin-notice"
            class="rounded-lg border px-3 py-2 text-sm"
            classList={{
              'border-red-300 text-red-800 dark:text-red-300': n().error,
              'border-emerald-300 text-emerald-800 dark:text-emerald-300': !n().error,
            }}
          >
            <p>{n().text}</p>
            <Show when={n().link}>
              {(link) => (
                <div class="mt-1 flex items-center gap-2">
                  <code class="min-w-0 flex-1 truncate text-xs" data-testid="admin-link">
                    {link()}
                  </code>
                  <button type="button" class={smallButton} onClick={() => void navigator.clipboard?.writeText(link())}>
                    {t('chat.copy')}
                  </button>
                </div>
              )}
            </Show>
          </div>
        )}
      </Show>

      <DataTable
        testId="admin-users"
        columns={[
          'admin.user',
          'admin.role',
          'admin.status',
          'admin.created',
          'admin.lastLogin',
          'admin.usageToday',
          'admin.actions',
        ]}
        empty={page()?.users.length === 0}
        emptyText="admin.noUsers"
      >
        <For each={page()?.users ?? []}>
          {(u) => (
            <>
              <tr class="border-t border-zinc-100 align-top dark:border-zinc-800" data-user={u.username}>
                <td class="px-3 py-2">
                  <div class="font-medium">{u.username}</div>
                  <div class="text-xs text-zinc-500">{u.email}</div>
                </td>
                <td class="px-3 py-2">{u.role === 'admin' ? t('admin.roleAdmin') : t('admin.roleUser')}</td>
                <td class="px-3 py-2">
                  <span
                    class="rounded-full px-2 py-0.5 text-xs"
                    classList={{
                      'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/40 dark:text-emerald-300': u.isActive,
                      'bg-zinc-200 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300': !u.isActive,
                    }}
                  >
                    {u.isActive ? t('admin.active') : t('admin.disabled')}
                  </span>
                </td>
                <td class="px-3 py-2 text-xs">{fmtTime(u.createdAt)}</td>
                <td class="px-3 py-2 text-xs">{u.lastLoginAt ? fmtTime(u.lastLoginAt) : t('admin.never')}</td>
                <td class="px-3 py-2 text-xs">
                  {t('admin.usageCell', {
                    messages: fmtNumber(u.usage.messagesToday),
                    tokens: fmtNumber(u.usage.tokensToday),
                    month: fmtNumber(u.usage.tokensThisMonth),
                  })}
                </td>
                <td class="px-3 py-2">
                  <div class="flex flex-wrap gap-1">
                    <button
                      type="button"
                      class={smallButton}
                      onClick={() => void patch(u, { isActive: !u.isActive })}
                      aria-label={`${u.isActive ? t('admin.disable') : t('admin.enable')}: ${u.username}`}
                    >
                      {u.isActive ? t('admin.disable') : t('admin.enable')}
                    </button>
                    <button
                      type="button"
                      class={smallButton}
                      onClick={() => void patch(u, { role: u.role === 'admin' ? 'user' : 'admin' })}
                    >
                      {u.role === 'admin' ? t('admin.makeUser') : t('admin.makeAdmin')}
                    </button>
                    <button
                      type="button"
                      class={smallButton}
                      onClick={() =>
                        void act(async () => {
                          await api.admin.users.logout(u.id);
                          return { text: t('admin.loggedOut', { name: u.username }) };
                        })
                      }
                    >
                      {t('admin.forceLogout')}
                    </button>
                    <button
                      type="button"
                      class={smallButton}
                      onClick={() =>
                        void act(async () => {
                          const link = await api.admin.users.passwordReset(u.id);
                          return {
                            text: t('admin.resetIssued', { name: u.username, time: fmtTime(link.expiresAt) }),
                            link: link.url,
                          };
                        })
                      }
                    >
                      {t('admin.resetLink')}
                    </button>
                    <button
                      type="button"
                      class={smallButton}
                      aria-expanded={editing() === u.id}
                      aria-label={`${t('admin.quota')}: ${u.username}`}
                      onClick={() => setEditing(editing() === u.id ? undefined : u.id)}
                    >
                      {t('admin.quota')}
                    </button>
                    <Show
                      when={confirming() === u.id}
                      fallback={
                        <button
                          type="button"
                          class={`${smallButton} text-red-700 dark:text-red-300`}
                          onClick={() => setConfirming(u.id)}
                        >
                          {t('admin.deleteUser')}
                        </button>
                      }
                    >
                      <span class="sr-only">{t('admin.confirmDelete', { name: u.username })}</span>
                      <button
                        type="button"
                        class="rounded-md bg-red-600 px-2 py-1 text-xs text-white hover:bg-red-500"
                        aria-label={t('admin.confirmDelete', { name: u.username })}
                        onClick={() =>
                          void act(async () => {
                            setConfirming(undefined);
                            await api.admin.users.delete(u.id);
                            return { text: t('admin.deleted', { name: u.username }) };
                          })
                        }
                      >
                        {t('admin.confirm')}
                      </button>
                      <button type="button" class={smallButton} onClick={() => setConfirming(undefined)}>
                        {t('admin.cancel')}
                      </button>
                    </Show>
                  </div>
                </td>
              </tr>
              <Show when={editing() === u.id}>
                <tr class="bg-zinc-50 dark:bg-zinc-900">
                  <td colSpan={7} class="px-3 py-3">
                    <QuotaEditor
                      user={u}
                      onCancel={() => setEditing(undefined)}
                      onSave={(quota) => {
                        setEditing(undefined);
                        void patch(u, { quota });
                      }}
                    />
                  </td>
                </tr>
              </Show>
            </>
          )}
        </For>
      </DataTable>

      <Show when={page()}>
        {(p) => (
          <Pager offset={offset()} pageSize={PAGE} shown={p().users.length} total={p().total} onOffset={setOffset} />
        )}
      </Show>
    </section>
  );
}
