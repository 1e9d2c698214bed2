// Path and query shapes of the streaming routes that the contracts do not name yet, so the route table can describe them.
import { z } from 'zod';
import { messageSchema } from '../contracts/chat.js';
import { idParamSchema } from '../contracts/common.js';

export { sseEventSchema, wsClientMessageSchema, wsServerMessageSchema } from '../contracts/stream.js';

/** `GET /api/chat/ws/{sessionId}`: the WebSocket route names its id `sessionId`. */
export const sessionIdParamSchema = z.object({ sessionId: idParamSchema.shape.id });

/** `GET /api/docs/{file}`: a file of the documentation page, by name. */
export const fileParamSchema = z.object({ file: z.string().min(1).max(200) });

/** Chunk sequence numbers are PostgreSQL integers. */
const MAX_SEQ = 2_147_483_647;

/** A chunk sequence number to resume after, as text (a query or a header): 0 replays from the start. */
const afterSeqSchema = z
  .string()
  .regex(/^\d{1,10}$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(0, 'must be a whole number').max(MAX_SEQ, `must be at most ${MAX_SEQ}`));

/** Resume after chunk N; the `Last-Event-ID` header says the same and wins when both are sent. */
export const resumeQuerySchema = z.object({ after: afterSeqSchema.optional() });

/** The headers the resume route reads (lowercase, as HTTP/2 and Hono write them). */
export const resumeHeadersSchema = z.object({
  'last-event-id': afterSeqSchema.describe('Resume after this chunk sequence number (wins over ?after=)').optional(),
});

/** Browsers cannot set headers on a WebSocket handshake, so the token travels in the query. */
export const wsQuerySchema = z.object({ token: z.string().min(1) });

/** `POST …/stop`: the answer as stored once stopped (status `stopped`, or its final status if it had already ended). */
export const stopResponseSchema = z.object({ messageId: z.number().int(), assistantMessage: messageSchema });
export type StopResponse = z.infer<typeof stopResponseSchema>;
