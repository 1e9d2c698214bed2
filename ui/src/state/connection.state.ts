// One session's live connection: the SDK's WebSocket with reconnect (backoff) and resume, or SSE when WebSocket is unavailable.
import type { SseEvent, WsServerMessage } from '@chatbot/shared';
import { type Accessor, createSignal } from 'solid-js';
import { type Api, onTokenRefreshed } from '../lib/api';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'sse';

type ChatSocket = ReturnType<Api['chat']['connect']>;

export interface ConnectionOptions {
  api: Api;
  sessionId: number;
  onEvent(ev: WsServerMessage): void;
  /** The answer in progress and the last chunk applied (resume after it), undefined when none is. */
  resumePoint(): { messageId: number; after: number } | undefined;
  /** Called on every reconnect (not the first open), after any resume was sent: the store catches up on what it missed. */
  onReconnected?(resume: (after: number) => void): void;
  /** A connection attempt failed before opening: browsers hide the upgrade's status, so the caller checks the token. */
  onOpenFailed?(): void;
  /** Failures a person should hear about (SSE send refused, …). */
  onError(err: unknown): void;
}

export interface Connection {
  state: Accessor<ConnectionState>;
  /** `fileIds`: files of this message (documents to read, images for a vision model). */
  send(content: string, fileIds?: number[]): void;
  /** A new answer beside assistant message `messageId`, streamed like a message's. */
  regenerate(messageId: number): void;
  /** A new version of user message `messageId` and its answer, streamed. */
  edit(messageId: number, content: string): void;
  stop(): void;
  close(): void;
}

/** Backoff for the n-th reconnect: 0.25 s doubling to 8 s, with jitter so many tabs do not reconnect in step. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(8_000, 250 * 2 ** attempt);
  return Math.round(base * (0.75 + random() * 0.5));
}

/** After this many failed opens in a row without ever opening, WebSocket is assumed blocked (proxy) and SSE takes over. */
const MAX_FAILED_OPENS = 3;

export function createConnection(opts: ConnectionOptions): Connection {
  const wsAvailable = typeof WebSocket !== 'undefined';
  const [state, setState] = createSignal<ConnectionState>(wsAvailable ? 'connecting' : 'sse');
  let socket: ChatSocket | undefined;
  let closed = false;
  let everOpened = false;
  let attempt = 0;
  let failedOpens = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const sse = new AbortController();

  function open(): void {
    if (closed) return;
    const s = opts.api.chat.connect(opts.sessionId);
    socket = s;
    let opened = false;
    s.on('message', (ev) => opts.onEvent(ev));
    s.on('open', () => {
      opened = true;
      const reopened = everOpened;
      everOpened = true;
      attempt = 0;
      failedOpens = 0;
      setState('open');
      const point = opts.resumePoint();
      if (point) s.resume(point.after);
      if (reopened) opts.onReconnected?.((after) => s.resume(after));
    });
    s.on('close', () => {
      if (closed || socket !== s) return;
      socket = undefined;
      if (!opened) {
        failedOpens += 1;
        opts.onOpenFailed?.();
      }
      if (!everOpened && failedOpens >= MAX_FAILED_OPENS) {
        setState('sse');
        return;
      }
      setState('reconnecting');
      timer = setTimeout(open, backoffDelay(attempt++));
    });
  }

  /** Follows an SSE stream, mapping its events to the WebSocket's shapes so the store has one language. */
  async function follow(stream: AsyncIterable<SseEvent>, answerId?: number): Promise<void> {
    let assistantId = answerId;
    try {
      for await (const ev of stream) {
        if (ev.event === 'message') {
          assistantId = ev.data.assistantMessageId;
          opts.onEvent({ type: 'message', userMessage: ev.data.userMessage, assistantMessageId: assistantId });
        } else if (ev.event === 'chunk') {
          opts.onEvent({ type: 'chunk', content: ev.data.content, seq: ev.id, messageId: assistantId ?? -1 });
        } else if (ev.event === 'done') {
          const m = ev.data.assistantMessage;
          const status = m.status === 'streaming' ? 'complete' : m.status;
          opts.onEvent({ type: 'done', messageId: ev.data.messageId, status, assistantMessage: m });
        } else {
          opts.onEvent({ type: 'error', message: ev.data.message, code: ev.data.code });
        }
      }
    } catch (err) {
      if (!sse.signal.aborted) opts.onError(err);
    }
  }

  // The server checks a socket's messages against the token it was opened with, which expires after a refresh:
  // reopen with the new one (an answer in flight is resumed like after any drop).
  const offRefreshed = onTokenRefreshed(() => {
    if (socket && socket.state === 'open') socket.close();
  });

  if (wsAvailable) open();
  else {
    const point = opts.resumePoint();
    if (point)
      void follow(opts.api.chat.resume(opts.sessionId, { after: point.after, signal: sse.signal }), point.messageId);
  }

  // Without a live socket (blocked, or between reconnects) a turn goes over SSE instead.
  const live = () => (socket && socket.state !== 'closed' ? socket : undefined);

  return {
    state,
    send(content, fileIds) {
      const s = live();
      const files = fileIds?.length ? fileIds : undefined;
      if (s) s.send(content, files);
      else
        void follow(
          opts.api.chat.stream(opts.sessionId, content, { signal: sse.signal, ...(files ? { fileIds: files } : {}) }),
        );
    },
    regenerate(messageId) {
      const s = live();
      if (s) s.regenerate(messageId);
      else void follow(opts.api.chat.regenerate(opts.sessionId, messageId, { signal: sse.signal }));
    },
    edit(messageId, content) {
      const s = live();
      if (s) s.edit(messageId, content);
      else void follow(opts.api.chat.edit(opts.sessionId, messageId, content, { signal: sse.signal }));
    },
    stop() {
      if (socket && socket.state === 'open') socket.stop();
      else opts.api.chat.stop(opts.sessionId).catch(opts.onError);
    },
    close() {
      closed = true;
      offRefreshed();
      if (timer) clearTimeout(timer);
      sse.abort();
      socket?.close();
      socket = undefined;
    },
  };
}
