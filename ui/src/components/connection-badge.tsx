// The small connection state next to the conversation title: connected, reconnecting, fallback.
import { Show } from 'solid-js';
import { type MessageKey, t } from '../lib/i18n';
import type { ConnectionState } from '../state/connection.state';

const words: Record<ConnectionState, MessageKey> = {
  connecting: 'conn.connecting',
  open: 'conn.connected',
  reconnecting: 'conn.reconnecting',
  sse: 'conn.sse',
};

export function ConnectionBadge(props: { state: ConnectionState | undefined }) {
  return (
    <Show when={props.state}>
      {(s) => (
        <span
          class="inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs text-zinc-600 dark:text-zinc-400"
          role="status"
          aria-live="polite"
          data-testid="connection-state"
          data-state={s()}
        >
          <span
            class="h-2 w-2 rounded-full"
            classList={{
              'bg-emerald-500': s() === 'open' || s() === 'sse',
              'bg-amber-500 animate-pulse': s() === 'connecting' || s() === 'reconnecting',
            }}
          />
          {t(words[s()])}
        </span>
      )}
    </Show>
  );
}
