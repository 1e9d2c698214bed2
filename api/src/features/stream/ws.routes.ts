// /api/chat/ws/:sessionId: the WebSocket protocol (message, stop, resume), checked before the upgrade (Origin, token, session).
import { idParamSchema, type Message, type WsServerMessage, wsClientMessageSchema } from '@chatbot/shared';
import { upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import type { WSContext } from 'hono/ws';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { AppEnv, AuthUser } from '../../http/app-env.js';
import { factory } from '../../http/app-env.js';
import { errors } from '../../http/app-error.js';
import { toAppError } from '../../http/error-handler.js';
import { validate } from '../../http/validate.js';
import {
  type BegunAnswer,
  type ChatTurns,
  type GenerationManager,
  noAnswerYet,
  type StreamEvent,
  storedDone,
  type Unsubscribe,
} from './generation.manager.js';

/** Sockets that miss one pong within this interval are dropped (a vanished peer otherwise lingers). */
const PING_INTERVAL_MS = 30_000;

const wsParamSchema = z.object({ sessionId: idParamSchema.shape.id });

interface SocketState {
  user: AuthUser;
  token: string;
  sessionId: number;
  /** The answer this socket follows, and how to stop following it. */
  following?: { messageId: number; unsubscribe: Unsubscribe };
  alive: boolean;
  raw?: WebSocket;
}

function toWire(ev: StreamEvent): WsServerMessage {
  if (ev.type === 'chunk') return { type: 'chunk', content: ev.content, seq: ev.seq, messageId: ev.messageId };
  if (ev.type === 'done') {
    return { type: 'done', messageId: ev.messageId, status: ev.status, assistantMessage: ev.assistantMessage };
  }
  return { type: 'error', message: ev.message, code: ev.code };
}

export function wsRoutes(ctx: AppContext, chat: ChatTurns, generations: GenerationManager) {
  const app = new Hono<AppEnv>();
  const allowedOrigins = new Set(ctx.config.ALLOWED_ORIGINS);
  const sockets = new Set<SocketState>();
  ctx.metrics.track('websocketsOpen', () => sockets.size);

  // One timer for every socket: ping, and drop the ones that did not answer the previous ping.
  const pinger = setInterval(() => {
    for (const s of sockets) {
      if (!s.raw) continue;
      if (!s.alive) {
        s.raw.terminate();
        continue;
      }
      s.alive = false;
      try {
        s.raw.ping();
      } catch {
        s.raw.terminate();
      }
    }
  }, PING_INTERVAL_MS);
  pinger.unref();

  // Refusals happen here, as plain HTTP responses, so nobody opens a socket on a session that is not theirs.
  const checkHandshake = factory.createMiddleware(async (c, next) => {
    const origin = c.req.header('origin');
    // Browsers always send Origin; a client without one (curl, the SDK in Node) is not a cross-site page.
    if (origin !== undefined && !allowedOrigins.has(origin)) {
      throw errors.forbidden('Origin not allowed');
    }
    const user = await ctx.tokens.authenticate(c.req.query('token'));
    c.set('user', user);
    const { sessionId } = wsParamSchema.parse(c.req.param());
    await chat.requireOwnedSession(user.id, sessionId);
    await next();
  });

  app.get(
    '/ws/:sessionId',
    validate('param', wsParamSchema),
    checkHandshake,
    upgradeWebSocket((c) => {
      const state: SocketState = {
        user: c.get('user'),
        token: c.req.query('token') ?? '',
        sessionId: Number(c.req.param('sessionId')),
        alive: true,
      };
      const log = c.get('logger').child({ userId: state.user.id, sessionId: state.sessionId });

      let socket: WSContext<unknown> | undefined;
      const send = (msg: WsServerMessage) => {
        if (socket && socket.readyState === 1) socket.send(JSON.stringify(msg));
      };
      const sendError = (err: unknown) => {
        const appErr = toAppError(err);
        if (appErr.status >= 500) log.error({ err, code: appErr.code }, 'websocket request failed');
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
      const handleMessage = async (begin: () => Promise<BegunAnswer & { repliesTo?: Message }>) => {
        // A token revoked since the upgrade stops working here too (one indexed lookup per message).
        try {
          await ctx.tokens.authenticate(state.token);
        } catch (err) {
          sendError(err);
          socket?.close(1008, 'token no longer valid');
          return;
        }
        // Events of the new answer wait until `message` is sent, so the client sees them in order.
        const early: StreamEvent[] = [];
        let ready = false;
        let userMessage: Message | undefined;
        const turn = await generations.startWith(
          state.user.id,
          state.sessionId,
          async () => {
            const begun = await begin();
            userMessage = begun.userMessage ?? begun.repliesTo;
            return begun;
          },
          (ev) => {
            if (ready) onEvent(ev);
            else early.push(ev);
          },
        );
        unfollow();
        state.following = { messageId: turn.assistantMessage.id, unsubscribe: turn.unsubscribe };
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

      return {
        onOpen(_evt, ws) {
          socket = ws;
          state.raw = ws.raw as unknown as WebSocket;
          state.raw.on('pong', () => {
            state.alive = true;
          });
          sockets.add(state);
        },
        onMessage(evt, ws) {
          socket ??= ws;
          let parsed: ReturnType<typeof wsClientMessageSchema.safeParse>;
          try {
            if (typeof evt.data !== 'string') throw new Error('binary');
            parsed = wsClientMessageSchema.safeParse(JSON.parse(evt.data));
          } catch {
            send({ type: 'error', message: 'Messages must be JSON text', code: 'VALIDATION_ERROR' });
            return;
          }
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            const field = issue?.path.join('.') || 'type';
            send({
              type: 'error',
              message: `Invalid message: ${field} ${issue?.message ?? 'is invalid'}`,
              code: 'VALIDATION_ERROR',
            });
            return;
          }
          const msg = parsed.data;
          const { id: userId } = state.user;
          const work =
            msg.type === 'message'
              ? handleMessage(() => chat.beginTurn(userId, state.sessionId, msg.content))
              : msg.type === 'regenerate'
                ? handleMessage(() => chat.beginRegenerate(userId, state.sessionId, msg.messageId))
                : msg.type === 'edit'
                  ? handleMessage(() => chat.beginEdit(userId, state.sessionId, msg.messageId, msg.content))
                  : msg.type === 'resume'
                    ? handleResume(msg.after)
                    : handleStop();
          work.catch(sendError);
        },
        onClose() {
          // The answer goes on without this client, and is stored; only the following ends.
          unfollow();
          sockets.delete(state);
        },
        onError() {
          unfollow();
          sockets.delete(state);
        },
      };
    }),
  );

  return app;
}
