// The chat page's state and actions: the store, the sidebar's session actions (sessions.actions.ts), the open
// conversation's actions (conversation.actions.ts), the notice above the composer and the offline-model hint.
import { createSignal, onCleanup } from 'solid-js';
import { type Api, api as defaultApi } from '../lib/api';
import { humanError } from '../lib/errors';
import { reportServer } from '../lib/server-status';
import { createChatState } from './chat.store';
import type { Connection, ConnectionOptions } from './connection.state';
import { createConversationActions } from './conversation.actions';
import { createSessionsActions } from './sessions.actions';

export interface ChatDeps {
  api?: Api;
  connect?: (opts: ConnectionOptions) => Connection;
}

export function createChat(deps: ChatDeps = {}) {
  const api = deps.api ?? defaultApi;
  const store = createChatState();
  const [notice, setNotice] = createSignal<string | undefined>(undefined);
  const [offlineModel, setOfflineModel] = createSignal(false);
  const fail = (err: unknown) => setNotice(humanError(err));

  const conversation = createConversationActions({
    api,
    store,
    fail,
    setNotice,
    onOfflineModel: () => setOfflineModel(true),
    onTitled: (id) => void sessions.refreshTitle(id),
    ...(deps.connect ? { connect: deps.connect } : {}),
  });
  const sessions = createSessionsActions({ api, store, fail, onOpenDeleted: conversation.closeSession });

  async function checkHealth(): Promise<void> {
    try {
      const h = await api.health();
      reportServer('ok');
      if (h.provider === 'offline') setOfflineModel(true);
    } catch (err) {
      // health is a hint only, and the one check that tells the banner the server is gone
      reportServer(err);
    }
  }

  onCleanup(conversation.closeSession);

  return {
    state: store.state,
    notice,
    setNotice,
    offlineModel,
    checkHealth,
    ...sessions,
    ...conversation,
  };
}
