// One answer generated in this process: its chunks so far (the replay for late followers), its followers here, the
// abort of its model call, and its one final event.
import type { Message } from '@chatbot/shared';
import type { BaseMessage } from '@langchain/core/messages';
import { type AppError, PUBLIC_MESSAGES } from '../../http/app-error.js';
import {
  type BegunAnswer,
  type FinalStatus,
  type StreamEvent,
  type StreamListener,
  safeCall,
  type Unsubscribe,
} from './events.js';

export class LiveAnswer {
  readonly messageId: number;
  readonly model: string | undefined;
  readonly temperature: number | undefined;
  /** The prompt the chat feature built while storing the turn, until the model call takes it. */
  prompt: BaseMessage[] | undefined;
  readonly chunks: string[] = [];
  readonly controller = new AbortController();
  final?: StreamEvent;
  readonly finished: Promise<StreamEvent>;
  private readonly listeners = new Set<StreamListener>();
  private resolveFinished: (ev: StreamEvent) => void = () => {};

  constructor(
    turn: BegunAnswer,
    readonly sessionId: number,
    readonly userId: number,
    /** 'invoke': one model call without streaming (the non-streaming route). */
    readonly mode: 'stream' | 'invoke',
  ) {
    this.messageId = turn.assistantMessage.id;
    this.model = turn.assistantMessage.model ?? undefined;
    this.temperature = turn.temperature;
    this.prompt = turn.prompt;
    this.finished = new Promise<StreamEvent>((r) => {
      this.resolveFinished = r;
    });
  }

  get text(): string {
    return this.chunks.join('');
  }

  /** Adds a chunk and sends it to every follower; returns its sequence number (1, 2, 3, …). */
  push(content: string): number {
    this.chunks.push(content);
    const ev: StreamEvent = { type: 'chunk', messageId: this.messageId, seq: this.chunks.length, content };
    for (const l of this.listeners) safeCall(l, ev);
    return ev.seq;
  }

  /** Replays the chunks after `after`, then follows live (or gets the end at once if it came already). */
  subscribe(after: number, listener: StreamListener): Unsubscribe {
    // Replay and registration happen in one synchronous step, so no chunk can slip between them.
    for (let seq = after + 1; seq <= this.chunks.length; seq++) {
      safeCall(listener, { type: 'chunk', messageId: this.messageId, seq, content: this.chunks[seq - 1]! });
    }
    if (this.final) {
      safeCall(listener, this.final);
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  end(final: StreamEvent) {
    this.final = final;
    for (const l of this.listeners) safeCall(l, final);
    this.listeners.clear();
    this.resolveFinished(final);
  }

  /** The answer as its final event says it: the stored row, or (not stored) what this process holds. */
  unstored(status: FinalStatus, usage: Message['usage']): Message {
    return {
      id: this.messageId,
      role: 'assistant',
      content: this.text,
      status,
      createdAt: new Date().toISOString(),
      model: this.model ?? null,
      usage,
    };
  }
}

/** The one final event of an answer: `done`, or `error` with the code and words of its failure. */
export function finalEvent(assistantMessage: Message, status: FinalStatus, failure?: AppError): StreamEvent {
  const messageId = assistantMessage.id;
  if (status !== 'error') return { type: 'done', messageId, status, assistantMessage };
  return {
    type: 'error',
    messageId,
    code: failure?.code ?? 'AI_API_ERROR',
    message: failure?.message ?? PUBLIC_MESSAGES.AI_API_ERROR,
    assistantMessage,
    cause: failure,
  };
}
