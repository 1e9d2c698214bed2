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
import type { FileInfo, FileListResponse } from '../contracts/files.js';
import type { HealthResponse } from '../contracts/health.js';
import type { ApiKeyListResponse, CreateApiKeyRequest, CreatedApiKey } from '../contracts/keys.js';
import type { ModelsResponse } from '../contracts/models.js';
import type { SearchResponse } from '../contracts/search.js';
import type { SseEvent } from '../contracts/stream.js';
import type { ImportResponse, TransferFile } from '../contracts/transfer.js';
import type { UsageResponse } from '../contracts/usage.js';
import type { StopResponse } from './route-params.js';
import { type CallOptions, type ClientOptions, createTransport } from './transport.js';
import { ChatSocket, type WebSocketConstructor } from './websocket.js';

export type { CallOptions, ClientOptions, HeldTokens } from './transport.js';

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

export interface FileListParams {
  /** Only the files attached to this conversation. */
  sessionId?: number;
  /** Only files whose name contains this text (case-insensitive). */
  q?: string;
  limit?: number;
  offset?: number;
}

export interface UploadFileOptions extends CallOptions {
  /** Attach the file to this conversation (its ready files are used for every answer there). */
  sessionId?: number;
  /** The name to store (default: the Blob's own name when it is a File, else `file`). */
  name?: string;
}

export interface SessionPageParams {
  limit?: number;
  /** Only messages older than this message id. */
  before?: number;
}

export function createClient(options: ClientOptions) {
  const { json, empty, text, events, hold, held, checkWs, socketUrl } = createTransport(options);

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

    files: {
      /**
       * Uploads a file (PDF, DOCX, Markdown, text, HTML, CSV, PNG, JPEG, WebP; judged by content): 201 with the file,
       * `processing` until its text is indexed (poll `get`), images `ready` at once.
       */
      upload: (file: Blob, opts: UploadFileOptions = {}) => {
        const form = new FormData();
        const name = opts.name ?? ((file as { name?: unknown }).name as string | undefined) ?? 'file';
        form.append('file', file, name);
        if (opts.sessionId !== undefined) form.append('sessionId', String(opts.sessionId));
        return json<FileInfo>('uploadFile', { ...(opts.signal ? { signal: opts.signal } : {}), form });
      },
      list: (query: FileListParams = {}, opts: CallOptions = {}) =>
        json<FileListResponse>('listFiles', { ...opts, query: { ...query } }),
      get: (id: number, opts: CallOptions = {}) => json<FileInfo>('getFile', { ...opts, params: { id } }),
      /** Attaches the file to conversation `sessionId`, or detaches it with null. */
      attach: (id: number, sessionId: number | null, opts: CallOptions = {}) =>
        json<FileInfo>('updateFile', { ...opts, params: { id }, body: { sessionId } }),
      /** Deletes the file and its passages. */
      delete: (id: number, opts: CallOptions = {}) => empty('deleteFile', { ...opts, params: { id } }),
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
      send: (sessionId: number, content: string, opts: CallOptions & { fileIds?: number[] } = {}) => {
        const { fileIds, ...call } = opts;
        return json<SendMessageResponse>('sendMessage', {
          ...call,
          params: { id: sessionId },
          body: { content, ...(fileIds ? { fileIds } : {}) },
        });
      },
      /** A new answer beside assistant message `messageId` (the old one stays an alternative); waits for it. */
      regenerate: (sessionId: number, messageId: number, opts: CallOptions = {}) =>
        json<BranchTurnResponse>('regenerateMessage', { ...opts, params: { id: sessionId, messageId } }),
      /** A new version of user message `messageId` and its answer; the earlier branch stays reachable. */
      edit: (sessionId: number, messageId: number, content: string, opts: CallOptions = {}) =>
        json<BranchTurnResponse>('editMessage', { ...opts, params: { id: sessionId, messageId }, body: { content } }),
    },

    chat: {
      /** Sends a message and yields message, chunk…, done (or error) as the answer is written. */
      stream: (
        sessionId: number,
        content: string,
        opts: CallOptions & { fileIds?: number[] } = {},
      ): AsyncIterable<SseEvent> => {
        const { fileIds, ...call } = opts;
        return events('streamMessage', {
          ...call,
          params: { id: sessionId },
          body: { content, ...(fileIds ? { fileIds } : {}) },
        });
      },
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
