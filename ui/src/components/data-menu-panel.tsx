// The data menu's working part (loaded when the menu first opens): export everything as one JSON file, and a file
// picker that imports one back, with the outcome in words. Stays mounted once opened, so the outcome remains.
import { createSignal, Show } from 'solid-js';
import { api } from '../lib/api';
import { downloadFile, readTransferFile } from '../lib/download';
import { errorCode, humanError } from '../lib/errors';
import { t } from '../lib/i18n';
import { menuItemClass } from './menu-item';

export function DataMenuPanel(props: {
  open: boolean;
  setOpen: (open: boolean) => void;
  onImported: (sessionIds: number[]) => void;
}) {
  const [message, setMessage] = createSignal<{ text: string; error: boolean } | undefined>(undefined);
  let fileInput: HTMLInputElement | undefined;

  const exportAll = async () => {
    setMessage(undefined);
    try {
      const data = await api.exportAll();
      const day = new Date().toISOString().slice(0, 10);
      downloadFile(`chatbot-export-${day}.json`, `${JSON.stringify(data, null, 2)}\n`, 'application/json');
      props.setOpen(false);
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
    <>
      <Show when={props.open}>
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
          props.setOpen(false);
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
    </>
  );
}
