// Export and import: one JSON format for a session, or for all of a user's data, that imports back losslessly.
import { z } from 'zod';
import { MESSAGE_MAX_LENGTH, messageRoleSchema, tokenUsageSchema } from './chat.js';
import { storableDateTimeSchema } from './common.js';
import { messageSourceSchema } from './files.js';

export const TRANSFER_FORMAT_VERSION = 1;
/**
 * An assistant answer may be far longer than what a user may type; this only guards against absurd input. A user
 * message is capped like a typed one (MESSAGE_MAX_LENGTH): an import cannot smuggle in what sending refuses.
 */
export const TRANSFER_MESSAGE_MAX_LENGTH = 1_000_000;

// PostgreSQL text cannot hold NUL; refusing it here keeps a bad file a 400, not a failed transaction.
const noNul = (s: string) => !s.includes('\u0000');

// Within the years PostgreSQL keeps and gives back as parseable ISO 8601 (year 0 used to be a 500).
const timestampSchema = storableDateTimeSchema;

export const exportFormatSchema = z.enum(['markdown', 'json']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

export const exportQuerySchema = z.object({ format: exportFormatSchema.default('markdown') });
export type ExportQuery = z.input<typeof exportQuerySchema>;

/**
 * An exported message. An answer that was still being generated is exported as `stopped` with the text it had,
 * so an import never creates an answer that no one is generating.
 */
export const transferMessageSchema = z
  .object({
    role: messageRoleSchema,
    content: z
      .string()
      .max(TRANSFER_MESSAGE_MAX_LENGTH, `must be at most ${TRANSFER_MESSAGE_MAX_LENGTH} characters`)
      .refine(noNul, 'must not contain NUL characters'),
    status: z.enum(['complete', 'stopped', 'error']),
    createdAt: timestampSchema,
    model: z.string().max(200).nullable().optional(),
    usage: tokenUsageSchema.nullable().optional(),
    /** An answer's sources (file ids refer to the exporting account's files). */
    sources: z.array(messageSourceSchema).max(1000).nullable().optional(),
  })
  .refine((m) => m.role !== 'user' || m.content.length <= MESSAGE_MAX_LENGTH, {
    path: ['content'],
    message: `a user message must be at most ${MESSAGE_MAX_LENGTH} characters, as a typed one`,
  });
export type TransferMessage = z.infer<typeof transferMessageSchema>;

export const transferSessionSchema = z.object({
  title: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(255, 'must be at most 255 characters')
    .refine(noNul, 'must not contain NUL characters'),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  /** Oldest first. */
  messages: z.array(transferMessageSchema).max(100_000),
});
export type TransferSession = z.infer<typeof transferSessionSchema>;

/**
 * The export file: `GET /api/chat/sessions/{id}/export?format=json` (one session) and `GET /api/export`
 * (every session, plus `user`). `POST /api/import` takes either; `user` is informational and ignored.
 */
export const transferFileSchema = z.object({
  version: z.literal(TRANSFER_FORMAT_VERSION, `must be ${TRANSFER_FORMAT_VERSION}`),
  exportedAt: timestampSchema,
  user: z.object({ username: z.string(), email: z.string() }).optional(),
  sessions: z.array(transferSessionSchema).max(10_000),
});
export type TransferFile = z.infer<typeof transferFileSchema>;

export const importResponseSchema = z.object({
  imported: z.number().int(),
  /** The new sessions, in the file's order. */
  sessionIds: z.array(z.number().int()),
});
export type ImportResponse = z.infer<typeof importResponseSchema>;
