// Route table: Models, search, export and import.
import { AUTHED, OWNED_SESSION, type RouteSpec } from './route-spec.js';

export const dataRoutes = {
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
    // 429: TRANSFER_RATE_LIMIT_PER_MINUTE (imports and exports per user).
    errors: [...OWNED_SESSION, 429],
  },
  exportAll: {
    method: 'GET',
    path: '/api/export',
    summary: "All of the user's sessions as one JSON transfer file, streamed as it is read",
    tag: 'chat',
    auth: 'bearer',
    success: {
      status: 200,
      description:
        'The transfer file (an attachment), written session by session; a failure part way cuts the connection, ' +
        'so a partial file is never complete JSON',
      schema: 'transferFileSchema',
    },
    errors: [...AUTHED, 429],
  },
  importData: {
    method: 'POST',
    path: '/api/import',
    summary: 'Import a transfer file: a new session per imported one, all or nothing',
    tag: 'chat',
    auth: 'bearer',
    body: 'transferFileSchema',
    success: { status: 201, description: 'The new sessions', schema: 'importResponseSchema' },
    // 409 LIMIT_REACHED: the file would take the user past MAX_SESSIONS_PER_USER (nothing is imported).
    errors: [400, 401, 409, 413, 429],
  },
  // --- Operations: usage, quotas, the admin console (CONTRACT.md "Operations") ---
} as const satisfies Record<string, RouteSpec>;
