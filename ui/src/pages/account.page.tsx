// The account page: change the password, see and log out devices, create / list / revoke API keys, delete the account.
import type { ApiKey, AuthSession, CreatedApiKey } from '@chatbot/shared';
import { A, useNavigate } from '@solidjs/router';
import { createResource, createSignal, For, type JSX, Show } from 'solid-js';
import { Field, FormError } from '../components/auth-form';
import { Preferences } from '../components/preferences';
import { api } from '../lib/api';
import { errorField, humanError } from '../lib/errors';
import { locale, t } from '../lib/i18n';
import { changePassword, clearSession, deleteAccount, logoutEverywhere, user } from '../state/auth.state';

const when = (iso: string) =>
  new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

const buttonClass =
  'rounded-lg px-3 py-2 text-sm font-medium disabled:opacity-60 focus:outline-none focus:ring-2 focus:ring-indigo-500/40';
const primary = `${buttonClass} bg-indigo-600 text-white hover:bg-indigo-500`;
const secondary = `${buttonClass} border border-zinc-300 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800`;
const danger = `${buttonClass} bg-red-600 text-white hover:bg-red-500`;

function Section(props: { id: string; title: string; hint?: string; children: JSX.Element }) {
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
function ConfirmButton(props: { label: string; question: string; class: string; onConfirm: () => void }) {
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

function Notice(props: { message: string | undefined }) {
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

function PasswordSection() {
  const [current, setCurrent] = createSignal('');
  const [next, setNext] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<{ field?: string; message: string }>();
  const [done, setDone] = createSignal<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      await changePassword(current(), next());
      setCurrent('');
      setNext('');
      setDone(t('account.passwordChanged'));
    } catch (err) {
      setError({ field: errorField(err), message: humanError(err) });
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (name: string) => (error()?.field === name ? error()?.message : undefined);
  return (
    <Section id="password-title" title={t('account.passwordTitle')}>
      <form onSubmit={submit} novalidate class="max-w-sm">
        <Field
          id="current-password"
          label={t('account.currentPassword')}
          type="password"
          autocomplete="current-password"
          value={current()}
          onInput={setCurrent}
          error={fieldError('currentPassword')}
        />
        <Field
          id="new-password"
          label={t('account.newPassword')}
          type="password"
          autocomplete="new-password"
          hint={t('auth.passwordHint')}
          value={next()}
          onInput={setNext}
          error={fieldError('newPassword')}
        />
        <FormError
          message={
            error() && !['currentPassword', 'newPassword'].includes(error()?.field ?? '') ? error()?.message : undefined
          }
        />
        <Notice message={done()} />
        <button type="submit" class={primary} disabled={busy()}>
          {busy() ? t('auth.working') : t('account.changePassword')}
        </button>
      </form>
    </Section>
  );
}

function DevicesSection(props: { onLoggedOut: () => void }) {
  const [devices, { refetch }] = createResource(async () => (await api.auth.sessions()).sessions);
  const [error, setError] = createSignal<string>();
  const act = async (fn: () => Promise<void>) => {
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(humanError(err));
    }
  };
  const revoke = (d: AuthSession) =>
    act(async () => {
      await api.auth.revokeSession(d.id);
      if (d.current) {
        clearSession();
        props.onLoggedOut();
      } else await refetch();
    });
  return (
    <Section id="devices-title" title={t('account.devicesTitle')} hint={t('account.devicesHint')}>
      <FormError message={error() ?? (devices.error ? humanError(devices.error) : undefined)} />
      <Show when={devices()} fallback={<p class="text-sm text-zinc-500">{t('chat.loading')}</p>}>
        <ul class="divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="device-list">
          <For each={devices()}>
            {(d) => (
              <li class="flex flex-wrap items-center justify-between gap-3 py-3" data-current={d.current}>
                <div class="min-w-0 flex-1">
                  <div class="flex min-w-0 items-center gap-2">
                    <p class="truncate text-sm font-medium" title={d.userAgent ?? undefined}>
                      {d.userAgent || t('account.unknownDevice')}
                    </p>
                    <Show when={d.current}>
                      <span class="shrink-0 rounded bg-indigo-100 px-1.5 py-0.5 text-xs text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300">
                        {t('account.thisDevice')}
                      </span>
                    </Show>
                  </div>
                  <p class="text-xs text-zinc-500">
                    {[d.ip, t('account.deviceUsed', { created: when(d.createdAt), used: when(d.lastUsedAt) })]
                      .filter(Boolean)
                      .join(' · ')}
                  </p>
                </div>
                <button type="button" class={secondary} onClick={() => void revoke(d)}>
                  {t('account.revokeDevice')}
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <div class="mt-4">
        <ConfirmButton
          label={t('account.logoutAll')}
          question={t('account.confirmLogoutAll')}
          class={danger}
          onConfirm={() =>
            void act(async () => {
              await logoutEverywhere();
              props.onLoggedOut();
            })
          }
        />
      </div>
    </Section>
  );
}

const EXPIRY_CHOICES = [0, 7, 30, 90, 365] as const;

function KeysSection() {
  const [keys, { refetch }] = createResource(async () => (await api.keys.list()).keys);
  const [name, setName] = createSignal('');
  const [days, setDays] = createSignal<number>(0);
  const [created, setCreated] = createSignal<CreatedApiKey>();
  const [copied, setCopied] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<{ field?: string; message: string }>();

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setCopied(false);
    try {
      const expiresAt = days() ? new Date(Date.now() + days() * 86_400_000).toISOString() : null;
      setCreated(await api.keys.create({ name: name().trim(), expiresAt }));
      setName('');
      await refetch();
    } catch (err) {
      setError({ field: errorField(err), message: humanError(err) });
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (k: ApiKey) => {
    setError(undefined);
    try {
      await api.keys.revoke(k.id);
      if (created()?.id === k.id) setCreated(undefined);
      await refetch();
    } catch (err) {
      setError({ message: humanError(err) });
    }
  };
  const copy = async (key: string) => {
    try {
      await navigator.clipboard.writeText(key);
      setCopied(true);
    } catch {
      // no clipboard permission: the key stays selectable on screen
    }
  };
  const status = (k: ApiKey) => {
    const parts = [k.lastUsedAt ? t('account.keyLastUsed', { when: when(k.lastUsedAt) }) : t('account.keyNeverUsed')];
    if (!k.expiresAt) parts.push(t('account.keyNoExpiry'));
    else if (new Date(k.expiresAt).getTime() <= Date.now()) parts.push(t('account.keyExpired'));
    else parts.push(t('account.keyExpires', { when: when(k.expiresAt) }));
    return parts.join(' · ');
  };

  return (
    <Section id="keys-title" title={t('account.keysTitle')} hint={t('account.keysHint')}>
      <form onSubmit={create} novalidate class="flex flex-wrap items-end gap-3">
        <div class="min-w-48 flex-1">
          <Field
            id="key-name"
            label={t('account.keyName')}
            value={name()}
            onInput={setName}
            error={error()?.field === 'name' ? error()?.message : undefined}
          />
        </div>
        <div class="mb-4">
          <label for="key-expiry" class="mb-1 block text-sm font-medium">
            {t('account.keyExpiry')}
          </label>
          <select
            id="key-expiry"
            class="rounded-lg border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-700 dark:bg-zinc-950"
            value={String(days())}
            onChange={(e) => setDays(Number(e.currentTarget.value))}
          >
            <For each={EXPIRY_CHOICES}>
              {(n) => <option value={String(n)}>{n ? t('account.keyDays', { n }) : t('account.keyNever')}</option>}
            </For>
          </select>
        </div>
        <div class="mb-4">
          <button type="submit" class={primary} disabled={busy()}>
            {busy() ? t('auth.working') : t('account.createKey')}
          </button>
        </div>
      </form>
      <FormError message={error() && error()?.field !== 'name' ? error()?.message : undefined} />
      <Show when={created()}>
        {(k) => (
          <div
            class="mb-4 rounded-lg border border-amber-300 bg-amber-50 p-3 dark:border-amber-800 dark:bg-amber-950"
            role="status"
          >
            <p class="text-sm font-medium">{t('account.keyCreated')}</p>
            <div class="mt-2 flex flex-wrap items-center gap-2">
              <span class="sr-only">{t('account.newKey')}</span>
              <code
                class="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 text-sm dark:bg-zinc-900"
                data-testid="new-api-key"
              >
                {k().key}
              </code>
              <button type="button" class={secondary} onClick={() => void copy(k().key)}>
                {copied() ? t('chat.copied') : t('chat.copy')}
              </button>
            </div>
          </div>
        )}
      </Show>
      <Show when={keys()} fallback={<p class="text-sm text-zinc-500">{t('chat.loading')}</p>}>
        <Show when={(keys() ?? []).length > 0} fallback={<p class="text-sm text-zinc-500">{t('account.noKeys')}</p>}>
          <ul class="divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="key-list">
            <For each={keys()}>
              {(k) => (
                <li class="flex flex-wrap items-center justify-between gap-3 py-3">
                  <div class="min-w-0">
                    <p class="truncate text-sm font-medium">
                      {k.name} <code class="ml-1 text-xs text-zinc-500">{k.prefix}…</code>
                    </p>
                    <p class="text-xs text-zinc-500">{status(k)}</p>
                  </div>
                  <ConfirmButton
                    label={t('account.revokeKey')}
                    question={t('account.confirmRevokeKey', { name: k.name })}
                    class={secondary}
                    onConfirm={() => void revoke(k)}
                  />
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </Section>
  );
}

function DeleteSection(props: { onDeleted: () => void }) {
  const [password, setPassword] = createSignal('');
  // An account without a password (single sign-on) confirms with its username instead; the server says which.
  const [byName, setByName] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await deleteAccount(byName() ? { confirm: password() } : { password: password() });
      props.onDeleted();
    } catch (err) {
      if (errorField(err) === 'confirm' && !byName()) {
        setByName(true);
        setPassword('');
      } else setError(humanError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section id="delete-title" title={t('account.deleteTitle')} hint={t('account.deleteHint')}>
      <form onSubmit={(e) => e.preventDefault()} novalidate class="max-w-sm">
        <Field
          id="delete-confirm"
          label={
            byName()
              ? t('account.deleteConfirmName', { name: user()?.username ?? '' })
              : t('account.deleteConfirmPassword')
          }
          type={byName() ? 'text' : 'password'}
          autocomplete={byName() ? 'off' : 'current-password'}
          value={password()}
          onInput={setPassword}
          error={error()}
        />
        <ConfirmButton
          label={busy() ? t('auth.working') : t('account.deleteButton')}
          question={t('account.confirmDelete')}
          class={danger}
          onConfirm={() => void run()}
        />
      </form>
    </Section>
  );
}

export default function AccountPage() {
  const navigate = useNavigate();
  const toLogin = () => navigate('/login', { replace: true });
  return (
    <main class="min-h-full bg-zinc-50 px-4 py-8 dark:bg-zinc-950">
      <div class="mx-auto max-w-2xl space-y-6">
        <header class="flex flex-wrap items-center justify-between gap-3">
          <div>
            <h1 class="text-2xl font-semibold">{t('account.title')}</h1>
            <p class="text-sm text-zinc-600 dark:text-zinc-400">
              {t('account.signedInAs', { name: user()?.username ?? '', email: user()?.email ?? '' })}
            </p>
          </div>
          <div class="flex items-center gap-2">
            <Preferences />
            <A href="/" class={secondary}>
              {t('account.back')}
            </A>
          </div>
        </header>
        <PasswordSection />
        <DevicesSection onLoggedOut={toLogin} />
        <KeysSection />
        <DeleteSection onDeleted={toLogin} />
      </div>
    </main>
  );
}
