// /api/chat SSE routes: send a message and stream the answer, resume an answer (Last-Event-ID / ?after=N), stop it.
import { editMessageRequestSchema, idParamSchema, messageParamSchema, sendMessageRequestSchema } from '@chatbot/shared';
import { Hono } from 'hono';
import type { AppContext } from '../../context.js';
import type { AppEnv } from '../../http/app-env.js';
import { errors } from '../../http/app-error.js';
import { requireAuth } from '../../http/middleware/auth.js';
import { type TextSink, textStreamResponse } from '../../http/text-stream.js';
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

/** A comment line this often keeps proxies and clients from giving up on a quiet stream. */
const SSE_HEARTBEAT_MS = 15_000;

function parseAfter(raw: string | undefined, field: string): number {
  if (raw === undefined || raw === '') return 0;
  if (!/^\d{1,10}$/.test(raw.trim())) throw errors.validation(`${field} must be a whole number`, field);
  return Number(raw.trim());
}

/**
 * One SSE event, byte for byte what hono's writeSSE writes (`event:`, `data:`, `id:` lines): JSON.stringify never
 * emits a line break, so the data is always one `data:` line.
 */
function sseEvent(event: string, id: number, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\nid: ${id}\n\n`;
}

/** What streamSSE sent, plus `X-Accel-Buffering: no` so nginx passes every event on at once. */
const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/**
 * One answer's events on their way to an SSE client: `first` (the `message` event, if any), then chunks, then
 * `done` or `error`, then the end. Events that arrive before the response is served wait in a list; from then on
 * each is written the moment it arrives, as the WebSocket route sends them (no queue and no promise per chunk: at
 * 100 streams that hop cost more CPU than the write). A client that goes away only unsubscribes: the answer goes on
 * and is stored.
 */
class SseRelay {
  private early: StreamEvent[] | undefined = [];
  private sink: TextSink | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private ended = false;
  private lastId: number;
  /** Set once the generation has the listener (start/follow return it). */
  unsubscribe: Unsubscribe = () => {};

  constructor(after: number) {
    this.lastId = after;
  }

  /** What the generation calls with every event of the answer. */
  readonly listener = (ev: StreamEvent): void => {
    if (this.early) this.early.push(ev);
    else this.write(ev);
  };

  response(first: string): Response {
    return textStreamResponse(
      async (sink) => {
        this.sink = sink;
        sink.onClose(() => this.end());
        this.heartbeat = setInterval(() => sink.write(': heartbeat\n\n'), SSE_HEARTBEAT_MS);
        if (first) sink.write(first);
        const early = this.early ?? [];
        this.early = undefined;
        for (const ev of early) this.write(ev);
      },
      { headers: SSE_HEADERS },
    );
  }

  private write(ev: StreamEvent) {
    if (this.ended || !this.sink) return;
    if (ev.type === 'chunk') {
      this.lastId = ev.seq;
      this.sink.write(sseEvent('chunk', ev.seq, { content: ev.content }));
      return;
    }
    this.sink.write(
      ev.type === 'done'
        ? sseEvent('done', this.lastId + 1, { messageId: ev.messageId, assistantMessage: ev.assistantMessage })
        : sseEvent('error', this.lastId + 1, { message: ev.message, code: ev.code }),
    );
    this.end();
  }

  private end() {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    this.unsubscribe();
    this.sink?.end();
  }
}

export function sseRoutes(ctx: AppContext, chat: ChatTurns, generations: GenerationManager) {
  const app = new Hono<AppEnv>();
  // Per route, not app.use: a sub-app's middleware would also run on the chat routes mounted on the same prefix.
  const auth = requireAuth(ctx.tokens);

  // Everything that can fail before the answer starts (validation, ownership, 409, 429) is an ordinary JSON error.
  app.post(
    '/sessions/:id/messages/stream',
    auth,
    validate('param', idParamSchema),
    validate('json', sendMessageRequestSchema),
    async (c) => {
      const { id } = c.req.valid('param');
      const { content } = c.req.valid('json');
      const user = c.get('user');
      const relay = new SseRelay(0);
      // beginTurn checks ownership (404/403), the rate limit (429) and one answer at a time (409).
      const turn = await generations.start(user.id, id, content, relay.listener);
      relay.unsubscribe = turn.unsubscribe;
      return relay.response(
        sseEvent('message', 0, { userMessage: turn.userMessage, assistantMessageId: turn.assistantMessage.id }),
      );
    },
  );

  /**
   * Streams an answer another way of beginning stores (edit, regenerate) exactly like a new message's: `message`
   * (the user message the answer replies to), chunks, then `done` or `error`.
   */
  const streamBegun = async (
    userId: number,
    sessionId: number,
    begin: () => Promise<BegunAnswer & { repliesTo?: BegunAnswer['userMessage'] }>,
  ) => {
    const relay = new SseRelay(0);
    let repliesTo: BegunAnswer['userMessage'];
    const turn = await generations.startWith(
      userId,
      sessionId,
      async () => {
        const begun = await begin();
        repliesTo = begun.userMessage ?? begun.repliesTo;
        return begun;
      },
      relay.listener,
    );
    relay.unsubscribe = turn.unsubscribe;
    return relay.response(
      sseEvent('message', 0, { userMessage: repliesTo, assistantMessageId: turn.assistantMessage.id }),
    );
  };

  app.post('/sessions/:id/messages/:messageId/regenerate/stream', auth, validate('param', messageParamSchema), (c) => {
    const { id, messageId } = c.req.valid('param');
    const userId = c.get('user').id;
    return streamBegun(userId, id, () => chat.beginRegenerate(userId, id, messageId));
  });

  app.post(
    '/sessions/:id/messages/:messageId/edit/stream',
    auth,
    validate('param', messageParamSchema),
    validate('json', editMessageRequestSchema),
    (c) => {
      const { id, messageId } = c.req.valid('param');
      const { content } = c.req.valid('json');
      const userId = c.get('user').id;
      return streamBegun(userId, id, () => chat.beginEdit(userId, id, messageId, content));
    },
  );

  // Resume: chunks after Last-Event-ID (or ?after=N), then live; nothing in progress: the latest answer's `done`.
  app.get('/sessions/:id/stream', auth, validate('param', idParamSchema), async (c) => {
    const { id } = c.req.valid('param');
    const user = c.get('user');
    const header = c.req.header('last-event-id');
    const after =
      header !== undefined ? parseAfter(header, 'Last-Event-ID') : parseAfter(c.req.query('after'), 'after');
    await chat.requireOwnedSession(user.id, id);
    const relay = new SseRelay(after);
    const followed = await generations.follow(id, after, relay.listener);
    if (followed.kind === 'none') throw noAnswerYet();
    if (followed.kind === 'stored') relay.listener(storedDone(followed.message));
    if (followed.kind === 'live') relay.unsubscribe = followed.unsubscribe;
    return relay.response('');
  });

  // Stop from any process: the owner aborts the model call and stores the text so far as 'stopped'.
  app.post('/sessions/:id/stop', auth, validate('param', idParamSchema), async (c) => {
    const { id } = c.req.valid('param');
    await chat.requireOwnedSession(c.get('user').id, id);
    const assistantMessage = await generations.stop(id);
    return c.json({ messageId: assistantMessage.id, assistantMessage });
  });

  return app;
}
