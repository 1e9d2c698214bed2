// The files picked for the next message, above the message box: name, size, state in words (uploading, being read,
// ready, or failed and why) and a button to take each one off.
import { For, Show } from 'solid-js';
import { t } from '../../lib/i18n';
import type { Attachment, Attachments } from '../../state/attachments';

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function stateText(a: Attachment): string {
  if (a.status === 'uploading') return t('files.uploading');
  if (a.status === 'processing') return t('files.processing');
  if (a.status === 'ready') return t('files.ready');
  return a.error ? t('files.failedBecause', { reason: a.error }) : t('files.failed');
}

export function AttachmentChips(props: { attachments: Attachments }) {
  return (
    <Show when={props.attachments.items().length > 0}>
      <ul class="mx-auto mb-2 flex max-w-3xl flex-wrap gap-2" aria-label={t('files.attached')}>
        <For each={props.attachments.items()}>
          {(a) => (
            <li
              class="flex max-w-full items-center gap-2 rounded-lg border px-2 py-1 text-xs"
              classList={{
                'border-zinc-300 dark:border-zinc-700': a.status !== 'failed',
                'border-red-300 text-red-700 dark:border-red-800 dark:text-red-300': a.status === 'failed',
              }}
              data-testid="attachment"
              data-status={a.status}
            >
              <span aria-hidden="true">{a.image ? '🖼' : '📄'}</span>
              <span class="max-w-48 truncate font-medium" title={a.name}>
                {a.name}
              </span>
              <span class="text-zinc-500">{size(a.size)}</span>
              <span role="status" class="truncate" title={stateText(a)}>
                {stateText(a)}
              </span>
              <button
                type="button"
                class="rounded px-1 text-zinc-500 hover:bg-zinc-200 hover:text-zinc-900 dark:hover:bg-zinc-700 dark:hover:text-zinc-100"
                aria-label={t('files.remove', { name: a.name })}
                onClick={() => props.attachments.remove(a.key)}
              >
                ×
              </button>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}
