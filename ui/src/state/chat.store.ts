// The chat's state: sessions in the sidebar, the open conversation's messages (a Solid store), and how stream events change them.
import type { Message, SessionListItem, WsServerMessage } from '@chatbot/shared';
import { batch } from 'solid-js';
import { createStore } from 'solid-js/store';

/** A message as the UI holds it: `pending` marks the user's message until the server acknowledges it. */
export interface UiMessage extends Message {
  pending?: boolean;
  /** Words for a failed answer (mapped from the error code), shown instead of a raw error. */
  errorCode?: string;
  /** QUOTA_EXCEEDED: when the limit resets, so the words can say it. */
  errorResetAt?: string;
}

export interface ChatState {
  sessions: SessionListItem[];
  sessionsTotal: number;
  sessionsLoaded: boolean;
  currentId: number | undefined;
  messages: UiMessage[];
  hasMore: boolean;
  loadingOlder: boolean;
  loadingSession: boolean;
  /** The assistant message being written (typing indicator until its first chunk), or undefined. */
  streamingId: number | undefined;
  /** True between sending and the server's acknowledgement. */
  awaitingReply: boolean;
  /** The last chunk sequence number applied: resume asks for what comes after it, and replays never double text. */
  lastSeq: number;
}

function initialChatState(): ChatState {
  return {
    sessions: [],
    sessionsTotal: 0,
    sessionsLoaded: false,
    currentId: undefined,
    messages: [],
    hasMore: false,
    loadingOlder: false,
    loadingSession: false,
    streamingId: undefined,
    awaitingReply: false,
    lastSeq: 0,
  };
}

let tempId = 0;
/** Ids for optimistic messages: negative so they never collide with the server's. */
function nextTempId(): number {
  tempId -= 1;
  return tempId;
}

