// The one SDK client of the app: it reads the token from localStorage, and any 401 clears it and returns to /login.
import { createClient } from '@chatbot/shared';
import { createSignal } from 'solid-js';

const TOKEN_KEY = 'chatbot.token';

function readToken(): string | undefined {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

const [token, setTokenSignal] = createSignal<string | undefined>(readToken());

/** The access token (reactive): undefined when logged out. */
export { token };

export function setToken(next: string | undefined): void {
  setTokenSignal(next);
  try {
    if (next) localStorage.setItem(TOKEN_KEY, next);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage blocked: the token lives for this page only
  }
}

/** Called on any 401; the router registers the navigation (kept out of here so this module needs no router). */
let unauthorizedHandler: () => void = () => {
  if (location.pathname !== '/login') location.assign('/login');
};
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

export const api = createClient({
  baseUrl: '',
  token: () => token(),
  onUnauthorized: () => {
    setToken(undefined);
    unauthorizedHandler();
  },
  // Responses are checked by the SDK's tests and the API's; the browser skips the work.
  validate: false,
});

export type Api = typeof api;
