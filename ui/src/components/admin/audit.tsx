// The admin console's audit log: search text, action, time range; newest first, paged.
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../../lib/api';
import { humanError } from '../../lib/errors';
import { t } from '../../lib/i18n';
import { DataTable } from './data-table';
import { fmtTime, inputClass } from './format';
import { Pager } from './pager';

const PAGE = 25;
const ACTIONS = [
  'login.ok',
  'login.failed',
  'login.locked',
  'logout',
  'password.change',
  'password.reset',
  'password.reset.issue',
  'user.role',
  'user.quota',
  'user.disable',
  'user.enable',
  'user.delete',
  'user.logout',
  'apikey.create',
  'apikey.revoke',
  'invite.create',
];

export function Audit() {
  const [filter, setFilter] = createSignal({ q: '', action: '', from: '', to: '' });
  const [offset, setOffset] = createSignal(0);
  const [page] = createResource(
    () => ({ ...filter(), offset: offset() }),
    (f) =>
      api.admin.audit({
        ...(f.q ? { q: f.q } : {}),
        ...(f.action ? { action: f.action } : {}),
        ...(f.from ? { from: f.from } : {}),
        ...(f.to ? { to: f.to } : {}),
        limit: PAGE,
        offset: f.offset,
      }),
  );
  const set = (k: 'q' | 'action' | 'from' | 'to', v: string) => {
    setOffset(0);
    setFilter({ ...filter(), [k]: v });
  };

  return (
    <section class="space-y-3">
      <form class="flex flex-wrap items-end gap-3" onSubmit={(e) => e.preventDefault()}>
        <div class="flex flex-col">
          <label for="audit-q" class="mb-1 text-xs text-zinc-500">
            {t('admin.auditSearch')}
          </label>
          <input
            id="audit-q"
            type="search"
            class={inputClass}
            placeholder={t('admin.auditPlaceholder')}
            onChange={(e) => set('q', e.currentTarget.value.trim())}
          />
        </div>
        <div class="flex flex-col">
          <label for="audit-action" class="mb-1 text-xs text-zinc-500">
            {t('admin.auditAction')}
          </label>
          <select id="audit-action" class={inputClass} onChange={(e) => set('action', e.currentTarget.value)}>
            <option value="">{t('admin.anyAction')}</option>
            <For each={ACTIONS}>{(a) => <option value={a}>{a}</option>}</For>
          </select>
        </div>
        <div class="flex flex-col">
          <label for="audit-from" class="mb-1 text-xs text-zinc-500">
            {t('admin.from')}
          </label>
          <input id="audit-from" type="date" class={inputClass} onChange={(e) => set('from', e.currentTarget.value)} />
        </div>
        <div class="flex flex-col">
          <label for="audit-to" class="mb-1 text-xs text-zinc-500">
            {t('admin.to')}
          </label>
          <input id="audit-to" type="date" class={inputClass} onChange={(e) => set('to', e.currentTarget.value)} />
        </div>
      </form>
      <Show when={page.error}>
        <p role="alert" class="text-sm text-red-700 dark:text-red-300">
          {humanError(page.error)}
        </p>
      </Show>
      <DataTable
        testId="admin-audit"
        columns={['admin.when', 'admin.auditAction', 'admin.actor', 'admin.target', 'admin.ip', 'admin.detail']}
        empty={page()?.entries.length === 0}
        emptyText="admin.noEntries"
      >
        <For each={page()?.entries ?? []}>
          {(e) => (
            <tr class="border-t border-zinc-100 align-top dark:border-zinc-800">
              <td class="px-3 py-2 text-xs whitespace-nowrap">{fmtTime(e.at)}</td>
              <td class="px-3 py-2 font-mono text-xs">{e.action}</td>
              <td class="px-3 py-2">{e.actorName ?? '–'}</td>
              <td class="px-3 py-2">{e.targetId ?? '–'}</td>
              <td class="px-3 py-2 text-xs" title={e.userAgent ?? ''}>
                {e.ip ?? '–'}
              </td>
              <td class="max-w-md truncate px-3 py-2 font-mono text-xs" title={JSON.stringify(e.detail)}>
                {Object.keys(e.detail).length ? JSON.stringify(e.detail) : ''}
              </td>
            </tr>
          )}
        </For>
      </DataTable>
      <Show when={page()}>
        {(p) => (
          <Pager offset={offset()} pageSize={PAGE} shown={p().entries.length} total={p().total} onOffset={setOffset} />
        )}
      </Show>
    </section>
  );
}
