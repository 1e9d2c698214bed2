// The SDK's transport: URLs from the route table, the bearer token (refreshed ahead of expiry and once on a 401),
// JSON and text bodies, SSE event iterators, contract checks (zod loaded lazily) and the socket URL.
import type { RefreshResponse } from '../contracts/auth.js';
import type { SseEvent, WsServerMessage } from '../contracts/stream.js';
import { type RouteName, routePath, routes, type SchemaName } from '../routes.js';
import { ApiError, apiErrorFromResponse, isAbortError, networkError } from './errors.js';
import type { ContractSchemas } from './schemas.js';
import { parseSse } from './sse.js';
import type { WebSocketConstructor } from './websocket.js';

export interface ClientOptions {
  /** `''` (same origin) or `location.origin` in the browser; `http://localhost:8080` in Node. */
  baseUrl: string;
  /** The access token, or a function read before every call (so a login/logout elsewhere is seen at once). */
  token?: string | (() => string | undefined);
  fetch?: typeof fetch;
  /** Defaults to globalThis.WebSocket; Node 20 has none, so pass the `ws` package's. */
  WebSocket?: WebSocketConstructor;
  /** Called on every 401 of a route that takes a token (before the ApiError is thrown), WebSocket upgrades included:
   * the UI forgets the token and goes to the login page. A failed login does not call it. */
  onUnauthorized?: (err: ApiError) => void;
  /** Check every response against the zod contracts (default: true outside production). The schemas load lazily. */
  validate?: boolean;
  /**
   * Gets a new access token when a call's token is refused (401): the call is then sent once more with it. Resolve
   * undefined when there is none (onUnauthorized follows). The browser app refreshes through its HttpOnly cookie here.
   */
  refreshAccessToken?: (failedToken: string | undefined) => Promise<string | undefined>;
  /**
   * A refresh token (login with `returnRefreshToken: true`): the client then refreshes on its own, shortly before the
   * access token expires and on a 401, sending it in the body and keeping the rotated one (each works once).
   */
  refreshToken?: string;
  /** Told every new pair the client holds (after a login with returnRefreshToken, or a refresh): persist them. */
  onTokens?: (tokens: HeldTokens) => void;
}

/** The credentials a self-refreshing client holds. */
export interface HeldTokens {
  accessToken: string;
  refreshToken?: string;
  /** Seconds the access token lives, from when it was issued. */
  expiresIn: number;
}

/** Refreshed this long before the access token's expiry (when the client knows it). */
const REFRESH_AHEAD_MS = 60_000;

export interface CallOptions {
  signal?: AbortSignal;
}

export interface RequestArgs extends CallOptions {
  params?: Record<string, string | number>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** A multipart body (an upload); the platform sets its Content-Type with the boundary. */
  form?: FormData;
  headers?: Record<string, string>;
}

let schemasPromise: Promise<ContractSchemas> | undefined;
/** The contract schemas, imported on first use so a client that does not validate never loads zod. */
function loadSchemas(): Promise<ContractSchemas> {
  schemasPromise ??= import('./schemas.js').then((m) => m.contractSchemas);
  return schemasPromise;
}

function defaultValidate(): boolean {
  // Vite replaces import.meta.env in the browser build; Node has process.env.
  const viteEnv = (import.meta as { env?: { PROD?: unknown } }).env;
  if (viteEnv && typeof viteEnv.PROD === 'boolean') return !viteEnv.PROD;
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.NODE_ENV !== 'production';
}

async function checkAgainst<T>(name: SchemaName, value: unknown): Promise<T> {
  const schemas = await loadSchemas();
  const result = schemas[name].safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(root)';
    throw new ApiError(
      0,
      'INTERNAL_ERROR',
      `The response does not match the API contract ${name}: ${where} ${issue?.message ?? ''}`.trim(),
    );
  }
  return value as T;
}

const SSE_EVENTS = new Set(['message', 'chunk', 'done', 'error']);

