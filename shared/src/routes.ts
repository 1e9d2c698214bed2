// The one route table of the Chatbot API: every route's method, path, auth, inputs, success and error statuses.
// The SDK builds its URLs from it and the API's OpenAPI document is generated from it. It names schemas
// (keys of sdk/schemas.ts) instead of importing them, so importing the table pulls no zod into a browser bundle.
import type { ContractSchemas } from './sdk/schemas.js';

export type SchemaName = keyof ContractSchemas;
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  method: HttpMethod;
  /** OpenAPI style: `{id}` for a path parameter (Hono writes `:id`). */
  path: string;
  summary: string;
  tag: 'health' | 'auth' | 'chat' | 'stream' | 'docs' | 'keys' | 'usage' | 'admin' | 'files';
  /** `bearer`: `Authorization: Bearer <token>`; `query-token`: `?token=` (the WebSocket handshake). */
  auth: 'none' | 'bearer' | 'query-token';
  /**
   * Who may call a bearer route beyond "signed in": `login` refuses API keys (they cannot manage keys, passwords,
   * devices or the account: 403 FORBIDDEN); `admin` needs the admin role (403 FORBIDDEN).
   */
  access?: 'login' | 'admin';
  params?: SchemaName;
  query?: SchemaName;
  body?: SchemaName;
  /** The body may be left out altogether (no Content-Type, no bytes): the handler then gets `{}`. */
  bodyOptional?: boolean;
  /** Request headers the route reads (an object schema keyed by lowercase header names, e.g. `last-event-id`). */
  headers?: SchemaName;
  success: {
    status: number;
    description: string;
    /** JSON body schema, or for `text/event-stream` the schema of each parsed event. */
    schema?: SchemaName;
    contentType?: 'application/json' | 'text/event-stream' | 'text/html' | 'text/plain' | 'text/markdown';
    /** A route whose main answer is not JSON but that answers JSON on request (export with format=json). */
    alsoJson?: SchemaName;
  };
  /** Every status this route answers with the error body (500 is added to every route by the generator). */
  errors: readonly number[];
}

const AUTHED = [401] as const;
const OWNED_SESSION = [400, 401, 403, 404] as const;

