// The sidebar's actions against a fake API passed in (no module mocks): paging without repeats, create/rename/pin/
// delete reflected in the list, the open session closed when deleted, failures reported and the list left as it was.
import type { SessionListItem } from '@chatbot/shared';
import { describe, expect, it } from 'vitest';
import type { Api } from '../lib/api';
import { inRoot } from '../test-root';
import { createChatState } from './chat.store';
import { createSessionsActions, SESSIONS_PAGE } from './sessions.actions';

const at = '2026-01-01T00:00:00.000Z';
const row = (id: number, extra: Partial<SessionListItem> = {}): SessionListItem => ({
  id,
  title: `Chat ${id}`,
  createdAt: at,
  updatedAt: at,
  messageCount: 1,
  pinned: false,
  ...extra,
});

/** The server's list, newest first, and what each call was asked. */
function fakeApi(rows: SessionListItem[]) {
  const calls: string[] = [];
  let nextId = 100;
  let failNext: Error | undefined;
  const maybeFail = () => {
    const err = failNext;
    failNext = undefined;
    if (err) throw err;
  };
  const sessions = {
    list: async (q: { limit?: number; offset?: number }) => {
      calls.push(`list ${q.offset}`);
      maybeFail();
      const from = q.offset ?? 0;
      return { sessions: rows.slice(from, from + (q.limit ?? SESSIONS_PAGE)), total: rows.length };
    },
    create: async () => {
      calls.push('create');
      maybeFail();
      const s = row(nextId++, { messageCount: 0 });
      rows.unshift(s);
      return s;
    },
    rename: async (id: number, title: string) => {
      calls.push(`rename ${id}`);
      maybeFail();
      return { ...row(id), title };
    },
    update: async (id: number, body: { pinned?: boolean }) => {
      calls.push(`update ${id}`);
      maybeFail();
      return { ...row(id), pinned: body.pinned };
    },
    delete: async (id: number) => {
      calls.push(`delete ${id}`);
      maybeFail();
      return { message: 'deleted' };
    },
    get: async (id: number) => ({ ...row(id), title: 'Named by the server', messages: [], hasMore: false }),
  };
  // Only the methods the sidebar calls exist: a typed stand-in for the SDK client.
  const api = { sessions } as unknown as Api;
  return { api, calls, failWith: (err: Error) => (failNext = err) };
}

function setup(rows: SessionListItem[]) {
  const fake = fakeApi(rows);
  const store = createChatState();
  const failures: unknown[] = [];
  let closed = 0;
  const actions = createSessionsActions({
    api: fake.api,
    store,
    fail: (err) => failures.push(err),
    onOpenDeleted: () => closed++,
  });
  return { fake, store, actions, failures, closed: () => closed };
}

describe('sessions actions', () => {
  it('loads the first page, then further pages without repeating rows moved up meanwhile', () =>
    inRoot(async () => {
      const all = Array.from({ length: SESSIONS_PAGE + 5 }, (_, i) => row(i + 1));
      const { store, actions, fake } = setup(all);
      await actions.loadSessions();
      expect(store.state.sessions).toHaveLength(SESSIONS_PAGE);
      expect(store.state.sessionsTotal).toBe(SESSIONS_PAGE + 5);
      expect(store.state.sessionsLoaded).toBe(true);
      // A row of the next page already shown (it got a message and moved to the top) is not listed twice.
      store.sessionAdded(all[SESSIONS_PAGE]!);
      await actions.loadMoreSessions();
      const ids = store.state.sessions.map((s) => s.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(SESSIONS_PAGE + 5);
      // Everything is loaded: no further request.
      await actions.loadMoreSessions();
      expect(fake.calls.filter((c) => c.startsWith('list'))).toEqual(['list 0', `list ${SESSIONS_PAGE + 1}`]);
    }));

  it('creates at the top and renames (trimmed; a blank title is not sent)', () =>
    inRoot(async () => {
      const { store, actions, fake } = setup([row(1), row(2, { pinned: true }), row(3)]);
      await actions.loadSessions();
      const id = await actions.createSession();
      expect(id).toBe(100);
      expect(store.state.sessions[0]).toMatchObject({ id: 100, messageCount: 0 });
      expect(store.state.sessionsTotal).toBe(4);

      await actions.renameSession(3, '  Trip plans  ');
      expect(store.state.sessions.find((s) => s.id === 3)?.title).toBe('Trip plans');
      await actions.renameSession(3, '   ');
      expect(fake.calls.filter((c) => c.startsWith('rename'))).toEqual(['rename 3']);
    }));

  it('pins to the top of the list, and unpins to the top of the unpinned rows', () =>
    inRoot(async () => {
      const { store, actions } = setup([row(2, { pinned: true }), row(1), row(3)]);
      await actions.loadSessions();
      await actions.pinSession(3, true);
      expect(store.state.sessions.map((s) => [s.id, s.pinned])).toEqual([
        [3, true],
        [2, true],
        [1, false],
      ]);
      await actions.pinSession(3, false);
      expect(store.state.sessions.map((s) => [s.id, s.pinned])).toEqual([
        [2, true],
        [3, false],
        [1, false],
      ]);
    }));

  it('deletes: the row goes, the total drops, and the open conversation closes only when it was that one', () =>
    inRoot(async () => {
      const { store, actions, closed } = setup([row(1), row(2)]);
      await actions.loadSessions();
      store.conversationOpening(2);
      await actions.deleteSession(1);
      expect(store.state.sessions.map((s) => s.id)).toEqual([2]);
      expect(closed()).toBe(0);
      await actions.deleteSession(2);
      expect(store.state.sessions).toEqual([]);
      expect(store.state.sessionsTotal).toBe(0);
      expect(closed()).toBe(1);
    }));

  it('reports a failure and leaves the list as it was', () =>
    inRoot(async () => {
      const { store, actions, fake, failures } = setup([row(1)]);
      await actions.loadSessions();
      const boom = new Error('server away');
      fake.failWith(boom);
      await actions.deleteSession(1);
      expect(failures).toEqual([boom]);
      expect(store.state.sessions.map((s) => s.id)).toEqual([1]);
      fake.failWith(boom);
      expect(await actions.createSession()).toBeUndefined();
      expect(store.state.sessionsTotal).toBe(1);
    }));

  it('takes the title the server gave a new conversation', () =>
    inRoot(async () => {
      const { store, actions } = setup([row(1)]);
      await actions.loadSessions();
      await actions.refreshTitle(1);
      expect(store.state.sessions[0]?.title).toBe('Named by the server');
    }));
});
