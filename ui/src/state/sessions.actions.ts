// The sidebar's actions over the SDK: the session list and its paging, create, rename, pin, delete, the list after an
// import, and a new conversation's title once the server has named it.
import type { Api } from '../lib/api';
import type { ChatStore } from './chat.store';

export const SESSIONS_PAGE = 30;

export interface SessionsDeps {
  api: Api;
  store: ChatStore;
  /** Shows a failure to the user (the notice above the composer). */
  fail: (err: unknown) => void;
  /** The open session was deleted: the conversation closes. */
  onOpenDeleted: () => void;
}

export function createSessionsActions({ api, store, fail, onOpenDeleted }: SessionsDeps) {
  const { state } = store;

  async function loadSessions(): Promise<void> {
    try {
      const res = await api.sessions.list({ limit: SESSIONS_PAGE, offset: 0 });
      store.sessionsLoaded(res.sessions, res.total);
    } catch (err) {
      fail(err);
    }
  }

  let paging = false;
  async function loadMoreSessions(): Promise<void> {
    if (paging || state.sessions.length >= state.sessionsTotal) return;
    paging = true;
    try {
      const res = await api.sessions.list({ limit: SESSIONS_PAGE, offset: state.sessions.length });
      store.sessionsAppended(res.sessions, res.total);
    } catch (err) {
      fail(err);
    } finally {
      paging = false;
    }
  }

  async function createSession(): Promise<number | undefined> {
    try {
      const s = await api.sessions.create({});
      store.sessionAdded({ ...s, messageCount: 0 });
      return s.id;
    } catch (err) {
      fail(err);
      return undefined;
    }
  }

  async function renameSession(id: number, title: string): Promise<void> {
    const trimmed = title.trim();
    if (!trimmed) return;
    try {
      const s = await api.sessions.rename(id, trimmed);
      store.sessionChanged(id, { title: s.title });
    } catch (err) {
      fail(err);
    }
  }

  async function deleteSession(id: number): Promise<void> {
    try {
      await api.sessions.delete(id);
      store.sessionRemoved(id);
      if (state.currentId === id) onOpenDeleted();
    } catch (err) {
      fail(err);
    }
  }

  async function pinSession(id: number, pinned: boolean): Promise<void> {
    try {
      const s = await api.sessions.update(id, { pinned });
      store.sessionPinned(id, Boolean(s.pinned));
    } catch (err) {
      fail(err);
    }
  }

  /** The server titles a new conversation from its first message: the sidebar shows that title. */
  async function refreshTitle(id: number): Promise<void> {
    try {
      const detail = await api.sessions.get(id, { limit: 1 });
      store.sessionChanged(id, { title: detail.title });
    } catch {
      // the old title stays
    }
  }

  /** After an import: the list is reloaded so the new sessions appear where the server ranks them. */
  async function afterImport(): Promise<void> {
    await loadSessions();
  }

  return {
    loadSessions,
    loadMoreSessions,
    createSession,
    renameSession,
    deleteSession,
    pinSession,
    refreshTitle,
    afterImport,
  };
}
