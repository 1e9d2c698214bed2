// The open conversation's actions: open (latest page + live connection, an answer in progress resumed), catch up after
// a reconnect, older messages, send (held while the session opens), stop, retry, regenerate, edit, switch between
// alternatives, and the session's own settings.
import type { Session, SessionDetail, UpdateSessionRequest } from '@chatbot/shared';
import { batch, createSignal } from 'solid-js';
import type { Api } from '../lib/api';
import { humanError } from '../lib/errors';
import { MESSAGES_PAGE, takePrefetched } from '../lib/prefetch';
import type { ChatStore } from './chat.store';
import { type Connection, type ConnectionOptions, type ConnectionState, createConnection } from './connection.state';

export interface ConversationDeps {
  api: Api;
  store: ChatStore;
  fail: (err: unknown) => void;
  setNotice: (text: string | undefined) => void;
  /** The server answered with the built-in offline model (the page says so). */
  onOfflineModel: () => void;
  /** The server has named the session from its first message. */
  onTitled: (sessionId: number) => void;
  /** Opens a session's live connection (tests pass a fake one). */
  connect?: (opts: ConnectionOptions) => Connection;
}

export type SessionSettings = Pick<Session, 'systemPrompt' | 'model' | 'temperature'>;

export function createConversationActions(deps: ConversationDeps) {
  const { api, store, fail, setNotice } = deps;
  const connect = deps.connect ?? createConnection;
  const { state } = store;
  const [live, setLive] = createSignal<Connection | undefined>(undefined);
  const connState = (): ConnectionState | undefined => live()?.state();
  /** The open session's own settings (system prompt, model, temperature), from its detail. */
  const [settings, setSettings] = createSignal<SessionSettings>({});
  let connection: Connection | undefined;
  let openToken = 0;
  /** True while a regenerate or edit streams: its end reloads the branch, whose alternatives (‹ 1/2 ›) changed. */
  let branchTurn = false;

  /**
   * A message sent while its session was still opening (messages loading, no connection yet), or while the session
   * just opened was still writing an earlier answer: sent as soon as the session can take it, never dropped.
   */
  const [queued, setQueued] = createSignal<{ text: string; fileIds: number[] } | undefined>(undefined);

  /** True from sending until the answer ends: sent but not acknowledged yet, or being written. */
  const running = () => state.streamingId !== undefined || state.awaitingReply;
  /** Running, or a message waiting to be sent: the composer is busy either way. */
  const answering = () => running() || queued() !== undefined;
  const idle = () => connection !== undefined && !answering();

  function closeSession(): void {
    openToken += 1;
    connection?.close();
    connection = undefined;
    setLive(undefined);
    setQueued(undefined);
    store.conversationClosed();
  }

  /** Loads the latest page of a session and connects to it; an answer in progress resumes from its start. */
  async function openSession(id: number): Promise<boolean> {
    if (state.currentId === id && connection) return true;
    closeSession();
    const mine = ++openToken;
    store.conversationOpening(id);
    try {
      const detail = await (takePrefetched(id) ?? api.sessions.get(id, { limit: MESSAGES_PAGE }));
      if (mine !== openToken) return false;
      showDetail(detail);
      if (detail.messages.some((m) => m.model === 'offline')) deps.onOfflineModel();
    } catch (err) {
      if (mine === openToken) {
        setQueued(undefined);
        store.conversationOpenFailed();
        fail(err);
      }
      return false;
    }
    const conn = connect({
      api,
      sessionId: id,
      onEvent: (ev) => {
        if (ev.type === 'done' && ev.assistantMessage.model === 'offline') deps.onOfflineModel();
        if (ev.type === 'message') deps.onTitled(id);
        if (ev.type === 'error' && !running()) setNotice(humanError(ev));
        else store.applyEvent(ev);
        if ((ev.type === 'done' || ev.type === 'error') && branchTurn) {
          branchTurn = false;
          void reloadBranch(id);
        }
        sendQueued();
      },
      resumePoint: () =>
        state.streamingId === undefined ? undefined : { messageId: state.streamingId, after: state.lastSeq },
      onReconnected: (resume) => void catchUp(id, resume),
      // A REST call reports a 401 (expired or revoked token) properly, and its handler returns to /login.
      onOpenFailed: () => void api.auth.me().catch(() => {}),
      onError: fail,
    });
    connection = conn;
    setLive(conn);
    sendQueued();
    return true;
  }

  /**
   * After a reconnect. An answer we were following was resumed already; if it ended while we were away the server
   * may have nothing to replay, so the stored message is taken. A message sent just before the drop may never have
   * been acknowledged: the conversation is reloaded, and its answer (if still being written) resumed from the start.
   */
  async function catchUp(id: number, resume: (after: number) => void): Promise<void> {
    const streamingId = state.streamingId;
    const unacknowledged = state.awaitingReply;
    if (streamingId === undefined && !unacknowledged) return;
    try {
      const detail = await api.sessions.get(id, { limit: MESSAGES_PAGE });
      if (state.currentId !== id) return;
      if (unacknowledged && state.awaitingReply) {
        store.showSession(detail);
        if (state.streamingId !== undefined) resume(0);
        return;
      }
      const m = detail.messages.find((x) => x.id === streamingId);
      if (m && m.status !== 'streaming' && state.streamingId === streamingId) {
        store.applyEvent({ type: 'done', messageId: m.id, status: m.status, assistantMessage: m });
        sendQueued();
      }
    } catch {
      // the live stream will tell
    }
  }

  async function loadOlder(): Promise<void> {
    const id = state.currentId;
    const first = state.messages.find((m) => m.id > 0);
    if (id === undefined || !first || !state.hasMore || state.loadingOlder) return;
    store.olderLoading(true);
    try {
      const detail = await api.sessions.get(id, { limit: MESSAGES_PAGE, before: first.id });
      if (state.currentId === id) store.prependOlder(detail.messages, detail.hasMore);
    } catch (err) {
      store.olderLoading(false);
      fail(err);
    }
  }

  /** Sends `content` (with the files of this message, if any). */
  function send(content: string, fileIds: number[] = []): boolean {
    const text = content.trim();
    if (!text || answering()) return false;
    if (!connection) {
      // The session is open in the URL but still loading (a new chat just navigated here): the message waits for it.
      if (state.currentId === undefined || !state.loadingSession) return false;
      setQueued({ text, fileIds });
      return true;
    }
    dispatch(connection, text, fileIds);
    return true;
  }

  function dispatch(conn: Connection, text: string, fileIds: number[]): void {
    setNotice(undefined);
    store.addPendingUserMessage(text);
    conn.send(text, fileIds);
  }

  /** Sends the waiting message once the session is connected and no answer is being written. */
  function sendQueued(): void {
    const waiting = queued();
    const conn = connection;
    if (waiting === undefined || !conn || running()) return;
    batch(() => {
      setQueued(undefined);
      dispatch(conn, waiting.text, waiting.fileIds);
    });
  }

  function stop(): void {
    // A message still waiting is dropped: Stop means nothing more is asked.
    setQueued(undefined);
    if (running()) connection?.stop();
  }

  /**
   * Asks again. A stored answer is regenerated (it stays an alternative); an answer refused before it was stored
   * (no server id) has nothing to regenerate, so its question is sent once more.
   */
  function retry(answerId: number): void {
    if (answerId > 0 && regenerate(answerId)) return;
    const i = state.messages.findIndex((m) => m.id === answerId);
    const question = [...state.messages.slice(0, i)].reverse().find((m) => m.role === 'user');
    if (question) send(question.content);
  }

  /** A new answer in place of `answerId`, streamed; the old one stays reachable with ‹ ›. */
  function regenerate(answerId: number): boolean {
    const i = state.messages.findIndex((m) => m.id === answerId);
    if (!idle() || i < 0 || answerId <= 0) return false;
    setNotice(undefined);
    store.branchReplaced(i);
    branchTurn = true;
    connection?.regenerate(answerId);
    return true;
  }

  /** Sends a new version of user message `messageId`: it and what followed become the other branch. */
  function edit(messageId: number, content: string): boolean {
    const text = content.trim();
    const i = state.messages.findIndex((m) => m.id === messageId);
    if (!text || !idle() || i < 0 || messageId <= 0) return false;
    setNotice(undefined);
    store.branchReplaced(i, text);
    branchTurn = true;
    connection?.edit(messageId, text);
    return true;
  }

  /** Shows the alternative `messageId` (and the branch that continues from it). */
  async function selectSibling(messageId: number): Promise<void> {
    const id = state.currentId;
    if (id === undefined || !idle()) return;
    try {
      const detail = await api.sessions.selectBranch(id, messageId);
      if (state.currentId === id && idle()) showDetail(detail);
    } catch (err) {
      fail(err);
    }
  }

  async function reloadBranch(id: number): Promise<void> {
    try {
      const detail = await api.sessions.get(id, { limit: MESSAGES_PAGE });
      if (state.currentId === id && !answering()) showDetail(detail);
    } catch {
      // the messages shown are right; only the ‹ › counts may lag until the next load
    }
  }

  function showDetail(detail: SessionDetail): void {
    store.showSession(detail);
    setSettings({ systemPrompt: detail.systemPrompt, model: detail.model, temperature: detail.temperature });
  }

  /** Saves the open session's settings; throws so the settings panel can show the error beside its fields. */
  async function saveSettings(body: UpdateSessionRequest): Promise<void> {
    const id = state.currentId;
    if (id === undefined) return;
    const s = await api.sessions.update(id, body);
    if (state.currentId === id)
      setSettings({ systemPrompt: s.systemPrompt, model: s.model, temperature: s.temperature });
  }

  return {
    answering,
    connState,
    openSession,
    closeSession,
    loadOlder,
    send,
    stop,
    retry,
    regenerate,
    edit,
    selectSibling,
    settings,
    saveSettings,
  };
}
