// One message: the user's on the right (with Edit), the assistant's as Markdown with copy and Regenerate, typing
// indicator, stopped/failed marks with Retry, and ‹ n/m › between the alternatives at this point of the conversation.
import { createMemo, createSignal, lazy, Show, Suspense } from 'solid-js';
import { humanError } from '../lib/errors';
import { t, withWords } from '../lib/i18n';
import type { UiMessage } from '../state/chat.store';
import { Markdown } from './markdown';

// Only when Edit is pressed: not part of the conversation's first load.
const EditBox = lazy(withWords(() => import('./message-edit').then((m) => ({ default: m.EditBox })), 'panels'));
// Only for answers that used files: with the words of files and sources.
const Sources = lazy(withWords(() => import('./files/sources').then((m) => ({ default: m.Sources })), 'files'));

const actionClass =
  'rounded px-1.5 py-0.5 text-xs text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 dark:hover:bg-zinc-800 dark:hover:text-zinc-200';

export function TypingIndicator() {
  return (
    <span class="inline-flex items-center gap-1 py-2" role="status" aria-label={t('chat.typing')}>
      <span class="typing-dot h-2 w-2 rounded-full bg-zinc-400" />
      <span class="typing-dot h-2 w-2 rounded-full bg-zinc-400" />
      <span class="typing-dot h-2 w-2 rounded-full bg-zinc-400" />
    </span>
  );
}

/** ‹ 2/3 ›: flips between the alternatives (other answers, other versions of a question) at this point. */
export function SiblingNav(props: { siblings: UiMessage['siblings']; onSelect?: ((id: number) => void) | undefined }) {
  const s = () => props.siblings;
  const go = (delta: number) => {
    const sib = s();
    const id = sib?.ids[sib.index + delta];
    if (id !== undefined) props.onSelect?.(id);
  };
  return (
    <Show when={(s()?.count ?? 1) > 1}>
      <span class="inline-flex items-center gap-0.5 text-xs text-zinc-500" data-testid="sibling-nav">
        <button
          type="button"
          class="rounded px-1 hover:bg-zinc-200 disabled:opacity-40 dark:hover:bg-zinc-800"
          aria-label={t('branch.previous')}
          disabled={!props.onSelect || (s()?.index ?? 0) <= 0}
          onClick={() => go(-1)}
        >
          ‹
        </button>
        <span aria-hidden="true" data-testid="sibling-position">
          {(s()?.index ?? 0) + 1}/{s()?.count}
        </span>
        <span class="sr-only">{t('branch.position', { index: (s()?.index ?? 0) + 1, count: s()?.count ?? 1 })}</span>
        <button
          type="button"
          class="rounded px-1 hover:bg-zinc-200 disabled:opacity-40 dark:hover:bg-zinc-800"
          aria-label={t('branch.next')}
          disabled={!props.onSelect || (s()?.index ?? 0) >= (s()?.count ?? 1) - 1}
          onClick={() => go(1)}
        >
          ›
        </button>
      </span>
    </Show>
  );
}

export interface MessageItemProps {
  message: UiMessage;
  streaming: boolean;
  onRetry?: ((id: number) => void) | undefined;
  /** Offered on the last answer when no answer is being written. */
  onRegenerate?: ((id: number) => void) | undefined;
  /** Offered on the user's stored messages when no answer is being written. */
  onEdit?: ((id: number, content: string) => void) | undefined;
  onSelectSibling?: ((id: number) => void) | undefined;
}

