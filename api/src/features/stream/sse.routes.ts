// /api/chat SSE routes: send a message and stream the answer, resume an answer (Last-Event-ID / ?after=N), stop it.
// Paths, auth and validation: the route table.
import type { AppContext } from '../../context.js';
import { routeGroup } from '../../http/route-table.js';
import { type TextSink, textStreamResponse } from '../../http/text-stream.js';
import { type BegunAnswer, type ChatTurns, type StreamEvent, storedDone, type Unsubscribe } from './events.js';
import { type GenerationManager, noAnswerYet } from './generation.manager.js';

/** A comment line this often keeps proxies and clients from giving up on a quiet stream. */
const SSE_HEARTBEAT_MS = 15_000;

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
  /**
   * Streams an answer exactly alike however it begins (a message, an edit, a regeneration): `message` (the user
   * message the answer replies to), chunks, then `done` or `error`. Everything that can fail before the answer
   * starts (ownership, 409, 429) is thrown by `begin`, an ordinary JSON error.
   */
  const streamBegun = async (userId: number, sessionId: number, begin: () => Promise<BegunAnswer>) => {
    const relay = new SseRelay(0);
    const turn = await generations.startWith(userId, sessionId, begin, relay.listener);
    relay.unsubscribe = turn.unsubscribe;
    return relay.response(
      sseEvent('message', 0, { userMessage: turn.repliesTo, assistantMessageId: turn.assistantMessage.id }),
    );
  };

  return (
    routeGroup(ctx)
      .add('streamMessage', (c, { param, json }) => {
        const { id: userId, apiKeyId } = c.get('user');
        return streamBegun(userId, param.id, () =>
          chat.beginTurn(userId, param.id, json.content, { fileIds: json.fileIds, apiKeyId }),
        );
      })
      .add('regenerateMessageStream', (c, { param }) => {
        const { id: userId, apiKeyId } = c.get('user');
        return streamBegun(userId, param.id, () =>
          chat.beginRegenerate(userId, param.id, param.messageId, { apiKeyId }),
        );
      })
      .add('editMessageStream', (c, { param, json }) => {
        const { id: userId, apiKeyId } = c.get('user');
        return streamBegun(userId, param.id, () =>
          chat.beginEdit(userId, param.id, param.messageId, json.content, { apiKeyId }),
        );
      })
      // Resume: chunks after Last-Event-ID (or ?after=N), then live; nothing in progress: the latest answer's `done`.
      .add('resumeStream', async (c, { param, query, header }) => {
        const after = header['last-event-id'] ?? query.after ?? 0;
        await chat.requireOwnedSession(c.get('user').id, param.id);
        const relay = new SseRelay(after);
        const followed = await generations.follow(param.id, after, relay.listener);
        if (followed.kind === 'none') throw noAnswerYet();
        if (followed.kind === 'stored') relay.listener(storedDone(followed.message));
        if (followed.kind === 'live') relay.unsubscribe = followed.unsubscribe;
        return relay.response('');
      })
      // Stop from any process: the owner aborts the model call and stores the text so far as 'stopped'.
      .add('stopGeneration', async (c, { param }) => {
        await chat.requireOwnedSession(c.get('user').id, param.id);
        const assistantMessage = await generations.stop(param.id);
        return c.json({ messageId: assistantMessage.id, assistantMessage });
      }).app
  );
}
