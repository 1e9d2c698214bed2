// The conversation menu's items (loaded when it first opens): export the conversation as Markdown or as JSON.
import { api } from '../lib/api';
import { downloadFile, fileNameFor } from '../lib/download';
import { humanError } from '../lib/errors';
import { t } from '../lib/i18n';
import { menuItemClass } from './menu-item';

export function SessionMenuPanel(props: {
  sessionId: number;
  title: string;
  onDone: () => void;
  onError: (text: string) => void;
}) {
  const exportAs = async (format: 'markdown' | 'json') => {
    props.onDone();
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
  );
}
