// Which credential the current request (or WebSocket frame) came with, for code far below the routes that records
// it, e.g. the usage ledger's api_key_id. Carried by AsyncLocalStorage rather than threaded through every
// chat/stream signature: it is bookkeeping, not something those functions decide on.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuthUser } from './app-env.js';

interface Caller {
  apiKeyId: number | null;
}

const storage = new AsyncLocalStorage<Caller>();

/** Runs `fn` (and everything it starts, including work that outlives the response) as `user`. */
export function runAsCaller<T>(user: Pick<AuthUser, 'apiKeyId'>, fn: () => T): T {
  return storage.run({ apiKeyId: user.apiKeyId }, fn);
}

/** The API key the current work was started with; null for an access token or outside any request. */
export function callerApiKeyId(): number | null {
  return storage.getStore()?.apiKeyId ?? null;
}
