// Streaming: the SSE events and the WebSocket messages, both directions.
import { z } from 'zod';
import { messageSchema, sendMessageRequestSchema } from './chat.js';
import { errorCodeSchema } from './errors.js';

// Every chunk of an answer has a sequence number (1, 2, 3, …). SSE `id:` lines and
// WebSocket `seq` carry it, so a client that reconnects asks for what came after N.

export const sseMessageEventSchema = z.object({ userMessage: messageSchema, assistantMessageId: z.number().int() });
export const sseChunkEventSchema = z.object({ content: z.string() });
export const sseDoneEventSchema = z.object({ messageId: z.number().int(), assistantMessage: messageSchema });
export const sseErrorEventSchema = z.object({ message: z.string(), code: errorCodeSchema });

/** One parsed SSE event as the SDK yields it. `id` is the SSE id line (chunk sequence number). */
export const sseEventSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('message'), id: z.number().int(), data: sseMessageEventSchema }),
  z.object({ event: z.literal('chunk'), id: z.number().int(), data: sseChunkEventSchema }),
  z.object({ event: z.literal('done'), id: z.number().int(), data: sseDoneEventSchema }),
  z.object({ event: z.literal('error'), id: z.number().int(), data: sseErrorEventSchema }),
]);
export type SseEvent = z.infer<typeof sseEventSchema>;

export const wsClientMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message'),
    content: sendMessageRequestSchema.shape.content,
    fileIds: sendMessageRequestSchema.shape.fileIds,
  }),
  z.object({ type: z.literal('stop') }),
  /** Replay the answer in progress from after chunk `after` (0 = from the start), then follow it live. */
  z.object({ type: z.literal('resume'), after: z.number().int().min(0).max(2_147_483_647) }),
  /** A new answer beside assistant message `messageId` (the old one stays an alternative), streamed like a message's. */
  z.object({ type: z.literal('regenerate'), messageId: z.number().int().min(1).max(2_147_483_647) }),
  /** A new version of user message `messageId` (the old branch stays reachable) and its answer, streamed. */
  z.object({
    type: z.literal('edit'),
    messageId: z.number().int().min(1).max(2_147_483_647),
    content: sendMessageRequestSchema.shape.content,
  }),
]);
export type WsClientMessage = z.input<typeof wsClientMessageSchema>;

export const wsServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), userMessage: messageSchema, assistantMessageId: z.number().int() }),
  z.object({ type: z.literal('chunk'), content: z.string(), seq: z.number().int(), messageId: z.number().int() }),
  z.object({
    type: z.literal('done'),
    messageId: z.number().int(),
    status: z.enum(['complete', 'stopped', 'error']),
    assistantMessage: messageSchema,
  }),
  z.object({
    type: z.literal('error'),
    message: z.string(),
    code: errorCodeSchema,
    /** QUOTA_EXCEEDED: when the limit that was reached resets (ISO 8601, UTC). */
    resetAt: z.string().optional(),
  }),
]);
export type WsServerMessage = z.infer<typeof wsServerMessageSchema>;
