// Path and query shapes of the streaming routes that the contracts do not name yet, so the route table can describe them.
import { z } from 'zod';
import { messageSchema } from '../contracts/chat.js';
import { idParamSchema } from '../contracts/common.js';

export { sseEventSchema, wsClientMessageSchema, wsServerMessageSchema } from '../contracts/stream.js';

/** `GET /api/chat/ws/{sessionId}`: the WebSocket route names its id `sessionId`. */
export const sessionIdParamSchema = z.object({ sessionId: idParamSchema.shape.id });

/** `GET /api/docs/{file}`: a file of the documentation page, by name. */
export const fileParamSchema = z.object({ file: z.string().min(1).max(200) });

/** Resume after chunk N; the `Last-Event-ID` header says the same and wins when both are sent. */
export const resumeQuerySchema = z.object({
  after: z.string().regex(/^\d+$/, 'must be a whole number').optional(),
});

/** Browsers cannot set headers on a WebSocket handshake, so the token travels in the query. */
export const wsQuerySchema = z.object({ token: z.string().min(1) });

/** `POST …/stop`: the answer as stored once stopped (status `stopped`, or its final status if it had already ended). */
export const stopResponseSchema = z.object({ messageId: z.number().int(), assistantMessage: messageSchema });
export type StopResponse = z.infer<typeof stopResponseSchema>;
