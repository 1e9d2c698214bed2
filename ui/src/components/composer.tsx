// The message box: Enter sends, Shift+Enter adds a line, Esc stops the answer; Send turns into Stop while an answer streams.
import { createSignal, Show } from 'solid-js';
import { t } from '../lib/i18n';

export interface ComposerProps {
  busy: boolean;
  disabled?: boolean;
  onSend: (text: string) => boolean;
  onStop: () => void;
  ref?: (el: HTMLTextAreaElement) => void;
}

const MAX_HEIGHT = 200;

export function Composer(props: ComposerProps) {
  const [text, setText] = createSignal('');
  let box: HTMLTextAreaElement | undefined;

  const grow = () => {
    if (!box) return;
    box.style.height = 'auto';
    box.style.height = `${Math.min(box.scrollHeight, MAX_HEIGHT)}px`;
  };

  const submit = () => {
    if (props.busy || props.disabled) return;
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
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
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
      />
      <Show
        when={props.busy}
        fallback={
          <button
            type="submit"
            class="rounded-xl bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:cursor-not-allowed disabled:opacity-40"
            disabled={props.disabled || !text().trim()}
          >
            {t('chat.send')}
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
