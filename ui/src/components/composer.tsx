// The message box: Enter sends, Shift+Enter adds a line, Esc stops the answer; Send turns into Stop while an answer streams.
// Files come by the paperclip, by dropping them on the box, or by pasting an image; the page uploads them.
import { createSignal, Show } from 'solid-js';
import { t } from '../lib/i18n';
import { PaperclipIcon } from './files/paperclip-icon';

export interface ComposerProps {
  busy: boolean;
  disabled?: boolean;
  onSend: (text: string) => boolean;
  onStop: () => void;
  ref?: (el: HTMLTextAreaElement) => void;
  /** Files picked, dropped or pasted (no paperclip without it). */
  onFiles?: (files: File[]) => void;
  /** Files of this message are still uploading or being read: Send waits. */
  waiting?: boolean;
}

/** What the picker offers (the server judges each file by its content anyway). */
const ACCEPT = '.pdf,.docx,.md,.markdown,.txt,.html,.htm,.csv,image/png,image/jpeg,image/webp';

const MAX_HEIGHT = 200;

export function Composer(props: ComposerProps) {
  const [text, setText] = createSignal('');
  let box: HTMLTextAreaElement | undefined;

  const grow = () => {
    if (!box) return;
    box.style.height = 'auto';
    box.style.height = `${Math.min(box.scrollHeight, MAX_HEIGHT)}px`;
  };

  let picker: HTMLInputElement | undefined;
  const [dragging, setDragging] = createSignal(false);
  const give = (list: FileList | null | undefined) => {
    const files = list ? [...list] : [];
    if (files.length && props.onFiles) props.onFiles(files);
  };

  const submit = () => {
    if (props.busy || props.disabled || props.waiting) return;
    if (props.onSend(text())) {
      setText('');
      queueMicrotask(grow);
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      // isComposing: Vietnamese input methods use Enter to confirm a word, not to send.
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape' && props.busy) {
      e.preventDefault();
      props.onStop();
    }
  };

  return (
    <form
      class="mx-auto flex w-full max-w-3xl items-end gap-2 rounded-2xl border border-zinc-300 bg-white p-2 shadow-sm focus-within:border-indigo-500 dark:border-zinc-700 dark:bg-zinc-900"
      classList={{ 'ring-2 ring-indigo-400': dragging() }}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      onDragOver={(e) => {
        if (!props.onFiles || !e.dataTransfer?.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        if (!props.onFiles) return;
        e.preventDefault();
        setDragging(false);
        give(e.dataTransfer?.files);
      }}
    >
      <Show when={props.onFiles}>
        <button
          type="button"
          class="rounded-xl p-2 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 dark:hover:bg-zinc-800 dark:hover:text-zinc-200"
          aria-label={t('files.attach')}
          title={dragging() ? t('files.drop') : t('files.attach')}
          onClick={() => picker?.click()}
        >
          <PaperclipIcon />
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          accept={ACCEPT}
          class="sr-only"
          tabIndex={-1}
          aria-label={t('files.attach')}
          data-testid="file-input"
          onChange={(e) => {
            give(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
      </Show>
      <label for="composer" class="sr-only">
        {t('chat.messageLabel')}
      </label>
      <textarea
        id="composer"
        ref={(el) => {
          box = el;
          props.ref?.(el);
        }}
        rows={1}
        class="max-h-[200px] min-h-[2.5rem] flex-1 resize-none bg-transparent px-2 py-2 outline-none placeholder:text-zinc-400"
        placeholder={t('chat.placeholder')}
        value={text()}
        disabled={props.disabled}
        onInput={(e) => {
          setText(e.currentTarget.value);
          grow();
        }}
        onKeyDown={onKeyDown}
        onPaste={(e) => {
          // A pasted screenshot becomes an attachment; pasted text stays text.
          const images = [...(e.clipboardData?.files ?? [])].filter((f) => f.type.startsWith('image/'));
          if (images.length && props.onFiles) {
            e.preventDefault();
            props.onFiles(images);
          }
        }}
      />
      <Show
        when={props.busy}
        fallback={
          <button
            type="submit"
            class="rounded-xl bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:cursor-not-allowed disabled:opacity-40"
            disabled={props.disabled || props.waiting || !text().trim()}
          >
            {props.waiting ? t('files.waiting') : t('chat.send')}
          </button>
        }
      >
        <button
          type="button"
          class="rounded-xl bg-zinc-800 px-4 py-2 font-medium text-white hover:bg-zinc-700 dark:bg-zinc-200 dark:text-zinc-900 dark:hover:bg-zinc-300"
          onClick={() => props.onStop()}
        >
          {t('chat.stop')}
        </button>
      </Show>
    </form>
  );
}
