// Pieces the account page's sections share: the section frame, the in-place confirm button, the status notice, the
// button styles and the date format.
import { createSignal, type JSX, Show } from 'solid-js';
import { locale, t } from '../../lib/i18n';

export const when = (iso: string) =>
  new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

const buttonClass =
  'rounded-lg px-3 py-2 text-sm font-medium disabled:opacity-60 focus:outline-none focus:ring-2 focus:ring-indigo-500/40';
export const primary = `${buttonClass} bg-indigo-600 text-white hover:bg-indigo-500`;
export const secondary = `${buttonClass} border border-zinc-300 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800`;
export const danger = `${buttonClass} bg-red-600 text-white hover:bg-red-500`;

export function Section(props: { id: string; title: string; hint?: string; children: JSX.Element }) {
  return (
    <section
      aria-labelledby={props.id}
      class="rounded-2xl border border-zinc-200 bg-white p-5 shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
    >
      <h2 id={props.id} class="text-lg font-semibold">
        {props.title}
      </h2>
      <Show when={props.hint}>
        <p class="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{props.hint}</p>
      </Show>
      <div class="mt-4">{props.children}</div>
    </section>
  );
}

/** A button that asks once more, in place, before it acts. */
export function ConfirmButton(props: { label: string; question: string; class: string; onConfirm: () => void }) {
  const [armed, setArmed] = createSignal(false);
  return (
    <Show
      when={armed()}
      fallback={
        <button type="button" class={props.class} onClick={() => setArmed(true)}>
          {props.label}
        </button>
      }
    >
      <span class="inline-flex flex-wrap items-center gap-2">
        <span class="text-sm">{props.question}</span>
        <button
          type="button"
          class={props.class}
          onClick={() => {
            setArmed(false);
            props.onConfirm();
          }}
        >
          {props.label}
        </button>
        <button type="button" class={secondary} onClick={() => setArmed(false)}>
          {t('chat.cancel')}
        </button>
      </span>
    </Show>
  );
}

export function Notice(props: { message: string | undefined }) {
  return (
    <Show when={props.message}>
      <p
        class="mb-4 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
        role="status"
      >
        {props.message}
      </p>
    </Show>
  );
}
