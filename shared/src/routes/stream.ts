// Route table: Answers streamed over SSE and the WebSocket: send, regenerate, edit, resume, stop.
import { OWNED_SESSION, type RouteSpec } from './route-spec.js';

export const streamRoutes = {
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
} as const satisfies Record<string, RouteSpec>;
