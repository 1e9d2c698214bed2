// What a follower of an answer receives (chunks, then one done or error), and the port to the chat feature that
// stores the turns the generation answers.
import type { ErrorCode, Message, TokenUsage } from '@chatbot/shared';
import type { BaseMessage } from '@langchain/core/messages';
import type { AppError } from '../../http/app-error.js';
import type { ModelCallReport } from '../usage/ledger.js';

/** Who sent a turn, beside the user: the API key it came with (null or absent: an access token), for the ledger. */
export interface TurnCaller {
  apiKeyId?: number | null;
}

/** A new message's options: its files (features/files) and its caller. */
export interface NewTurnOptions extends TurnCaller {
  fileIds?: number[];
}

/** What the manager needs from the chat feature (the seam in features/chat/chat.service.ts). */
export interface ChatTurns {
  /** 404 NOT_FOUND if missing, 403 FORBIDDEN if it is another user's. */
  requireOwnedSession(userId: number, sessionId: number): Promise<{ id: number; userId: number }>;
  beginTurn(
    userId: number,
    sessionId: number,
    content: string,
    opts?: NewTurnOptions,
  ): Promise<{ userMessage: Message; assistantMessage: Message; temperature?: number; prompt?: BaseMessage[] }>;
  /** A new answer beside assistant message `messageId` (kept as an alternative); `repliesTo` is its user message. */
  beginRegenerate(userId: number, sessionId: number, messageId: number, opts?: TurnCaller): Promise<BegunAnswer>;
  /** A new version of user message `messageId` (beside it) and the row of its answer. */
  beginEdit(
    userId: number,
    sessionId: number,
    messageId: number,
    content: string,
    opts?: TurnCaller,
  ): Promise<BegunAnswer>;
  buildPrompt(sessionId: number, assistantMessageId: number): Promise<BaseMessage[]>;
  finishAnswer(
    messageId: number,
    r: {
      content: string;
      status: 'complete' | 'stopped' | 'error';
      usage?: TokenUsage | null;
      /** For the usage ledger and metrics. */
      call?: ModelCallReport;
    },
  ): Promise<Message>;
}

/** A turn begun by the chat feature (a message, an edit, a regeneration): the rows stored, the session's temperature. */
export interface BegunAnswer {
  /** The user message stored by this turn (a message, an edit); none for a regeneration. */
  userMessage?: Message;
  /** The user message a regeneration answers again (already stored). */
  repliesTo?: Message;
  assistantMessage: Message;
  temperature?: number;
  /** The prompt, when the chat feature built it while storing the turn; otherwise the generation reads it. */
  prompt?: BaseMessage[];
}

export type FinalStatus = 'complete' | 'stopped' | 'error';

/** What a follower of one answer receives: chunks in seq order, then exactly one `done` or `error`. */
export type StreamEvent =
  | { type: 'chunk'; messageId: number; seq: number; content: string }
  | { type: 'done'; messageId: number; status: FinalStatus; assistantMessage: Message }
  | {
      type: 'error';
      messageId: number;
      code: ErrorCode;
      message: string;
      assistantMessage?: Message;
      /** The AppError itself (status, Retry-After), for the one who started the answer in this process. */
      cause?: AppError;
    };

/** A stored answer as the final event of its stream (a row still `streaming` here belongs to no live generation). */
export function storedDone(m: Message): StreamEvent {
  return {
    type: 'done',
    messageId: m.id,
    status: m.status === 'streaming' ? 'stopped' : m.status,
    assistantMessage: m,
  };
}

export type StreamListener = (ev: StreamEvent) => void;
export type Unsubscribe = () => void;

/** The result of following a session: an answer in progress (events follow), or the latest stored answer. */
export type FollowResult =
  | { kind: 'live'; messageId: number; unsubscribe: Unsubscribe }
  | { kind: 'stored'; message: Message }
  | { kind: 'none' };

export function safeCall(listener: StreamListener, ev: StreamEvent) {
  try {
    listener(ev);
  } catch {
    // A follower's failure (a socket gone mid-write) must never break the generation or other followers.
  }
}