/** The calls every client method is made of; one per client, holding its tokens. */
export function createTransport(options: ClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const validate = options.validate ?? defaultValidate();
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  // A self-refreshing client (refreshToken given, or a login that asked for one) holds its own pair.
  const held: { access?: string; refresh?: string; expiresAt?: number } = { refresh: options.refreshToken };
  const currentToken = () => held.access ?? (typeof options.token === 'function' ? options.token() : options.token);

  function hold(t: { accessToken: string; refreshToken?: string; expiresIn: number }): void {
    held.access = t.accessToken;
    if (t.refreshToken) held.refresh = t.refreshToken;
    held.expiresAt = Date.now() + t.expiresIn * 1000;
    options.onTokens?.({
      accessToken: t.accessToken,
      ...(held.refresh ? { refreshToken: held.refresh } : {}),
      expiresIn: t.expiresIn,
    });
  }

  let refreshing: Promise<string | undefined> | undefined;
  /** One refresh at a time: concurrent 401s share it (a refresh token works once). */
  function refreshHeld(): Promise<string | undefined> {
    const refreshToken = held.refresh;
    if (!refreshToken) return Promise.resolve(undefined);
    refreshing ??= json<RefreshResponse>('refresh', { body: { refreshToken } })
      .then((res) => {
        hold(res);
        return res.accessToken;
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) {
          held.refresh = undefined;
          return undefined;
        }
        throw err;
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  }

  /** The refresher in use: the caller's, or the client's own once it holds a refresh token. */
  const refreshAccess = (failed: string | undefined) =>
    options.refreshAccessToken ? options.refreshAccessToken(failed) : held.refresh ? refreshHeld() : undefined;

  /** Before a call: a held access token about to expire is refreshed first (saves the 401 round trip). */
  async function freshToken(): Promise<void> {
    if (
      !options.refreshAccessToken &&
      held.refresh &&
      held.expiresAt &&
      held.expiresAt - Date.now() < REFRESH_AHEAD_MS
    ) {
      await refreshHeld().catch(() => undefined);
    }
  }

  function buildUrl(name: RouteName, args: RequestArgs): string {
    let url = baseUrl + routePath(name, args.params);
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(args.query ?? {})) if (v !== undefined) search.set(k, String(v));
    const qs = search.toString();
    if (qs) url += `?${qs}`;
    return url;
  }

  // A 401 from a route that takes a token means the token is gone; a failed login (no token involved) does not.
  function fail(err: ApiError, route: { auth: string }): never {
    if (err.status === 401 && route.auth !== 'none') options.onUnauthorized?.(err);
    throw err;
  }

  /** Sends one request; returns the Response when 2xx, throws ApiError otherwise (an abort is rethrown as is). */
  async function send(name: RouteName, args: RequestArgs, accept: string): Promise<Response> {
    const route = routes[name];
    if (route.auth === 'bearer') await freshToken();
    const attempt = async (token: string | undefined): Promise<Response> => {
      const headers: Record<string, string> = { accept, ...args.headers };
      if (args.body !== undefined) headers['content-type'] = 'application/json';
      if (token) headers.authorization = `Bearer ${token}`;
      try {
        return await doFetch(buildUrl(name, args), {
          method: route.method,
          headers,
          ...(args.body !== undefined ? { body: JSON.stringify(args.body) } : args.form ? { body: args.form } : {}),
          ...(args.signal ? { signal: args.signal } : {}),
        });
      } catch (err) {
        if (isAbortError(err) || args.signal?.aborted) throw args.signal?.reason ?? err;
        throw networkError(err);
      }
    };
    const token = route.auth === 'bearer' ? currentToken() : undefined;
    let res = await attempt(token);
    // A refused token: refresh once and try again (an expired access token is the usual cause).
    if (res.status === 401 && route.auth === 'bearer') {
      const fresh = await refreshAccess(token)?.catch(() => undefined);
      if (fresh && fresh !== token) {
        await res.body?.cancel().catch(() => {});
        res = await attempt(fresh);
      }
    }
    if (!res.ok) fail(await apiErrorFromResponse(res), route);
    return res;
  }

  /** A call answered 204 No Content. */
  async function empty(name: RouteName, args: RequestArgs = {}): Promise<void> {
    const res = await send(name, args, 'application/json');
    await res.body?.cancel().catch(() => {});
  }

  async function json<T>(name: RouteName, args: RequestArgs = {}): Promise<T> {
    const res = await send(name, args, 'application/json');
    let data: unknown;
    try {
      data = await res.json();
    } catch (err) {
      if (isAbortError(err) || args.signal?.aborted) throw args.signal?.reason ?? err;
      throw new ApiError(res.status, 'INTERNAL_ERROR', 'The server sent a response that is not JSON');
    }
    const schema = (routes[name].success as { schema?: SchemaName }).schema;
    return validate && schema ? checkAgainst<T>(schema, data) : (data as T);
  }

  async function text(name: RouteName, args: RequestArgs): Promise<string> {
    const res = await send(name, args, '*/*');
    try {
      return await res.text();
    } catch (err) {
      if (isAbortError(err) || args.signal?.aborted) throw args.signal?.reason ?? err;
      throw networkError(err);
    }
  }

  async function* events(name: RouteName, args: RequestArgs): AsyncGenerator<SseEvent> {
    const res = await send(name, args, 'text/event-stream');
    if (!res.body) throw new ApiError(res.status, 'INTERNAL_ERROR', 'The server sent no event stream');
    try {
      for await (const raw of parseSse(res.body)) {
        // Events already read into the buffer must not outlive an abort.
        if (args.signal?.aborted) throw args.signal.reason;
        if (!SSE_EVENTS.has(raw.event)) continue; // a newer server's event this client does not know
        let data: unknown;
        try {
          data = JSON.parse(raw.data);
        } catch {
          throw new ApiError(res.status, 'INTERNAL_ERROR', `The server sent an event that is not JSON (${raw.event})`);
        }
        const event = { event: raw.event, id: raw.id === '' ? 0 : Number(raw.id), data };
        yield validate ? await checkAgainst<SseEvent>('sseEventSchema', event) : (event as SseEvent);
      }
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (isAbortError(err) || args.signal?.aborted) throw args.signal?.reason ?? err;
      throw networkError(err);
    }
  }

  const checkWs = (raw: unknown): Promise<WsServerMessage> =>
    validate ? checkAgainst<WsServerMessage>('wsServerMessageSchema', raw) : Promise.resolve(raw as WsServerMessage);

  function socketUrl(sessionId: number): string {
    const origin = baseUrl || (globalThis as { location?: { origin: string } }).location?.origin;
    if (!origin) throw new Error('createClient: baseUrl is required outside the browser');
    const url = new URL(routePath('chatSocket', { sessionId }), `${origin}/`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const token = currentToken();
    if (token) url.searchParams.set('token', token);
    return url.toString();
  }

  return { json, empty, text, events, hold, held, checkWs, socketUrl };
}

export type Transport = ReturnType<typeof createTransport>;
