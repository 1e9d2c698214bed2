// Editing the user's message in place (loaded when Edit is first pressed): Enter saves and sends, Esc cancels.
import type { JSX } from 'solid-js';
import { t } from '../lib/i18n';

/** The user's message being edited in place: Enter saves and sends, Esc cancels. */
export function EditBox(props: {
  initial: string;
  /** The message's action button style (passed in: this chunk shares no module with the page). */
  buttonClass: string;
  onSave: (text: string) => void;
  onCancel: () => void;
}): JSX.Element {
  let area: HTMLTextAreaElement | undefined;
  const save = () => {
    const text = area?.value.trim() ?? '';
    if (text) props.onSave(text);
  };
  return (
    <form
      class="flex w-full flex-col gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <label class="sr-only" for="edit-message">
        {t('branch.editLabel')}
      </label>
      <textarea
        id="edit-message"
        ref={(el) => {
          area = el;
          queueMicrotask(() => el.focus());
        }}
        class="min-h-20 w-full rounded-lg border border-indigo-500 bg-white p-2 text-zinc-900 outline-none dark:bg-zinc-800 dark:text-zinc-100"
        value={props.initial}
        maxLength={10_000}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            save();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            props.onCancel();
          }
        }}
      />
      <div class="flex justify-end gap-2">
        <button type="button" class={props.buttonClass} onClick={() => props.onCancel()}>
          {t('chat.cancel')}
        </button>
        <button
          type="submit"
          class="rounded-md bg-indigo-600 px-3 py-1 text-xs font-medium text-white hover:bg-indigo-500"
        >
          {t('branch.saveAndSend')}
        </button>
      </div>
    </form>
  );
}
