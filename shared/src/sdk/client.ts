// createClient(): the typed Chatbot API client (REST, SSE iterators, WebSocket) built on the route table and platform APIs only.

import type {
  AdminOverview,
  AdminUser,
  AdminUserList,
  AdminUserPatch,
  AuditList,
  InviteRequest,
  InviteResponse,
  PasswordResetLink,
} from '../contracts/admin.js';
import type {
  AuthSessionListResponse,
  ChangePasswordRequest,
  DeleteAccountRequest,
  ForgotPasswordRequest,
  LoginRequest,
  LoginResponse,
  OidcConfigResponse,
  RefreshRequest,
  RefreshResponse,
  RegisterRequest,
  ResetPasswordRequest,
  User,
} from '../contracts/auth.js';
import type {
  BranchTurnResponse,
  CreateSessionRequest,
  SendMessageResponse,
  Session,
  SessionDetail,
  SessionListResponse,
  SessionSort,
  UpdateSessionRequest,
} from '../contracts/chat.js';
import type { MessageResponse } from '../contracts/common.js';
import type { HealthResponse } from '../contracts/health.js';
import type { ApiKeyListResponse, CreateApiKeyRequest, CreatedApiKey } from '../contracts/keys.js';
import type { ModelsResponse } from '../contracts/models.js';
import type { SearchResponse } from '../contracts/search.js';
import type { SseEvent, WsServerMessage } from '../contracts/stream.js';
import type { ImportResponse, TransferFile } from '../contracts/transfer.js';
import type { UsageResponse } from '../contracts/usage.js';
import { type RouteName, routePath, routes, type SchemaName } from '../routes.js';
import { ApiError, apiErrorFromResponse, isAbortError, networkError } from './errors.js';
import type { StopResponse } from './route-params.js';
import type { ContractSchemas } from './schemas.js';
import { parseSse } from './sse.js';
import { ChatSocket, type WebSocketConstructor } from './websocket.js';

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

export interface SessionListParams {
  limit?: number;
  offset?: number;
  sort?: SessionSort;
}

export interface UsageParams {
  /** `YYYY-MM-DD` (UTC), inclusive; default 29 days before `to`. */
  from?: string;
  /** `YYYY-MM-DD` (UTC), inclusive; default today. */
  to?: string;
  groupBy?: 'day' | 'model';
}

export interface AdminUserListParams {
  q?: string;
  limit?: number;
  offset?: number;
}

