// The frame, fields, form error and cross-link shared by the login and register pages.
import { A } from '@solidjs/router';
import type { JSX } from 'solid-js';
import { Show } from 'solid-js';
import { t } from '../lib/i18n';
import { Preferences } from './preferences';

export function AuthFrame(props: { title: string; children: JSX.Element }) {
  return (
    <main class="flex min-h-full flex-col items-center justify-center bg-zinc-50 px-4 py-10 dark:bg-zinc-950">
      <div class="absolute top-3 right-3">
        <Preferences />
      </div>
      <div class="w-full max-w-sm">
        <div class="mb-6 text-center">
          <div
            aria-hidden="true"
            class="mx-auto mb-3 flex h-12 w-12 items-center justify-center rounded-2xl bg-gradient-to-br from-indigo-500 to-violet-500 text-lg font-bold text-white shadow"
          >
            AI
          </div>
          <p class="text-sm text-zinc-500">{t('app.name')}</p>
          <h1 class="text-2xl font-semibold">{props.title}</h1>
        </div>
        <div class="rounded-2xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
          {props.children}
        </div>
      </div>
    </main>
  );
}

export function Field(props: {
  id: string;
  label: string;
  type?: string;
  autocomplete?: string;
  error?: string | undefined;
  hint?: string;
  value: string;
  onInput: (v: string) => void;
  ref?: (el: HTMLInputElement) => void;
}) {
  return (
    <div class="mb-4">
      <label for={props.id} class="mb-1 block text-sm font-medium">
        {props.label}
      </label>
      <input
        id={props.id}
        ref={props.ref}
        name={props.id}
        type={props.type ?? 'text'}
        autocomplete={props.autocomplete}
        class="w-full rounded-lg border bg-white px-3 py-2 outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:bg-zinc-950"
        classList={{
          'border-red-500': Boolean(props.error),
          'border-zinc-300 dark:border-zinc-700': !props.error,
        }}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${props.id}-error` : props.hint ? `${props.id}-hint` : undefined}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        required
      />
      <Show when={props.error}>
        <p id={`${props.id}-error`} class="mt-1 text-sm text-red-600 dark:text-red-400" role="alert">
          {props.error}
        </p>
      </Show>
      <Show when={!props.error && props.hint}>
        <p id={`${props.id}-hint`} class="mt-1 text-xs text-zinc-500">
          {props.hint}
        </p>
      </Show>
    </div>
  );
}

export function SubmitButton(props: { label: string; busy: boolean }) {
  return (
    <button
      type="submit"
      class="w-full rounded-lg bg-indigo-600 px-3 py-2.5 font-medium text-white hover:bg-indigo-500 disabled:opacity-60"
      disabled={props.busy}
    >
      {props.busy ? t('auth.working') : props.label}
    </button>
  );
}

/** The form-wide error (one not tied to a field), announced as it appears. */
export function FormError(props: { message: string | undefined }) {
  return (
    <Show when={props.message}>
      <p
        class="mb-4 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300"
        role="alert"
      >
        {props.message}
      </p>
    </Show>
  );
}

/** The line under the card that links to the other page ("No account? Sign up"). */
export function AuthSwitch(props: { prompt: string; href: string; label: string }) {
  return (
    <p class="mt-4 text-center text-sm text-zinc-600 dark:text-zinc-400">
      {props.prompt}{' '}
      <A href={props.href} class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
        {props.label}
      </A>
    </p>
  );
}
