// Export and import of the user's data: all sessions as one JSON file, and a file picker that imports one back.
import type { TransferFile } from '@chatbot/shared';
import { createSignal, Show } from 'solid-js';
import { api } from '../lib/api';
import { errorCode, humanError } from '../lib/errors';
import { t } from '../lib/i18n';

/** A row of a drop-down menu (this one and the conversation's). */
export const menuItemClass = 'block w-full px-3 py-1.5 text-left text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800';

/** Offers `content` as a file download (no server round trip: the SDK already has the text). */
export function downloadFile(name: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: some browsers start the download only after the click handler returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from a title: letters, digits and dashes, never empty. */
export function fileNameFor(title: string, ext: string): string {
  const base = title
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${base || 'chatbot'}.${ext}`;
}

/** Reads an export file; undefined when it is not JSON at all (the server checks the rest). */
export async function readTransferFile(file: File): Promise<TransferFile | undefined> {
  try {
    return JSON.parse(await file.text()) as TransferFile;
  } catch {
    return undefined;
  }
}

export function DataMenu(props: { onImported: (sessionIds: number[]) => void }) {
  const [open, setOpen] = createSignal(false);
  const [message, setMessage] = createSignal<{ text: string; error: boolean } | undefined>(undefined);
  let fileInput: HTMLInputElement | undefined;

  const exportAll = async () => {
    setMessage(undefined);
    try {
      const data = await api.exportAll();
      const day = new Date().toISOString().slice(0, 10);
      downloadFile(`chatbot-export-${day}.json`, `${JSON.stringify(data, null, 2)}\n`, 'application/json');
      setOpen(false);
    } catch (err) {
      setMessage({ text: humanError(err), error: true });
    }
  };

  const importFile = async (file: File | undefined) => {
    if (!file) return;
    setMessage(undefined);
    const data = await readTransferFile(file);
    if (!data) {
      setMessage({ text: t('data.badFile'), error: true });
      return;
    }
    try {
      const res = await api.importData(data);
      setMessage({ text: t('data.imported', { n: res.imported }), error: false });
      props.onImported(res.sessionIds);
    } catch (err) {
      setMessage({ text: errorCode(err) === 'VALIDATION_ERROR' ? t('data.badFile') : humanError(err), error: true });
    } finally {
      if (fileInput) fileInput.value = '';
    }
  };

  return (
    <div class="relative">
      <button
        type="button"
        class="rounded-lg px-2 py-1 text-sm whitespace-nowrap text-zinc-700 hover:bg-zinc-200 dark:text-zinc-300 dark:hover:bg-zinc-800"
        title={t('data.menuHint')}
        aria-expanded={open()}
        aria-haspopup="menu"
        onClick={() => setOpen(!open())}
      >
        {t('data.menu')}
      </button>
      <Show when={open()}>
        <div
          class="absolute bottom-full left-0 z-20 mb-1 w-56 rounded-lg border border-zinc-200 bg-white py-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
          role="menu"
        >
          <button type="button" role="menuitem" class={menuItemClass} onClick={() => void exportAll()}>
            {t('data.exportAll')}
          </button>
          <button type="button" role="menuitem" class={menuItemClass} onClick={() => fileInput?.click()}>
            {t('data.import')}
          </button>
        </div>
      </Show>
      <input
        ref={fileInput}
        type="file"
        accept="application/json,.json"
        class="sr-only"
        aria-label={t('data.importFile')}
        tabIndex={-1}
        onChange={(e) => {
          setOpen(false);
          void importFile(e.currentTarget.files?.[0]);
        }}
      />
      <Show when={message()}>
        {(m) => (
          <p
            class="mt-1 text-xs"
            classList={{
              'text-red-700 dark:text-red-300': m().error,
              'text-green-700 dark:text-green-400': !m().error,
            }}
            role={m().error ? 'alert' : 'status'}
            data-testid="data-message"
          >
            {m().text}
          </p>
        )}
      </Show>
    </div>
  );
}