export interface AuditParams {
  q?: string;
  action?: string;
  actorId?: number;
  targetId?: number;
  /** A date (`YYYY-MM-DD`) or an ISO time. */
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

export interface SessionPageParams {
  limit?: number;
  /** Only messages older than this message id. */
  before?: number;
}

interface RequestArgs extends CallOptions {
  params?: Record<string, string | number>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
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

export function createClient(options: ClientOptions) {
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
          ...(args.body !== undefined ? { body: JSON.stringify(args.body) } : {}),
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

  function exportSession(id: number, format?: 'markdown', opts?: CallOptions): Promise<string>;
  function exportSession(id: number, format: 'json', opts?: CallOptions): Promise<TransferFile>;
  async function exportSession(
    id: number,
    format: 'markdown' | 'json' = 'markdown',
    opts: CallOptions = {},
  ): Promise<string | TransferFile> {
    const body = await text('exportSession', { ...opts, params: { id }, query: { format } });
    return format === 'json' ? (JSON.parse(body) as TransferFile) : body;
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

  return {
    health: (opts: CallOptions = {}) => json<HealthResponse>('health', opts),
    /** The models this server offers, the default first. */
    models: (opts: CallOptions = {}) => json<ModelsResponse>('models', opts),
    /** Full-text search over the user's titles and messages; snippets are plain text with highlight ranges. */
    search: (q: string, page: { limit?: number; offset?: number } = {}, opts: CallOptions = {}) =>
      json<SearchResponse>('search', { ...opts, query: { q, ...page } }),
    /** Every session of the user as one transfer file (what `importData` takes back). */
    exportAll: (opts: CallOptions = {}) => json<TransferFile>('exportAll', opts),
    /** Imports a transfer file: one new session per imported one, all or nothing. */
    importData: (file: TransferFile, opts: CallOptions = {}) =>
      json<ImportResponse>('importData', { ...opts, body: file }),

    /** Your model calls per day or per model, their cost, and the quotas in force. */
    usage: (query: UsageParams = {}, opts: CallOptions = {}) =>
      json<UsageResponse>('myUsage', { ...opts, query: { ...query } }),

    /** The admin console's API (403 FORBIDDEN for anyone but an admin). */
    admin: {
      overview: (days?: number, opts: CallOptions = {}) =>
        json<AdminOverview>('adminOverview', { ...opts, query: { days } }),
      users: {
        list: (query: AdminUserListParams = {}, opts: CallOptions = {}) =>
          json<AdminUserList>('adminListUsers', { ...opts, query: { ...query } }),
        get: (id: number, opts: CallOptions = {}) => json<AdminUser>('adminGetUser', { ...opts, params: { id } }),
        /** Role, active state and quota overrides (merged key by key: null = the default, 0 = no limit). */
        update: (id: number, body: AdminUserPatch, opts: CallOptions = {}) =>
          json<AdminUser>('adminUpdateUser', { ...opts, params: { id }, body }),
        /** Every login, refresh token and socket of the user ends. */
        logout: (id: number, opts: CallOptions = {}) => empty('adminLogoutUser', { ...opts, params: { id } }),
        passwordReset: (id: number, opts: CallOptions = {}) =>
          json<PasswordResetLink>('adminPasswordReset', { ...opts, params: { id } }),
        delete: (id: number, opts: CallOptions = {}) => empty('adminDeleteUser', { ...opts, params: { id } }),
      },
      createInvite: (body: InviteRequest = {}, opts: CallOptions = {}) =>
        json<InviteResponse>('adminCreateInvite', { ...opts, body }),
      audit: (query: AuditParams = {}, opts: CallOptions = {}) =>
        json<AuditList>('adminAudit', { ...opts, query: { ...query } }),
    },

    auth: {
      register: (body: RegisterRequest, opts: CallOptions = {}) => json<User>('register', { ...opts, body }),
      /** With `returnRefreshToken: true` the client keeps the pair and refreshes on its own from then on. */
      login: async (body: LoginRequest, opts: CallOptions = {}) => {
        const res = await json<LoginResponse>('login', { ...opts, body });
        if (body.returnRefreshToken && res.refreshToken) hold(res);
        return res;
      },
      /** Ends this login (and clears the refresh cookie in a browser); the client forgets what it held. */
      logout: async (opts: CallOptions = {}) => {
        try {
          return await json<MessageResponse>('logout', opts);
        } finally {
          held.access = undefined;
          held.refresh = undefined;
          held.expiresAt = undefined;
        }
      },
      me: (opts: CallOptions = {}) => json<User>('me', opts),
      /**
       * A new access token: by the browser's cookie (no argument), or by a refresh token (then the answer carries the
       * next one). A self-refreshing client does this on its own.
       */
      refresh: async (body: RefreshRequest = {}, opts: CallOptions = {}) => {
        const res = await json<RefreshResponse>('refresh', { ...opts, body });
        if (body.refreshToken && res.refreshToken && held.refresh === body.refreshToken) hold(res);
        return res;
      },
      /** Single sign-on on this server (the button's label) and whether password login is on. */
      oidcConfig: (opts: CallOptions = {}) => json<OidcConfigResponse>('oidcConfig', opts),
      /** The logins (devices) of this user; `current` marks this one. */
      sessions: (opts: CallOptions = {}) => json<AuthSessionListResponse>('authSessions', opts),
      /** Logs one device out. */
      revokeSession: (id: string, opts: CallOptions = {}) => empty('revokeAuthSession', { ...opts, params: { id } }),
      /** Logs out every device, this one included (API keys stay). */
      logoutAll: (opts: CallOptions = {}) => empty('logoutAll', opts),
      /** Every other device is logged out; a wrong current password is VALIDATION_ERROR on `currentPassword`. */
      changePassword: (body: ChangePasswordRequest, opts: CallOptions = {}) =>
        json<MessageResponse>('changePassword', { ...opts, body }),
      /** Mails a reset link when the address has an account (the answer is the same either way). */
      forgotPassword: (body: ForgotPasswordRequest, opts: CallOptions = {}) =>
        json<MessageResponse>('forgotPassword', { ...opts, body }),
      /** Sets a new password with a reset link's token; every device is logged out. */
      resetPassword: (body: ResetPasswordRequest, opts: CallOptions = {}) =>
        json<MessageResponse>('resetPassword', { ...opts, body }),
      /** Deletes the account and its data: `{password}`, or `{confirm: username}` for an account without one. */
      deleteAccount: (body: DeleteAccountRequest, opts: CallOptions = {}) => empty('deleteAccount', { ...opts, body }),
    },

    keys: {
      /** A new API key; `key` is in this answer only. */
      create: (body: CreateApiKeyRequest, opts: CallOptions = {}) =>
        json<CreatedApiKey>('createApiKey', { ...opts, body }),
      list: (opts: CallOptions = {}) => json<ApiKeyListResponse>('listApiKeys', opts),
      revoke: (id: number, opts: CallOptions = {}) => empty('revokeApiKey', { ...opts, params: { id } }),
    },

    /** The credentials a self-refreshing client holds now (to persist them), if any. */
    heldTokens: (): { accessToken?: string; refreshToken?: string } => ({
      ...(held.access ? { accessToken: held.access } : {}),
      ...(held.refresh ? { refreshToken: held.refresh } : {}),
    }),

    sessions: {
      list: (query: SessionListParams = {}, opts: CallOptions = {}) =>
        json<SessionListResponse>('listSessions', { ...opts, query: { ...query } }),
      create: (body: CreateSessionRequest = {}, opts: CallOptions = {}) =>
        json<Session>('createSession', { ...opts, body }),
      get: (id: number, page: SessionPageParams = {}, opts: CallOptions = {}) =>
        json<SessionDetail>('getSession', { ...opts, params: { id }, query: { ...page } }),
      rename: (id: number, title: string, opts: CallOptions = {}) =>
        json<Session>('updateSession', { ...opts, params: { id }, body: { title } }),
      /** Title, settings (systemPrompt, model, temperature: null clears) and pinning, any of them at once. */
      update: (id: number, body: UpdateSessionRequest, opts: CallOptions = {}) =>
        json<Session>('updateSession', { ...opts, params: { id }, body }),
      /** Shows (and continues) the branch through `messageId`; returns the session along it. */
      selectBranch: (id: number, messageId: number, opts: CallOptions = {}) =>
        json<SessionDetail>('selectBranch', { ...opts, params: { id, messageId } }),
      delete: (id: number, opts: CallOptions = {}) =>
        json<MessageResponse>('deleteSession', { ...opts, params: { id } }),
      /** One session as a Markdown transcript (`markdown`, the default) or as the JSON transfer file. */
      export: exportSession,
    },

    messages: {
      /** Sends a message and waits for the whole answer (no streaming). */
      send: (sessionId: number, content: string, opts: CallOptions = {}) =>
        json<SendMessageResponse>('sendMessage', { ...opts, params: { id: sessionId }, body: { content } }),
      /** A new answer beside assistant message `messageId` (the old one stays an alternative); waits for it. */
      regenerate: (sessionId: number, messageId: number, opts: CallOptions = {}) =>
        json<BranchTurnResponse>('regenerateMessage', { ...opts, params: { id: sessionId, messageId } }),
      /** A new version of user message `messageId` and its answer; the earlier branch stays reachable. */
      edit: (sessionId: number, messageId: number, content: string, opts: CallOptions = {}) =>
        json<BranchTurnResponse>('editMessage', { ...opts, params: { id: sessionId, messageId }, body: { content } }),
    },

    chat: {
      /** Sends a message and yields message, chunk…, done (or error) as the answer is written. */
      stream: (sessionId: number, content: string, opts: CallOptions = {}): AsyncIterable<SseEvent> =>
        events('streamMessage', { ...opts, params: { id: sessionId }, body: { content } }),
      /** Regenerates assistant message `messageId`, streamed like `stream`. */
      regenerate: (sessionId: number, messageId: number, opts: CallOptions = {}): AsyncIterable<SseEvent> =>
        events('regenerateMessageStream', { ...opts, params: { id: sessionId, messageId } }),
      /** Edits user message `messageId` and streams the new answer. */
      edit: (sessionId: number, messageId: number, content: string, opts: CallOptions = {}): AsyncIterable<SseEvent> =>
        events('editMessageStream', { ...opts, params: { id: sessionId, messageId }, body: { content } }),
      /** Follows the answer in progress from after chunk `after` (no duplicate, no gap); the stored answer if none. */
      resume: (sessionId: number, opts: CallOptions & { after?: number } = {}): AsyncIterable<SseEvent> =>
        events('resumeStream', {
          ...opts,
          params: { id: sessionId },
          ...(opts.after !== undefined ? { headers: { 'last-event-id': String(opts.after) } } : {}),
        }),
      stop: (sessionId: number, opts: CallOptions = {}) =>
        json<StopResponse>('stopGeneration', { ...opts, params: { id: sessionId } }),
      /** Opens the session's WebSocket. Await `socket.opened` to learn about a refused upgrade early. */
      connect: (sessionId: number, opts: CallOptions = {}): ChatSocket => {
        const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
        if (!WebSocketImpl)
          throw new Error('createClient: no WebSocket here; pass the `ws` package as options.WebSocket');
        return new ChatSocket({
          url: socketUrl(sessionId),
          WebSocket: WebSocketImpl,
          check: checkWs,
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(options.onUnauthorized ? { onUnauthorized: options.onUnauthorized } : {}),
        });
      },
    },
  };
}

export type ChatbotClient = ReturnType<typeof createClient>;
