// Starts loading the conversation in the URL while the chat page's code is still downloading (saves a round trip on first load).
import type { SessionDetail } from '@chatbot/shared';
import { api, token } from './api';

export const MESSAGES_PAGE = 50;

let pending: { id: number; detail: Promise<SessionDetail> } | undefined;

/** Called once at startup: a logged-in visit to /c/:id fetches that session right away. */
export function prefetchFromUrl(pathname: string): void {
  const m = /^\/c\/(\d{1,10})$/.exec(pathname);
  if (!m || !token()) return;
  const id = Number(m[1]);
  const detail = api.sessions.get(id, { limit: MESSAGES_PAGE });
  // Failures are handled by whoever takes it (or by the normal fetch if nobody does).
  detail.catch(() => {});
  pending = { id, detail };
}

/** The prefetched detail of session `id`, once; undefined when there is none. */
export function takePrefetched(id: number): Promise<SessionDetail> | undefined {
  if (pending?.id !== id) return undefined;
  const { detail } = pending;
  pending = undefined;
  return detail;
}
