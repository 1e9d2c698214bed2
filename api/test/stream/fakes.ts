// In-memory stand-ins for the generation manager's ports (unit tests only): the stream repo, the LISTEN connection,
// the chat feature's turns and a scripted model. Integration tests use the real database and the fake HTTP model.
import type { Message, TokenUsage } from '@chatbot/shared';
import type { PgListener } from '../../src/db/listener.js';
import type { ChatTurns } from '../../src/features/stream/events.js';
import type { ModelRun } from '../../src/features/stream/model-run.js';
import type { ChunkRow, StreamRepo } from '../../src/features/stream/stream.repo.js';
import { STOP_CHANNEL, STREAM_CHANNEL } from '../../src/features/stream/stream.repo.js';
import { createLogger } from '../../src/lib/logger.js';

export const silentLogger = createLogger('silent');

/** The stream repo over two maps; `calls` counts each method's calls (what a follower costs the database). */
export class FakeStreamRepo implements StreamRepo {
  readonly messages = new Map<number, Message & { sessionId: number }>();
  readonly chunks = new Map<number, ChunkRow[]>();
  readonly calls: Record<string, number> = {};
  readonly notifications: { channel: string; payload: string }[] = [];
  private nextId = 1;

  constructor(private readonly listener?: FakeListener) {}

  private count(name: string) {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }

  private notify(channel: string, payload: string) {
    this.notifications.push({ channel, payload });
    this.listener?.emit(channel, payload);
  }

  addMessage(sessionId: number, m: Partial<Message> = {}): Message {
    const row = {
      id: this.nextId++,
      role: 'assistant' as const,
      content: '',
      status: 'streaming' as const,
      createdAt: new Date().toISOString(),
      model: null,
      usage: null,
      ...m,
      sessionId,
    };
    this.messages.set(row.id, row);
    return row;
  }

  /** Another process's progress: chunks logged and announced, as appendChunks does. */
  logElsewhere(messageId: number, contents: string[]) {
    const list = this.chunks.get(messageId) ?? [];
    for (const content of contents) list.push({ messageId, seq: list.length + 1, content });
    this.chunks.set(messageId, list);
    this.notify(STREAM_CHANNEL, JSON.stringify([[messageId, list.length]]));
  }

  async appendChunks(rows: ChunkRow[]) {
    this.count('appendChunks');
    for (const r of rows) {
      const list = this.chunks.get(r.messageId) ?? [];
      if (!list.some((c) => c.seq === r.seq)) list.push(r);
      this.chunks.set(r.messageId, list);
    }
  }
  async notifyEnded(ids: number[]) {
    this.count('notifyEnded');
    this.notify(STREAM_CHANNEL, JSON.stringify(ids.map((id) => [id, -1])));
  }
  async requestStop(messageId: number) {
    this.count('requestStop');
    this.notify(STOP_CHANNEL, String(messageId));
  }
  async chunksAfter(messageId: number, after: number) {
    this.count('chunksAfter');
    return (this.chunks.get(messageId) ?? []).filter((c) => c.seq > after).sort((a, b) => a.seq - b.seq);
  }
  async deleteChunks(ids: number[]) {
    this.count('deleteChunks');
    for (const id of ids) this.chunks.delete(id);
  }
  async heartbeat() {
    this.count('heartbeat');
  }
  async getMessage(id: number) {
    this.count('getMessage');
    const m = this.messages.get(id);
    if (!m) return undefined;
    const { sessionId: _s, ...message } = m;
    return message;
  }
  async streamingMessageId(sessionId: number) {
    this.count('streamingMessageId');
    return [...this.messages.values()].find((m) => m.sessionId === sessionId && m.status === 'streaming')?.id;
  }
  async latestAssistantMessage(sessionId: number) {
    this.count('latestAssistantMessage');
    const m = [...this.messages.values()].filter((x) => x.sessionId === sessionId && x.role === 'assistant').at(-1);
    return m ? this.getMessage(m.id) : undefined;
  }
  async recoverOrphans() {
    this.count('recoverOrphans');
    return [] as { id: number; status: 'stopped' | 'error' }[];
  }
  async deleteFinishedChunks() {
    this.count('deleteFinishedChunks');
  }
}

/** A LISTEN connection that is always up; `emit` delivers a notification as PostgreSQL would. */
export class FakeListener implements PgListener {
  readonly handlers = new Map<string, Set<(payload: string) => void>>();
  readonly changes = new Set<(up: boolean) => void>();
  closed = false;
  get connected() {
    return true;
  }
  async ready() {
    return true;
  }
  listen(channel: string, handler: (payload: string) => void) {
    const set = this.handlers.get(channel) ?? new Set();
    this.handlers.set(channel, set);
    set.add(handler);
    return () => set.delete(handler);
  }
  onConnectionChange(cb: (up: boolean) => void) {
    this.changes.add(cb);
    return () => this.changes.delete(cb);
  }
  emit(channel: string, payload: string) {
    // Asynchronous, like a notification arriving on the socket.
    queueMicrotask(() => {
      for (const h of this.handlers.get(channel) ?? []) h(payload);
    });
  }
  async close() {
    this.closed = true;
  }
  subscribers(): number {
    let n = this.changes.size;
    for (const set of this.handlers.values()) n += set.size;
    return n;
  }
}

/** The chat feature's turns over the fake repo: a turn stores an assistant row 'streaming'; finish stores it. */
export function fakeChat(repo: FakeStreamRepo): ChatTurns & { finished: { id: number; content: string }[] } {
  const finished: { id: number; content: string }[] = [];
  const begin = async (sessionId: number) => {
    if (await repo.streamingMessageId(sessionId)) throw new Error('one at a time');
    const userMessage = repo.addMessage(sessionId, { role: 'user', content: 'question', status: 'complete' });
    return { userMessage, assistantMessage: repo.addMessage(sessionId) };
  };
  return {
    finished,
    requireOwnedSession: async (userId, sessionId) => ({ id: sessionId, userId }),
    beginTurn: (_u, sessionId) => begin(sessionId),
    beginRegenerate: async (_u, sessionId) => {
      const { userMessage, assistantMessage } = await begin(sessionId);
      return { repliesTo: userMessage, assistantMessage };
    },
    beginEdit: (_u, sessionId) => begin(sessionId),
    buildPrompt: async () => [],
    finishAnswer: async (id, r) => {
      const m = repo.messages.get(id);
      if (!m) throw new Error('no such message');
      Object.assign(m, { content: r.content, status: r.status, usage: r.usage ?? null });
      finished.push({ id, content: r.content });
      return (await repo.getMessage(id))!;
    },
  };
}

/** A model that yields `pieces`, each after `gate()` resolves (so a test decides when the next one comes). */
export function scriptedModel(pieces: string[], gate: () => Promise<void> = async () => {}): ModelRun {
  const usage: TokenUsage = { promptTokens: 3, completionTokens: pieces.length, totalTokens: 3 + pieces.length };
  return async function* run(_call, signal) {
    for (const text of pieces) {
      await gate();
      signal.throwIfAborted();
      yield { type: 'text', text };
    }
    yield { type: 'usage', usage };
  };
}

/** A gate a test opens one step at a time. */
export function stepper() {
  const waiting: (() => void)[] = [];
  let open = false;
  return {
    gate: () => (open ? Promise.resolve() : new Promise<void>((r) => waiting.push(r))),
    step() {
      waiting.shift()?.();
    },
    openAll() {
      open = true;
      for (const w of waiting.splice(0)) w();
    },
    get waiting() {
      return waiting.length;
    },
  };
}
