// The open conversation's settings panel: its system prompt, its model (from GET /api/models) and its temperature.
import type { ModelsResponse, Session, UpdateSessionRequest } from '@chatbot/shared';
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../lib/api';
import { humanError } from '../lib/errors';
import { t } from '../lib/i18n';

export type SessionSettings = Pick<Session, 'systemPrompt' | 'model' | 'temperature'>;

export interface SessionSettingsProps {
  settings: SessionSettings;
  onSave: (body: UpdateSessionRequest) => Promise<void>;
  onClose: () => void;
  /** Replaces the SDK call (tests). */
  loadModels?: () => Promise<ModelsResponse>;
}

// The contract's limits (shared/src/contracts/chat.ts), repeated as plain numbers: importing them would bring zod into
// the page. The server checks them anyway; these only guide the inputs.
const SYSTEM_PROMPT_MAX_LENGTH = 4000;
const TEMPERATURE_MIN = 0;
const TEMPERATURE_MAX = 2;

const fieldClass =
  'w-full rounded-lg border border-zinc-300 bg-white px-2 py-1.5 text-sm outline-none focus:border-indigo-500 dark:border-zinc-700 dark:bg-zinc-800';

export function SessionSettingsPanel(props: SessionSettingsProps) {
  const [models] = createResource(() => (props.loadModels ?? api.models)());
  const [systemPrompt, setSystemPrompt] = createSignal(props.settings.systemPrompt ?? '');
  const [model, setModel] = createSignal(props.settings.model ?? '');
  // '' = the server's default temperature.
  const [temperature, setTemperature] = createSignal(String(props.settings.temperature ?? ''));
  const [error, setError] = createSignal<{ text: string } | undefined>(undefined);
  const [saved, setSaved] = createSignal(false);
  const [saving, setSaving] = createSignal(false);

  const save = async () => {
    setError(undefined);
    setSaved(false);
    const temp = temperature().trim();
    const body: UpdateSessionRequest = {
      systemPrompt: systemPrompt().trim() || null,
      model: model() || null,
      temperature: temp === '' ? null : Number(temp),
    };
    setSaving(true);
    try {
      await props.onSave(body);
      setSaved(true);
    } catch (err) {
      setError({ text: humanError(err) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <section
      class="border-b border-zinc-200 bg-zinc-50 px-4 py-3 dark:border-zinc-800 dark:bg-zinc-900"
      aria-labelledby="settings-heading"
      data-testid="session-settings"
    >
      <form
        class="mx-auto flex max-w-3xl flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div class="flex items-center justify-between">
          <h2 id="settings-heading" class="text-sm font-semibold">
            {t('settings.title')}
          </h2>
          <button
            type="button"
            class="rounded px-2 py-0.5 text-sm hover:bg-zinc-200 dark:hover:bg-zinc-800"
            onClick={() => props.onClose()}
          >
            {t('settings.close')}
          </button>
        </div>
        <div>
          <label class="mb-1 block text-sm font-medium" for="settings-system-prompt">
            {t('settings.systemPrompt')}
          </label>
          <textarea
            id="settings-system-prompt"
            class={`${fieldClass} min-h-20`}
            maxLength={SYSTEM_PROMPT_MAX_LENGTH}
            value={systemPrompt()}
            onInput={(e) => setSystemPrompt(e.currentTarget.value)}
          />
          <p class="mt-1 text-xs text-zinc-500">{t('settings.systemPromptHint')}</p>
        </div>
        <div class="flex flex-wrap gap-3">
          <div class="min-w-48 flex-1">
            <label class="mb-1 block text-sm font-medium" for="settings-model">
              {t('settings.model')}
            </label>
            <select
              id="settings-model"
              class={fieldClass}
              value={model()}
              onChange={(e) => setModel(e.currentTarget.value)}
            >
              <option value="">{t('settings.defaultModel', { model: models()?.default ?? '…' })}</option>
              <For each={models()?.models ?? (model() ? [model()] : [])}>{(m) => <option value={m}>{m}</option>}</For>
            </select>
          </div>
          <div class="w-48">
            <label class="mb-1 block text-sm font-medium" for="settings-temperature">
              {t('settings.temperature')}
            </label>
            <input
              id="settings-temperature"
              type="number"
              class={fieldClass}
              min={TEMPERATURE_MIN}
              max={TEMPERATURE_MAX}
              step="0.1"
              placeholder={t('settings.temperatureDefault')}
              value={temperature()}
              onInput={(e) => setTemperature(e.currentTarget.value)}
            />
          </div>
        </div>
        <p class="text-xs text-zinc-500">{t('settings.temperatureHint')}</p>
        <div class="flex items-center gap-3">
          <button
            type="submit"
            class="rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-60"
            disabled={saving()}
          >
            {t('chat.save')}
          </button>
          <Show when={saved()}>
            <span class="text-sm text-green-700 dark:text-green-400" role="status">
              {t('settings.saved')}
            </span>
          </Show>
          <Show when={error()}>
            {(e) => (
              <span class="text-sm text-red-700 dark:text-red-300" role="alert">
                {e().text}
              </span>
            )}
          </Show>
        </div>
      </form>
    </section>
  );
}