export const routes = {
  health: {
    method: 'GET',
    path: '/api/health',
    summary: 'Liveness and the model provider in use',
    tag: 'health',
    auth: 'none',
    success: { status: 200, description: 'The process runs', schema: 'healthResponseSchema' },
    errors: [],
  },
  ready: {
    method: 'GET',
    path: '/api/ready',
    summary: 'Readiness: the database answers',
    tag: 'health',
    auth: 'none',
    success: { status: 200, description: 'Ready to serve', schema: 'readyResponseSchema' },
    errors: [503],
  },
  openapi: {
    method: 'GET',
    path: '/api/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    tag: 'docs',
    auth: 'none',
    success: { status: 200, description: 'The OpenAPI document' },
    errors: [],
  },
  docs: {
    method: 'GET',
    path: '/api/docs',
    summary: 'Interactive API documentation (HTML)',
    tag: 'docs',
    auth: 'none',
    success: { status: 200, description: 'The documentation page', contentType: 'text/html' },
    errors: [],
  },
  docsAsset: {
    method: 'GET',
    path: '/api/docs/{file}',
    summary: 'A static file of the documentation page',
    tag: 'docs',
    auth: 'none',
    params: 'fileParamSchema',
    success: { status: 200, description: 'The file', contentType: 'text/plain' },
    errors: [404],
  },
  register: {
    method: 'POST',
    path: '/api/auth/register',
    summary: 'Create an account',
    tag: 'auth',
    auth: 'none',
    body: 'registerRequestSchema',
    success: { status: 201, description: 'The new user', schema: 'userSchema' },
    errors: [400, 403, 409, 413, 429],
  },
  login: {
    method: 'POST',
    path: '/api/auth/login',
    summary: 'Log in with a username or email; returns a bearer token',
    tag: 'auth',
    auth: 'none',
    body: 'loginRequestSchema',
    success: { status: 200, description: 'The access token', schema: 'loginResponseSchema' },
    errors: [400, 401, 403, 413, 429],
  },
  logout: {
    method: 'POST',
    path: '/api/auth/logout',
    summary: 'Log out: ends this login (its refresh and access tokens) and clears the refresh cookie',
    tag: 'auth',
    auth: 'bearer',
    success: { status: 200, description: 'Logged out', schema: 'messageResponseSchema' },
    errors: AUTHED,
  },
  me: {
    method: 'GET',
    path: '/api/auth/me',
    summary: 'The logged-in user',
    tag: 'auth',
    auth: 'bearer',
    success: { status: 200, description: 'The user', schema: 'userSchema' },
    errors: AUTHED,
  },
  refresh: {
    method: 'POST',
    path: '/api/auth/refresh',
    summary:
      'A new access token for the `chatbot_refresh` cookie (or a body `{refreshToken}`); the refresh token rotates: each works once, and a spent one presented again ends its whole login (theft)',
    tag: 'auth',
    auth: 'none',
    body: 'refreshRequestSchema',
    bodyOptional: true,
    success: {
      status: 200,
      description: 'The access token; a new cookie (and `refreshToken` when it came in the body)',
      schema: 'refreshResponseSchema',
    },
    errors: [400, 401, 413, 429],
  },
  authSessions: {
    method: 'GET',
    path: '/api/auth/sessions',
    summary: "The user's logins (devices): user agent, IP, when created and last used, which one is this",
    tag: 'auth',
    auth: 'bearer',
    access: 'login',
    success: { status: 200, description: 'One entry per open login', schema: 'authSessionListResponseSchema' },
    errors: [401, 403],
  },
  revokeAuthSession: {
    method: 'DELETE',
    path: '/api/auth/sessions/{id}',
    summary: 'Log one device out (its refresh and access tokens stop working at once)',
    tag: 'auth',
    auth: 'bearer',
    access: 'login',
    params: 'authSessionParamSchema',
    success: { status: 204, description: 'That device is logged out' },
    errors: [400, 401, 403, 404],
  },
  logoutAll: {
    method: 'POST',
    path: '/api/auth/logout-all',
    summary: 'Log out everywhere: every device, this one included (API keys stay)',
    tag: 'auth',
    auth: 'bearer',
    access: 'login',
    success: { status: 204, description: 'Every login ended' },
    errors: [401, 403],
  },
  changePassword: {
    method: 'POST',
    path: '/api/auth/password',
    summary: 'Change the password (the current one is checked); every other device is logged out',
    tag: 'auth',
    auth: 'bearer',
    access: 'login',
    body: 'changePasswordRequestSchema',
    success: { status: 200, description: 'Changed', schema: 'messageResponseSchema' },
    errors: [400, 401, 403, 413, 429],
  },
  forgotPassword: {
    method: 'POST',
    path: '/api/auth/password/forgot',
    summary:
      'Mail a password-reset link (valid 30 minutes, single use) when the address has an account; the same answer either way',
    tag: 'auth',
    auth: 'none',
    body: 'forgotPasswordRequestSchema',
    success: {
      status: 202,
      description: 'Accepted (whether or not the address exists)',
      schema: 'messageResponseSchema',
    },
    errors: [400, 413, 429],
  },
  resetPassword: {
    method: 'POST',
    path: '/api/auth/password/reset',
    summary: "Set a new password with a reset link's token; every device is logged out",
    tag: 'auth',
    auth: 'none',
    body: 'resetPasswordRequestSchema',
    success: { status: 200, description: 'The password is set', schema: 'messageResponseSchema' },
    errors: [400, 413, 429],
  },
  deleteAccount: {
    method: 'DELETE',
    path: '/api/auth/me',
    summary:
      'Delete the account and all its data; confirm with `{password}`, or `{confirm: "<username>"}` for an account without a password',
    tag: 'auth',
    auth: 'bearer',
    access: 'login',
    body: 'deleteAccountRequestSchema',
    success: { status: 204, description: 'The account and its data are gone' },
    errors: [400, 401, 403, 409, 413],
  },
  oidcConfig: {
    method: 'GET',
    path: '/api/auth/oidc/config',
    summary: 'What the login page offers: single sign-on (and its button label), and whether passwords are on',
    tag: 'auth',
    auth: 'none',
    success: { status: 200, description: 'The sign-in options', schema: 'oidcConfigResponseSchema' },
    errors: [],
  },
  oidcLogin: {
    method: 'GET',
    path: '/api/auth/oidc/login',
    summary: 'Start single sign-on: 302 to the identity provider (authorization code flow, PKCE S256, state, nonce)',
    tag: 'auth',
    auth: 'none',
    success: { status: 302, description: 'Redirect to the identity provider' },
    errors: [404, 429, 503],
  },
  oidcCallback: {
    method: 'GET',
    path: '/api/auth/oidc/callback',
    summary:
      'Where the identity provider sends the browser back: sets the refresh cookie and 302 to `/`; a refusal (unverified email, domain not allowed, disabled account, an expired or replayed sign-in) is an HTML page that says so (400, 403)',
    tag: 'auth',
    auth: 'none',
    success: { status: 302, description: 'Signed in: redirect to the app (the refresh cookie is set)' },
    errors: [404, 429],
  },
  createApiKey: {
    method: 'POST',
    path: '/api/keys',
    summary: 'Create an API key (`cbk_…`, shown only in this answer), optionally expiring',
    tag: 'keys',
    auth: 'bearer',
    access: 'login',
    body: 'createApiKeyRequestSchema',
    success: { status: 201, description: 'The key, with `key` shown this once', schema: 'createdApiKeySchema' },
    errors: [400, 401, 403, 409, 413],
  },
  listApiKeys: {
    method: 'GET',
    path: '/api/keys',
    summary: "The user's API keys (never the key itself: its prefix, expiry and last use)",
    tag: 'keys',
    auth: 'bearer',
    access: 'login',
    success: { status: 200, description: 'The keys not revoked, newest first', schema: 'apiKeyListResponseSchema' },
    errors: [401, 403],
  },
  revokeApiKey: {
    method: 'DELETE',
    path: '/api/keys/{id}',
    summary: 'Revoke an API key: it answers 401 from now on, on every process',
    tag: 'keys',
    auth: 'bearer',
    access: 'login',
    params: 'idParamSchema',
    success: { status: 204, description: 'Revoked' },
    errors: [400, 401, 403, 404],
  },
  listSessions: {
    method: 'GET',
    path: '/api/chat/sessions',
    summary: "The user's sessions, paged and sorted",
    tag: 'chat',
    auth: 'bearer',
    query: 'sessionListQuerySchema',
    success: { status: 200, description: 'A page of sessions', schema: 'sessionListResponseSchema' },
    errors: [400, 401],
  },
  createSession: {
    method: 'POST',
    path: '/api/chat/sessions',
    summary: 'Start a session',
    tag: 'chat',
    auth: 'bearer',
    body: 'createSessionRequestSchema',
    success: { status: 201, description: 'The new session', schema: 'sessionSchema' },
    errors: [400, 401, 413],
  },
  getSession: {
    method: 'GET',
    path: '/api/chat/sessions/{id}',
    summary: 'A session with its messages (latest first page, oldest first in the array; page back with `before`)',
    tag: 'chat',
    auth: 'bearer',
    params: 'idParamSchema',
    query: 'sessionDetailQuerySchema',
    success: { status: 200, description: 'The session and a page of its messages', schema: 'sessionDetailSchema' },
    errors: OWNED_SESSION,
  },
  updateSession: {
    method: 'PATCH',
    path: '/api/chat/sessions/{id}',
    summary: 'Rename a session, change its settings (system prompt, model, temperature; null clears) or pin it',
    tag: 'chat',
    auth: 'bearer',
    params: 'idParamSchema',
    body: 'updateSessionRequestSchema',
    success: { status: 200, description: 'The updated session', schema: 'sessionSchema' },
    errors: [...OWNED_SESSION, 413],
  },
  deleteSession: {
    method: 'DELETE',
    path: '/api/chat/sessions/{id}',
    summary: 'Delete a session and its messages',
    tag: 'chat',
    auth: 'bearer',
    params: 'idParamSchema',
    success: { status: 200, description: 'Deleted', schema: 'messageResponseSchema' },
    errors: OWNED_SESSION,
  },
  sendMessage: {
    method: 'POST',
    path: '/api/chat/sessions/{id}/messages',
    summary: 'Send a message and wait for the whole answer',
    tag: 'chat',
    auth: 'bearer',
    params: 'idParamSchema',
    body: 'sendMessageRequestSchema',
    success: { status: 201, description: 'The stored user message and answer', schema: 'sendMessageResponseSchema' },
    errors: [...OWNED_SESSION, 409, 413, 429, 502],
  },
  regenerateMessage: {
    method: 'POST',
    path: '/api/chat/sessions/{id}/messages/{messageId}/regenerate',
    summary: 'A new answer beside assistant message {messageId} (the old one stays an alternative); waits for it',
    tag: 'chat',
    auth: 'bearer',
    params: 'messageParamSchema',
    success: {
      status: 201,
      description: 'The new answer, now on the current branch',
      schema: 'branchTurnResponseSchema',
    },
    errors: [...OWNED_SESSION, 409, 429, 502],
  },
  editMessage: {
    method: 'POST',
    path: '/api/chat/sessions/{id}/messages/{messageId}/edit',
    summary: 'A new version of user message {messageId} and its answer (the earlier branch stays reachable)',
    tag: 'chat',
    auth: 'bearer',
    params: 'messageParamSchema',
    body: 'editMessageRequestSchema',
    success: {
      status: 201,
      description: 'The new user message and its answer, now the current branch',
      schema: 'branchTurnResponseSchema',
    },
    errors: [...OWNED_SESSION, 409, 413, 429, 502],
  },
  selectBranch: {
    method: 'POST',
    path: '/api/chat/sessions/{id}/messages/{messageId}/select',
    summary: 'Show (and continue) the branch through {messageId}, to its latest end',
    tag: 'chat',
    auth: 'bearer',
    params: 'messageParamSchema',
    success: { status: 200, description: 'The session along its new current branch', schema: 'sessionDetailSchema' },
    errors: [...OWNED_SESSION, 409],
  },
  streamMessage: {
    method: 'POST',
    path: '/api/chat/sessions/{id}/messages/stream',
    summary: 'Send a message and stream the answer (SSE: message, chunk…, done | error)',
    tag: 'stream',
    auth: 'bearer',
    params: 'idParamSchema',
    body: 'sendMessageRequestSchema',
    success: {
      status: 200,
      description: 'Server-sent events; each `id:` line is the chunk sequence number',
      schema: 'sseEventSchema',
      contentType: 'text/event-stream',
    },
    errors: [...OWNED_SESSION, 409, 413, 429],
  },
  regenerateMessageStream: {
    method: 'POST',
    path: '/api/chat/sessions/{id}/messages/{messageId}/regenerate/stream',
    summary: 'Regenerate, streamed (SSE: message, chunk…, done | error)',
    tag: 'stream',
    auth: 'bearer',
    params: 'messageParamSchema',
    success: {
      status: 200,
      description: 'Server-sent events; `message` carries the user message being answered',
      schema: 'sseEventSchema',
      contentType: 'text/event-stream',
    },
    errors: [...OWNED_SESSION, 409, 429],
  },
  editMessageStream: {
    method: 'POST',
    path: '/api/chat/sessions/{id}/messages/{messageId}/edit/stream',
    summary: 'Edit a user message, streamed (SSE: message with the new version, chunk…, done | error)',
    tag: 'stream',
    auth: 'bearer',
    params: 'messageParamSchema',
    body: 'editMessageRequestSchema',
    success: {
      status: 200,
      description: 'Server-sent events; `message` carries the new user message',
      schema: 'sseEventSchema',
      contentType: 'text/event-stream',
    },
    errors: [...OWNED_SESSION, 409, 413, 429],
  },
  resumeStream: {
    method: 'GET',
    path: '/api/chat/sessions/{id}/stream',
    summary: 'Follow the answer in progress from after chunk N (Last-Event-ID or ?after=N)',
    tag: 'stream',
    auth: 'bearer',
    params: 'idParamSchema',
    query: 'resumeQuerySchema',
    headers: 'resumeHeadersSchema',
    success: {
      status: 200,
      description: 'Server-sent events after chunk N; with no answer in progress, the latest answer as one `done`',
      schema: 'sseEventSchema',
      contentType: 'text/event-stream',
    },
    errors: OWNED_SESSION,
  },
  stopGeneration: {
    method: 'POST',
    path: '/api/chat/sessions/{id}/stop',
    summary: 'Stop the answer in progress (its text so far is stored as stopped)',
    tag: 'stream',
    auth: 'bearer',
    params: 'idParamSchema',
    success: { status: 200, description: 'The answer as stored after the stop', schema: 'stopResponseSchema' },
    errors: OWNED_SESSION,
  },
  chatSocket: {
    method: 'GET',
    path: '/api/chat/ws/{sessionId}',
    summary:
      'WebSocket upgrade. Client sends wsClientMessage (message | regenerate | edit | stop | resume), server sends wsServerMessage (message | chunk | done | error)',
    tag: 'stream',
    auth: 'query-token',
    params: 'sessionIdParamSchema',
    query: 'wsQuerySchema',
    success: {
      status: 101,
      description:
        'Switching protocols; messages are JSON text frames. The credential is checked on every frame. Close codes: ' +
        '1008 the credential ended (logout or revocation on any server, expiry, account disabled; an `error` frame ' +
        'TOKEN_INVALID or TOKEN_EXPIRED comes first), 1013 too many sockets for this user on this server (20; ' +
        '`error` LIMIT_REACHED first), 1001 the server is shutting down. More than 20 frames at once or 10 per ' +
        'second on one socket: the excess is answered with `error` RATE_LIMITED and not handled.',
      schema: 'wsServerMessageSchema',
    },
    errors: [...OWNED_SESSION],
  },
  models: {
    method: 'GET',
    path: '/api/models',
    summary: 'The models this server offers (the default first)',
    tag: 'chat',
    auth: 'bearer',
    success: { status: 200, description: 'The models', schema: 'modelsResponseSchema' },
    errors: AUTHED,
  },
  search: {
    method: 'GET',
    path: '/api/chat/search',
    summary: "Full-text search over the user's session titles and messages (web-search syntax)",
    tag: 'chat',
    auth: 'bearer',
    query: 'searchQuerySchema',
    success: { status: 200, description: 'Ranked results with plain-text snippets', schema: 'searchResponseSchema' },
    errors: [400, 401],
  },
  exportSession: {
    method: 'GET',
    path: '/api/chat/sessions/{id}/export',
    summary: 'Download one session as Markdown or as the JSON transfer file',
    tag: 'chat',
    auth: 'bearer',
    params: 'idParamSchema',
    query: 'exportQuerySchema',
    success: {
      status: 200,
      description: 'An attachment: a Markdown transcript, or with format=json the transfer file (application/json)',
      contentType: 'text/markdown',
      alsoJson: 'transferFileSchema',
    },
    errors: OWNED_SESSION,
  },
  exportAll: {
    method: 'GET',
    path: '/api/export',
    summary: "All of the user's sessions as one JSON transfer file",
    tag: 'chat',
    auth: 'bearer',
    success: { status: 200, description: 'The transfer file (an attachment)', schema: 'transferFileSchema' },
    errors: AUTHED,
  },
  importData: {
    method: 'POST',
    path: '/api/import',
    summary: 'Import a transfer file: a new session per imported one, all or nothing',
    tag: 'chat',
    auth: 'bearer',
    body: 'transferFileSchema',
    success: { status: 201, description: 'The new sessions', schema: 'importResponseSchema' },
    errors: [400, 401, 413],
  },
  // --- Operations: usage, quotas, the admin console (CONTRACT.md "Operations") ---
  myUsage: {
    method: 'GET',
    path: '/api/me/usage',
    summary:
      'Your model calls per UTC day or per model (default: the last 30 days by day), their cost (MODEL_PRICES), and the quotas in force',
    tag: 'usage',
    auth: 'bearer',
    query: 'usageQuerySchema',
    success: {
      status: 200,
      description: 'Usage rows, totals, limits and what counts against them now',
      schema: 'usageResponseSchema',
    },
    errors: [400, 401],
  },
  adminOverview: {
    method: 'GET',
    path: '/api/admin/overview',
    summary: 'Health at a glance: active users, answers by day and model, error rate, latency percentiles, pool use',
    tag: 'admin',
    auth: 'bearer',
    access: 'admin',
    query: 'adminOverviewQuerySchema',
    success: { status: 200, description: 'The overview of the last `days` UTC days', schema: 'adminOverviewSchema' },
    errors: [400, 401, 403],
  },
  adminListUsers: {
    method: 'GET',
    path: '/api/admin/users',
    summary: 'Users, oldest first; `q` matches username or email',
    tag: 'admin',
    auth: 'bearer',
    access: 'admin',
    query: 'adminUserListQuerySchema',
    success: {
      status: 200,
      description: 'A page of users with usage and quota overrides',
      schema: 'adminUserListSchema',
    },
    errors: [400, 401, 403],
  },
  adminGetUser: {
    method: 'GET',
    path: '/api/admin/users/{id}',
    summary: 'One user with usage and quota overrides',
    tag: 'admin',
    auth: 'bearer',
    access: 'admin',
    params: 'adminUserParamSchema',
    success: { status: 200, description: 'The user', schema: 'adminUserSchema' },
    errors: [400, 401, 403, 404],
  },
  adminUpdateUser: {
    method: 'PATCH',
    path: '/api/admin/users/{id}',
    summary:
      'Change role, active state or quota overrides (merged key by key); the last active admin cannot be demoted or disabled (409)',
    tag: 'admin',
    auth: 'bearer',
    access: 'admin',
    params: 'adminUserParamSchema',
    body: 'adminUserPatchSchema',
    success: { status: 200, description: 'The user as changed', schema: 'adminUserSchema' },
    errors: [400, 401, 403, 404, 409, 413],
  },
  adminLogoutUser: {
    method: 'POST',
    path: '/api/admin/users/{id}/logout',
    summary: 'Log a user out everywhere: every login, refresh token and open socket (API keys stay)',
    tag: 'admin',
    auth: 'bearer',
    access: 'admin',
    params: 'adminUserParamSchema',
    success: { status: 204, description: 'Logged out' },
    errors: [400, 401, 403, 404],
  },
  adminPasswordReset: {
    method: 'POST',
    path: '/api/admin/users/{id}/password-reset',
    summary: 'Issue a password-reset link for a user (single use, 30 minutes) to hand over',
    tag: 'admin',
    auth: 'bearer',
    access: 'admin',
    params: 'adminUserParamSchema',
    success: { status: 201, description: 'The reset link', schema: 'passwordResetLinkSchema' },
    errors: [400, 401, 403, 404],
  },
  adminDeleteUser: {
    method: 'DELETE',
    path: '/api/admin/users/{id}',
    summary: 'Delete a user and their chats; their usage-ledger rows stay, without the user',
    tag: 'admin',
    auth: 'bearer',
    access: 'admin',
    params: 'adminUserParamSchema',
    success: { status: 204, description: 'Deleted' },
    errors: [400, 401, 403, 404, 409],
  },
  adminCreateInvite: {
    method: 'POST',
    path: '/api/admin/invites',
    summary:
      'An invite link for REGISTRATION=invite: single use, expiring (default 72 hours), optionally for one email',
    tag: 'admin',
    auth: 'bearer',
    access: 'admin',
    body: 'inviteRequestSchema',
    success: { status: 201, description: 'The invite (its token is shown only here)', schema: 'inviteResponseSchema' },
    errors: [400, 401, 403, 413],
  },
  adminAudit: {
    method: 'GET',
    path: '/api/admin/audit',
    summary: 'The audit log, newest first; filters by text, action, actor, target and time (dates or ISO times)',
    tag: 'admin',
    auth: 'bearer',
    access: 'admin',
    query: 'auditQuerySchema',
    success: { status: 200, description: 'A page of audit entries', schema: 'auditListSchema' },
    errors: [400, 401, 403],
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof routes;

/** The URL path of a route with its `{param}`s filled in (each encoded). */
export function routePath(name: RouteName, params: Record<string, string | number> = {}): string {
  return routes[name].path.replace(/\{(\w+)\}/g, (_m, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`routePath(${name}): missing parameter "${key}"`);
    return encodeURIComponent(String(value));
  });
}
