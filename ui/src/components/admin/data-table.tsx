// The admin console's tables: the frame, the header row from message keys, the "nothing here" row, and the rows.
import { For, type JSX, Show } from 'solid-js';
import { type MessageKey, t } from '../../lib/i18n';

export function DataTable(props: {
  testId: string;
  columns: MessageKey[];
  /** True once loaded with no rows. */
  empty: boolean;
  emptyText: MessageKey;
  children: JSX.Element;
}) {
  return (
    <div class="overflow-x-auto rounded-xl border border-zinc-200 dark:border-zinc-800">
      <table class="w-full text-sm" data-testid={props.testId}>
        <thead class="bg-zinc-50 text-left text-xs text-zinc-500 dark:bg-zinc-900">
          <tr>
            <For each={props.columns}>{(key) => <th class="px-3 py-2 font-medium">{t(key)}</th>}</For>
          </tr>
        </thead>
        <tbody>
          <Show when={props.empty}>
            <tr>
              <td colSpan={props.columns.length} class="px-3 py-3 text-zinc-500">
                {t(props.emptyText)}
              </td>
            </tr>
          </Show>
          {props.children}
        </tbody>
      </table>
    </div>
  );
}
