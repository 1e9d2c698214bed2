// Files in the conversation: documents (retrieval, cited sources) and images (vision models).
import { z } from 'zod';
import { idParamSchema, isoDateSchema } from './common.js';

/** What a file can be, judged by its content (magic bytes and structure), never by its name. */
export const FILE_MIME_TYPES = [
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'text/markdown',
  'text/plain',
  'text/html',
  'text/csv',
  'image/png',
  'image/jpeg',
  'image/webp',
] as const;
export type FileMimeType = (typeof FILE_MIME_TYPES)[number];

export const fileStatusSchema = z.enum(['processing', 'ready', 'failed']);
export type FileStatus = z.infer<typeof fileStatusSchema>;

export const fileSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  mimeType: z.string(),
  /** The file's own bytes. */
  size: z.number().int(),
  /** `processing` until its text is extracted and indexed (images are `ready` at once), then `ready` or `failed`. */
  status: fileStatusSchema,
  /** Why it failed, in plain words; null otherwise. */
  error: z.string().nullable(),
  /** The conversation it is attached to (its ready files are used for every answer there), or null. */
  sessionId: z.number().int().nullable(),
  /** Pages (PDF), when known. */
  pages: z.number().int().nullable(),
  /** Passages it was cut into for retrieval. */
  chunks: z.number().int(),
  createdAt: isoDateSchema,
});
export type FileInfo = z.infer<typeof fileSchema>;

const intFromQuery = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

export const fileListQuerySchema = z.object({
  /** Only the files attached to this conversation. */
  sessionId: intFromQuery(1, 2_147_483_647).optional(),
  /** Only files whose name contains this text (case-insensitive). */
  q: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  limit: intFromQuery(1, 100).default(20),
  offset: intFromQuery(0, 1_000_000_000).default(0),
});
export type FileListQuery = z.input<typeof fileListQuerySchema>;

export const fileListResponseSchema = z.object({ files: z.array(fileSchema), total: z.number().int() });
export type FileListResponse = z.infer<typeof fileListResponseSchema>;

/** `POST /api/files` (multipart/form-data): the file, and the conversation to attach it to. */
export const uploadFileRequestSchema = z.object({
  file: z.string().describe('The file (binary part); its type is judged by its content'),
  sessionId: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a positive integer')
    .optional(),
});

/** `PATCH /api/files/{id}`: attach to a conversation, or detach with null. */
export const updateFileRequestSchema = z.object({
  sessionId: z.number().int().min(1).max(2_147_483_647).nullable(),
});
export type UpdateFileRequest = z.input<typeof updateFileRequestSchema>;

export const fileIdParamSchema = idParamSchema;

/** Files sent with one message (`fileIds` in the send body): images must come this way. */
export const MESSAGE_FILES_MAX = 20;
export const messageFileIdsSchema = z
  .array(z.number().int().min(1).max(2_147_483_647))
  .max(MESSAGE_FILES_MAX, `must have at most ${MESSAGE_FILES_MAX} files`);

/** One passage (or whole file) an answer's prompt carried, numbered as the prompt numbers it (cite `[n]`). */
export const messageSourceSchema = z.object({
  n: z.number().int(),
  fileId: z.number().int(),
  fileName: z.string(),
  page: z.number().int().nullable(),
  section: z.string().nullable(),
  quote: z.string(),
});
export type MessageSource = z.infer<typeof messageSourceSchema>;
