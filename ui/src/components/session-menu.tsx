// The open conversation's menu: export it as Markdown or as JSON (downloaded as a file).
import { createSignal, Show } from 'solid-js';
import { api } from '../lib/api';
import { humanError } from '../lib/errors';
import { t } from '../lib/i18n';
import { downloadFile, fileNameFor, menuItemClass } from './data-menu';

export function SessionMenu(props: { sessionId: number; title: string; onError: (text: string) => void }) {
  const [open, setOpen] = createSignal(false);

  const exportAs = async (format: 'markdown' | 'json') => {
    setOpen(false);
    try {
      if (format === 'markdown') {
        const text = await api.sessions.export(props.sessionId, 'markdown');
        downloadFile(fileNameFor(props.title, 'md'), text, 'text/markdown');
      } else {
        const data = await api.sessions.export(props.sessionId, 'json');
        downloadFile(fileNameFor(props.title, 'json'), `${JSON.stringify(data, null, 2)}\n`, 'application/json');
      }
    } catch (err) {
      props.onError(humanError(err));
    }
  };

  return (
    <div class="relative">
      <button
        type="button"
        class="rounded-lg p-2 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
        aria-label={t('chat.more')}
        aria-haspopup="menu"
        aria-expanded={open()}
        title={t('chat.more')}
        onClick={() => setOpen(!open())}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      <Show when={open()}>
        <div
          class="absolute top-full right-0 z-20 mt-1 w-52 rounded-lg border border-zinc-200 bg-white py-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
          role="menu"
        >
          <button type="button" role="menuitem" class={menuItemClass} onClick={() => void exportAs('markdown')}>
            {t('data.exportMarkdown')}
          </button>
          <button type="button" role="menuitem" class={menuItemClass} onClick={() => void exportAs('json')}>
            {t('data.exportJson')}
          </button>
        </div>
      </Show>
    </div>
  );
}