export function MessageItem(props: MessageItemProps) {
  const [copied, setCopied] = createSignal(false);
  const [editing, setEditing] = createSignal(false);
  /** The source opened under the answer (from its list, or a [n] in the text). */
  const [openSource, setOpenSource] = createSignal<number>();
  const citations = createMemo(() => {
    const sources = props.message.sources;
    return sources?.length ? new Set(sources.map((s) => s.n)) : undefined;
  });
  const isUser = () => props.message.role === 'user';
  const copy = () => {
    void navigator.clipboard?.writeText(props.message.content).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    });
  };
  const ended = () => props.message.status === 'stopped' || props.message.status === 'error';

  return (
    <article
      class="group flex w-full"
      classList={{ 'justify-end': isUser() }}
      data-role={props.message.role}
      data-status={props.message.status}
      data-message-id={props.message.id}
      aria-label={isUser() ? t('chat.you') : t('chat.assistant')}
    >
      <div
        classList={{
          'max-w-[85%] md:max-w-[75%] rounded-2xl rounded-br-md bg-indigo-600 px-4 py-2.5 text-white shadow-sm':
            isUser(),
          'w-full text-zinc-900 dark:text-zinc-100': !isUser(),
          'opacity-70': props.message.pending,
        }}
      >
        <Show
          when={!isUser()}
          fallback={
            <Show
              when={!editing()}
              fallback={
                <Suspense>
                  <EditBox
                    initial={props.message.content}
                    buttonClass={actionClass}
                    onCancel={() => setEditing(false)}
                    onSave={(text) => {
                      setEditing(false);
                      props.onEdit?.(props.message.id, text);
                    }}
                  />
                </Suspense>
              }
            >
              <div class="whitespace-pre-wrap break-words" data-testid="message-body">
                {props.message.content}
              </div>
            </Show>
          }
        >
          <div class="flex items-start gap-3">
            <div
              aria-hidden="true"
              class="mt-0.5 flex h-7 w-7 shrink-0 items-center justify-center rounded-full bg-gradient-to-br from-indigo-500 to-violet-500 text-xs font-bold text-white"
            >
              AI
            </div>
            <div class="min-w-0 flex-1">
              <Show when={props.message.content} fallback={<Show when={props.streaming}>{<TypingIndicator />}</Show>}>
                <div data-testid="message-body">
                  <Markdown text={props.message.content} citations={citations()} onCite={setOpenSource} />
                </div>
              </Show>
              <Show when={props.message.sources?.length ? props.message.sources : undefined}>
                {(sources) => (
                  <Suspense>
                    <Sources
                      sources={sources()}
                      open={openSource()}
                      onToggle={(n) => setOpenSource(openSource() === n ? undefined : n)}
                    />
                  </Suspense>
                )}
              </Show>
              <Show when={ended()}>
                <div
                  class="mt-2 flex flex-wrap items-center gap-2 text-sm"
                  classList={{
                    'text-amber-700 dark:text-amber-400': props.message.status === 'stopped',
                    'text-red-700 dark:text-red-400': props.message.status === 'error',
                  }}
                >
                  <span data-testid="message-mark">
                    {props.message.status === 'stopped'
                      ? t('chat.stopped')
                      : props.message.errorCode
                        ? humanError({ code: props.message.errorCode, resetAt: props.message.errorResetAt })
                        : t('chat.failed')}
                  </span>
                  <Show when={props.onRetry}>
                    <button
                      type="button"
                      class="rounded-md border border-current px-2 py-0.5 font-medium hover:bg-zinc-100 dark:hover:bg-zinc-800"
                      onClick={() => props.onRetry?.(props.message.id)}
                    >
                      {t('chat.retry')}
                    </button>
                  </Show>
                </div>
              </Show>
              <Show when={!props.streaming && (props.message.content || (props.message.siblings?.count ?? 1) > 1)}>
                <div class="mt-1 flex items-center gap-1 opacity-60 transition-opacity group-hover:opacity-100 focus-within:opacity-100">
                  <SiblingNav siblings={props.message.siblings} onSelect={props.onSelectSibling} />
                  <Show when={props.message.content}>
                    <button type="button" class={actionClass} aria-label={t('chat.copy')} onClick={copy}>
                      {copied() ? t('chat.copied') : t('chat.copy')}
                    </button>
                  </Show>
                  <Show when={props.onRegenerate && !ended()}>
                    <button type="button" class={actionClass} onClick={() => props.onRegenerate?.(props.message.id)}>
                      {t('branch.regenerate')}
                    </button>
                  </Show>
                </div>
              </Show>
            </div>
          </div>
        </Show>
      </div>
      <Show when={isUser() && !editing() && (props.onEdit || (props.message.siblings?.count ?? 1) > 1)}>
        <div class="order-first mr-1 flex items-end gap-1 self-end opacity-60 transition-opacity group-hover:opacity-100 focus-within:opacity-100">
          <SiblingNav siblings={props.message.siblings} onSelect={props.onSelectSibling} />
          <Show when={props.onEdit}>
            <button type="button" class={actionClass} onClick={() => setEditing(true)}>
              {t('branch.edit')}
            </button>
          </Show>
        </div>
      </Show>
    </article>
  );
}
