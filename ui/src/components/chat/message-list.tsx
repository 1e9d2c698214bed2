// The conversation's messages: the "loading older" line, the messages of the branch shown (with the actions that
// are allowed while nothing streams), the placeholder of an answer not begun yet, and the empty state.
import { createMemo, For, Show } from 'solid-js';
import { t } from '../../lib/i18n';
import type { ChatState } from '../../state/chat.store';
import { MessageItem } from '../message';

export function MessageList(props: {
  state: ChatState;
  busy: boolean;
  ref: (el: HTMLDivElement) => void;
  onScroll: () => void;
  onRetry: (id: number) => void;
  onRegenerate: (id: number) => void;
  onEdit: (id: number, content: string) => void;
  onSelectSibling: (id: number) => void;
}) {
  const lastAssistantId = createMemo(() => {
    const last = props.state.messages[props.state.messages.length - 1];
    return last?.role === 'assistant' && last.id > 0 ? last.id : undefined;
  });

  return (
    <div ref={props.ref} class="flex-1 overflow-y-auto" onScroll={() => props.onScroll()} data-testid="messages">
      <div class="mx-auto flex max-w-3xl flex-col gap-6 px-4 py-6">
        <Show when={props.state.loadingOlder}>
          <p class="text-center text-sm text-zinc-500" role="status">
            {t('chat.loadingOlder')}
          </p>
        </Show>
        <Show
          when={!props.state.loadingSession}
          fallback={<p class="text-center text-sm text-zinc-500">{t('chat.loading')}</p>}
        >
          <Show
            when={props.state.messages.length > 0}
            fallback={<EmptyState hasSession={props.state.currentId !== undefined} />}
          >
            <For each={props.state.messages}>
              {(m) => (
                <MessageItem
                  message={m}
                  streaming={m.id === props.state.streamingId}
                  onRetry={m.role === 'assistant' && !props.busy ? props.onRetry : undefined}
                  onRegenerate={m.id === lastAssistantId() && !props.busy ? props.onRegenerate : undefined}
                  onEdit={m.role === 'user' && m.id > 0 && !props.busy ? props.onEdit : undefined}
                  onSelectSibling={props.busy ? undefined : props.onSelectSibling}
                />
              )}
            </For>
            <Show when={props.state.awaitingReply}>
              <MessageItem
                message={{ id: 0, role: 'assistant', content: '', status: 'streaming', createdAt: '' }}
                streaming
              />
            </Show>
          </Show>
        </Show>
      </div>
    </div>
  );
}

function EmptyState(props: { hasSession: boolean }) {
  return (
    <div class="flex flex-col items-center justify-center gap-3 py-24 text-center text-zinc-500">
      <div
        aria-hidden="true"
        class="flex h-12 w-12 items-center justify-center rounded-2xl bg-gradient-to-br from-indigo-500 to-violet-500 text-lg font-bold text-white"
      >
        AI
      </div>
      <p>{props.hasSession ? t('chat.empty') : t('chat.pickOrCreate')}</p>
    </div>
  );
}