export function createChatState() {
  const [state, setState] = createStore<ChatState>(initialChatState());

  /** Applies one streaming event (WebSocket message, or an SSE event mapped to the same shape). */
  function applyEvent(ev: WsServerMessage): void {
    switch (ev.type) {
      case 'message': {
        batch(() => {
          setState('messages', (prev) => {
            const list = [...prev];
            const i = list.findIndex((m) => m.pending && m.role === 'user');
            if (i >= 0) list[i] = { ...ev.userMessage };
            else if (!list.some((m) => m.id === ev.userMessage.id)) list.push({ ...ev.userMessage });
            if (!list.some((m) => m.id === ev.assistantMessageId)) {
              list.push({
                id: ev.assistantMessageId,
                role: 'assistant',
                content: '',
                status: 'streaming',
                createdAt: new Date().toISOString(),
              });
            }
            return list;
          });
          setState({ streamingId: ev.assistantMessageId, awaitingReply: false, lastSeq: 0 });
          bumpSession(state.currentId);
        });
        return;
      }
      case 'chunk': {
        // A replay after a reconnect can repeat chunks we already have: the sequence number says which.
        if (ev.seq <= state.lastSeq && state.streamingId === ev.messageId) return;
        const i = state.messages.findIndex((m) => m.id === ev.messageId);
        batch(() => {
          if (i < 0) {
            setState('messages', state.messages.length, {
              id: ev.messageId,
              role: 'assistant',
              content: ev.content,
              status: 'streaming',
              createdAt: new Date().toISOString(),
            });
          } else {
            setState('messages', i, 'content', (c) => c + ev.content);
          }
          setState({ lastSeq: ev.seq, streamingId: ev.messageId, awaitingReply: false });
        });
        return;
      }
      case 'done': {
        const i = state.messages.findIndex((m) => m.id === ev.messageId);
        batch(() => {
          const final: UiMessage = { ...ev.assistantMessage, status: ev.status };
          if (i < 0) setState('messages', state.messages.length, final);
          else {
            // The stored answer replaces the streamed one entirely: a field the stream had and it lacks is removed.
            const gone = Object.keys(state.messages[i] ?? {}).filter((k) => !(k in final));
            setState('messages', i, { ...Object.fromEntries(gone.map((k) => [k, undefined])), ...final });
          }
          setState({ streamingId: undefined, awaitingReply: false, lastSeq: 0 });
        });
        return;
      }
      case 'error': {
        batch(() => {
          const id = state.streamingId;
          const i = id === undefined ? -1 : state.messages.findIndex((m) => m.id === id);
          if (i >= 0) {
            setState('messages', i, { status: 'error', errorCode: ev.code, errorResetAt: ev.resetAt });
          } else {
            // Refused before an answer existed (rate limit, answer already running…): show it on a stand-in answer.
            setState('messages', (prev) => {
              const list = [...prev];
              const p = list.findIndex((m) => m.pending);
              if (p >= 0) list[p] = { ...list[p]!, pending: false };
              list.push({
                id: nextTempId(),
                role: 'assistant',
                content: '',
                status: 'error',
                errorCode: ev.code,
                ...(ev.resetAt ? { errorResetAt: ev.resetAt } : {}),
                createdAt: new Date().toISOString(),
              });
              return list;
            });
          }
          setState({ streamingId: undefined, awaitingReply: false, lastSeq: 0 });
        });
        return;
      }
    }
  }

  /** Moves a session to the top of the sidebar (newest activity first). */
  function bumpSession(id: number | undefined): void {
    if (id === undefined) return;
    const i = state.sessions.findIndex((s) => s.id === id);
    if (i <= 0) return;
    setState('sessions', (prev) => {
      const list = [...prev];
      const [s] = list.splice(i, 1);
      if (s) list.unshift({ ...s, updatedAt: new Date().toISOString() });
      return list;
    });
  }

  function addPendingUserMessage(content: string): void {
    setState('messages', state.messages.length, {
      id: nextTempId(),
      role: 'user',
      content,
      status: 'complete',
      createdAt: new Date().toISOString(),
      pending: true,
    });
    setState('awaitingReply', true);
  }

  function showSession(detail: { id: number; messages: Message[]; hasMore: boolean }): void {
    const streaming = [...detail.messages].reverse().find((m) => m.role === 'assistant' && m.status === 'streaming');
    setState({
      currentId: detail.id,
      messages: detail.messages.map((m) => (m.status === 'streaming' ? { ...m, content: '' } : m)),
      hasMore: detail.hasMore,
      loadingSession: false,
      streamingId: streaming?.id,
      awaitingReply: false,
      lastSeq: 0,
    });
  }

  function prependOlder(older: Message[], hasMore: boolean): void {
    const known = new Set(state.messages.map((m) => m.id));
    setState({
      messages: [...older.filter((m) => !known.has(m.id)), ...state.messages],
      hasMore,
      loadingOlder: false,
    });
  }

  // Named changes for the actions (sessions.actions.ts, conversation.actions.ts): the store's shape stays in this file.

  function sessionsLoaded(sessions: SessionListItem[], total: number): void {
    setState({ sessions, sessionsTotal: total, sessionsLoaded: true });
  }

  /** A further page of the list; rows already shown (moved up by activity meanwhile) are not repeated. */
  function sessionsAppended(more: SessionListItem[], total: number): void {
    const known = new Set(state.sessions.map((s) => s.id));
    setState({ sessions: [...state.sessions, ...more.filter((s) => !known.has(s.id))], sessionsTotal: total });
  }

  function sessionAdded(s: SessionListItem): void {
    batch(() => {
      setState('sessions', (list) => [s, ...list]);
      setState('sessionsTotal', (n) => n + 1);
    });
  }

  function sessionChanged(id: number, patch: Partial<SessionListItem>): void {
    setState('sessions', (x) => x.id === id, patch);
  }

  function sessionRemoved(id: number): void {
    batch(() => {
      setState('sessions', (list) => list.filter((s) => s.id !== id));
      setState('sessionsTotal', (n) => Math.max(0, n - 1));
    });
  }

  /** Pinned first, then newest activity: the row moves to the top of its group. */
  function sessionPinned(id: number, pinned: boolean): void {
    setState('sessions', (list) => {
      const row = list.find((x) => x.id === id);
      if (!row) return list;
      const rest = list.filter((x) => x.id !== id);
      const moved = { ...row, pinned };
      const at = pinned ? 0 : rest.filter((x) => x.pinned).length;
      return [...rest.slice(0, at), moved, ...rest.slice(at)];
    });
  }

  function conversationClosed(): void {
    setState({ currentId: undefined, messages: [], hasMore: false, streamingId: undefined, awaitingReply: false });
  }

  function conversationOpening(id: number): void {
    setState({ currentId: id, loadingSession: true });
  }

  function conversationOpenFailed(): void {
    setState({ loadingSession: false, currentId: undefined });
  }

  function olderLoading(on: boolean): void {
    setState('loadingOlder', on);
  }

  /**
   * The conversation from message `index` on is being replaced (regenerate: the answer; edit: the question and what
   * followed): it goes, and the new turn is awaited, with `question` shown pending when there is one.
   */
  function branchReplaced(index: number, question?: string): void {
    batch(() => {
      setState('messages', (list) => list.slice(0, index));
      if (question === undefined) setState('awaitingReply', true);
      else addPendingUserMessage(question);
    });
  }

  return {
    state,
    applyEvent,
    addPendingUserMessage,
    showSession,
    prependOlder,
    bumpSession,
    sessionsLoaded,
    sessionsAppended,
    sessionAdded,
    sessionChanged,
    sessionRemoved,
    sessionPinned,
    conversationClosed,
    conversationOpening,
    conversationOpenFailed,
    olderLoading,
    branchReplaced,
  };
}

export type ChatStore = ReturnType<typeof createChatState>;
