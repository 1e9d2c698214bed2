// /api/chat/ws/:sessionId: the WebSocket protocol (message, regenerate, edit, stop, resume), checked before the
// upgrade (Origin, token, session) and on every frame after it (frame budget, then the credential).
import { findUnstorableText, routes, type WsServerMessage, wsClientMessageSchema } from '@chatbot/shared';
import { upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import type { WSContext } from 'hono/ws';
import type { WebSocket } from 'ws';
import type { AppContext } from '../../context.js';
import type { AppEnv } from '../../http/app-env.js';
import { factory } from '../../http/app-env.js';
import { errors } from '../../http/app-error.js';
import { loggableError, toAppError } from '../../http/error-handler.js';
import { honoPath, routeInput, tableValidators } from '../../http/route-table.js';
import { createOriginCheck } from '../../http/same-origin.js';
import { type BegunAnswer, type ChatTurns, type StreamEvent, storedDone, type Unsubscribe } from './events.js';
import { type GenerationManager, noAnswerYet } from './generation.manager.js';
import { type GuardedSocket, type SocketRegistry, TokenBucket } from './socket-registry.js';

interface SocketState extends GuardedSocket {
  sessionId: number;
  /** The answer this socket follows, and how to stop following it. */
  following?: { messageId: number; unsubscribe: Unsubscribe };
  /** Frames are checked one after another, so they are handled in the order they came. */
  queue: Promise<void>;
}

function toWire(ev: StreamEvent): WsServerMessage {
  if (ev.type === 'chunk') return { type: 'chunk', content: ev.content, seq: ev.seq, messageId: ev.messageId };
  if (ev.type === 'done') {
    return { type: 'done', messageId: ev.messageId, status: ev.status, assistantMessage: ev.assistantMessage };
  }
  return { type: 'error', message: ev.message, code: ev.code };
}

export function wsRoutes(ctx: AppContext, chat: ChatTurns, generations: GenerationManager, sockets: SocketRegistry) {
  const app = new Hono<AppEnv>();
  const originAllowed = createOriginCheck(ctx.config.ALLOWED_ORIGINS, ctx.config.TRUST_PROXY);

  // Refusals happen here, as plain HTTP responses, so nobody opens a socket on a session that is not theirs.
  // Origin and the query token first (403, 401), then the table's validators (400), then the session (404, 403).
  const checkCredential = factory.createMiddleware(async (c, next) => {
    // Browsers always send Origin: the page's own host or ALLOWED_ORIGINS only (a cross-site page is refused).
    if (!originAllowed(c)) throw errors.forbidden('Origin not allowed');
    c.set('user', await ctx.tokens.authenticate(c.req.query('token')));
    await next();
  });
  const checkSession = factory.createMiddleware(async (c, next) => {
    await chat.requireOwnedSession(c.get('user').id, routeInput(c, 'chatSocket').param.sessionId);
    await next();
  });

  app.get(
    honoPath(routes.chatSocket.path),
    checkCredential,
    ...tableValidators('chatSocket'),
    checkSession,
    upgradeWebSocket((c) => {
      const { param, query } = routeInput(c, 'chatSocket');
      const user = c.get('user');
      const log = c.get('logger').child({ userId: user.id, sessionId: param.sessionId });
      let socket: WSContext<unknown> | undefined;
      const send = (msg: WsServerMessage) => {
        if (socket && socket.readyState === 1) socket.send(JSON.stringify(msg));
      };
      const { frameBurst, framesPerSecond } = sockets.limits;
      const state: SocketState = {
        user,
        token: query.token,
        sessionId: param.sessionId,
        frames: new TokenBucket(frameBurst, framesPerSecond),
        alive: true,
        ended: false,
        // Set in onOpen, before any frame or revocation can reach the socket.
        raw: undefined as unknown as WebSocket,
        send,
        queue: Promise.resolve(),
      };

      const sendError = (err: unknown) => {
        const appErr = toAppError(err);
        if (appErr.status >= 500) log.error({ err: loggableError(err), code: appErr.code }, 'websocket request failed');
        const resetAt = appErr.extra?.resetAt;
        send({
          type: 'error',
          message: appErr.message,
          code: appErr.code,
          ...(typeof resetAt === 'string' ? { resetAt } : {}),
        });
      };
      const unfollow = () => {
        state.following?.unsubscribe();
        state.following = undefined;
      };
      const onEvent = (ev: StreamEvent) => {
        if (ev.type !== 'chunk' && state.following?.messageId === ev.messageId) state.following = undefined;
        send(toWire(ev));
      };

      /** A message, an edit or a regeneration: `begin` stores the rows; `message` names the user message answered. */
      const handleMessage = async (begin: () => Promise<BegunAnswer>) => {
        // Events of the new answer wait until `message` is sent, so the client sees them in order.
        const early: StreamEvent[] = [];
        let ready = false;
        const turn = await generations.startWith(state.user.id, state.sessionId, begin, (ev) => {
          if (ready) onEvent(ev);
          else early.push(ev);
        });
        unfollow();
        state.following = { messageId: turn.assistantMessage.id, unsubscribe: turn.unsubscribe };
        const userMessage = turn.repliesTo;
        if (userMessage) send({ type: 'message', userMessage, assistantMessageId: turn.assistantMessage.id });
        ready = true;
        for (const ev of early) onEvent(ev);
      };

      const handleResume = async (after: number) => {
        unfollow();
        const followed = await generations.follow(state.sessionId, after, onEvent);
        if (followed.kind === 'live') {
          // The follow may already have ended synchronously (a replay of a finished answer).
          state.following = { messageId: followed.messageId, unsubscribe: followed.unsubscribe };
        } else if (followed.kind === 'stored') {
          send(toWire(storedDone(followed.message)));
        } else {
          throw noAnswerYet();
        }
      };

      const handleStop = async () => {
        const followed = state.following?.messageId;
        const stored = await generations.stop(state.sessionId);
        // A socket that follows the answer gets its `done` from the stream; any other gets it here.
        if (followed !== stored.id) send(toWire(storedDone(stored)));
      };

      const handleFrame = (data: unknown) => {
        let parsed: ReturnType<typeof wsClientMessageSchema.safeParse>;
        try {
          if (typeof data !== 'string') throw new Error('binary');
          parsed = wsClientMessageSchema.safeParse(JSON.parse(data));
        } catch {
          send({ type: 'error', message: 'Messages must be JSON text', code: 'VALIDATION_ERROR' });
          return;
        }
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const field = issue?.path.join('.') || 'type';
          const message = `Invalid message: ${field} ${issue?.message ?? 'is invalid'}`;
          send({ type: 'error', message, code: 'VALIDATION_ERROR' });
          return;
        }
        const bad = findUnstorableText(parsed.data);
        if (bad) {
          const field = bad.path.join('.') || 'content';
          send({ type: 'error', message: `Invalid message: ${field} ${bad.reason}`, code: 'VALIDATION_ERROR' });
          return;
        }
        const msg = parsed.data;
        // The socket's credential, for the answer's usage-ledger row (an API key's id, or null).
        const { id: userId, apiKeyId } = state.user;
        const work =
          msg.type === 'message'
            ? handleMessage(() =>
                chat.beginTurn(userId, state.sessionId, msg.content, { fileIds: msg.fileIds, apiKeyId }),
              )
            : msg.type === 'regenerate'
              ? handleMessage(() => chat.beginRegenerate(userId, state.sessionId, msg.messageId, { apiKeyId }))
              : msg.type === 'edit'
                ? handleMessage(() => chat.beginEdit(userId, state.sessionId, msg.messageId, msg.content, { apiKeyId }))
                : msg.type === 'resume'
                  ? handleResume(msg.after)
                  : handleStop();
        work.catch(sendError);
      };

      const closed = () => {
        // The answer goes on without this client, and is stored; only the following ends.
        unfollow();
        sockets.release(state);
      };

      return {
        onOpen(_evt, ws) {
          socket = ws;
          state.raw = ws.raw as unknown as WebSocket;
          // Over the cap per user, the socket is closed at once (1013).
          sockets.admit(state);
        },
        onMessage(evt, ws) {
          socket ??= ws;
          // The budget first: a refused frame costs no database query, not even the credential check.
          if (state.ended || !sockets.takeFrame(state)) return;
          state.queue = state.queue.then(async () => {
            // A credential revoked or expired since the upgrade ends the socket here too (1008).
            if (await sockets.checkCredential(state)) handleFrame(evt.data);
          });
        },
        onClose: closed,
        onError: closed,
      };
    }),
  );

  return app;
}
