// Chat sessions and their messages.
import { z } from 'zod';
import { idParamSchema, isoDateSchema } from './common.js';
import { messageFileIdsSchema, messageSourceSchema } from './files.js';

export const DEFAULT_SESSION_TITLE = 'New Conversation';
export const MESSAGE_MAX_LENGTH = 10_000;

export const messageRoleSchema = z.enum(['user', 'assistant']);
export type MessageRole = z.infer<typeof messageRoleSchema>;

/** `streaming` while an answer is being generated; the other three are final. */
export const messageStatusSchema = z.enum(['complete', 'stopped', 'error', 'streaming']);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

export const tokenUsageSchema = z.object({
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  totalTokens: z.number().int(),
});
export type TokenUsage = z.infer<typeof tokenUsageSchema>;

export const messageSchema = z.object({
  id: z.number().int(),
  role: messageRoleSchema,
  content: z.string(),
  status: messageStatusSchema,
  createdAt: isoDateSchema,
  /** The model that wrote an assistant message ("offline" for the built-in offline model); null for user messages. */
  model: z.string().nullable().optional(),
  /** Token usage the provider reported for an assistant message, when it reported any. */
  usage: tokenUsageSchema.nullable().optional(),
  /** The message this one follows in the conversation tree; null for a first message. */
  parentId: z.number().int().nullable().optional(),
  /**
   * The alternatives at this point of the conversation (this message and the others with the same parent, oldest
   * first): `index` is this one's place (0-based), so a UI shows ‹ index+1/count ›. Set on session history.
   */
  siblings: z.object({ index: z.number().int(), count: z.number().int(), ids: z.array(z.number().int()) }).optional(),
  /**
   * An answer's sources: every passage (or whole file) given to the model for it, cited or not, numbered `n` from 1
   * as the prompt numbers them (the answer cites `[n]`). Null for user messages and answers without files.
   */
  sources: z.array(messageSourceSchema).nullable().optional(),
});
export type Message = z.infer<typeof messageSchema>;

export const sessionSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  createdAt: isoDateSchema,
  updatedAt: isoDateSchema,
  /** Per-session settings (null: the server's default). On session detail, rename/update and the list (pinned). */
  systemPrompt: z.string().nullable().optional(),
  model: z.string().nullable().optional(),
  temperature: z.number().nullable().optional(),
  /** Pinned sessions come first in the list. */
  pinned: z.boolean().optional(),
});
export type Session = z.infer<typeof sessionSchema>;

export const sessionListItemSchema = sessionSchema.extend({ messageCount: z.number().int() });
export type SessionListItem = z.infer<typeof sessionListItemSchema>;

export const SESSION_SORTS = ['updated_at_desc', 'updated_at_asc', 'created_at_desc', 'created_at_asc'] as const;
export const sessionSortSchema = z.enum(SESSION_SORTS);
export type SessionSort = z.infer<typeof sessionSortSchema>;

const intFromQuery = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

export const sessionListQuerySchema = z.object({
  limit: intFromQuery(1, 100).default(20),
  offset: intFromQuery(0, 1_000_000_000).default(0),
  sort: sessionSortSchema.default('updated_at_desc'),
});
export type SessionListQuery = z.input<typeof sessionListQuerySchema>;

export const sessionListResponseSchema = z.object({
  sessions: z.array(sessionListItemSchema),
  total: z.number().int(),
});
export type SessionListResponse = z.infer<typeof sessionListResponseSchema>;

const titleSchema = z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters');

export const createSessionRequestSchema = z.object({ title: titleSchema.optional() });
export type CreateSessionRequest = z.input<typeof createSessionRequestSchema>;

export const SYSTEM_PROMPT_MAX_LENGTH = 4000;
export const TEMPERATURE_MIN = 0;
export const TEMPERATURE_MAX = 2;

/** PATCH /api/chat/sessions/{id}: any of these, at least one; null (or an empty system prompt) clears a setting. */
export const updateSessionRequestSchema = z
  .object({
    title: titleSchema.optional(),
    systemPrompt: z
      .string()
      .trim()
      .max(SYSTEM_PROMPT_MAX_LENGTH, `must be at most ${SYSTEM_PROMPT_MAX_LENGTH} characters`)
      .nullable()
      .optional(),
    /** One of GET /api/models (checked by the server, which knows its models). */
    model: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .nullable()
      .optional(),
    temperature: z
      .number()
      .min(TEMPERATURE_MIN, `must be at least ${TEMPERATURE_MIN}`)
      .max(TEMPERATURE_MAX, `must be at most ${TEMPERATURE_MAX}`)
      .nullable()
      .optional(),
    pinned: z.boolean().optional(),
  })
  .refine(
    (b) => Object.values(b).some((v) => v !== undefined),
    'give at least one of title, systemPrompt, model, temperature, pinned',
  );
export type UpdateSessionRequest = z.input<typeof updateSessionRequestSchema>;

/** A message in a session's path: `/api/chat/sessions/{id}/messages/{messageId}/…`. */
export const messageParamSchema = idParamSchema.extend({ messageId: idParamSchema.shape.id });

export const sessionDetailQuerySchema = z.object({
  limit: intFromQuery(1, 500).default(100),
  /** Page backwards: only messages older than this message id. */
  before: intFromQuery(1, 2_147_483_647).optional(),
});
export type SessionDetailQuery = z.input<typeof sessionDetailQuerySchema>;

export const sessionDetailSchema = sessionSchema.extend({
  /** Oldest first. */
  messages: z.array(messageSchema),
  /** True when messages older than the first one returned exist (fetch them with `before`). */
  hasMore: z.boolean(),
});
export type SessionDetail = z.infer<typeof sessionDetailSchema>;

const messageContentSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MESSAGE_MAX_LENGTH, `must be at most ${MESSAGE_MAX_LENGTH} characters`);

export const sendMessageRequestSchema = z.object({
  content: messageContentSchema,
  /** Files of this message (POST /api/files first); images must come this way. */
  fileIds: messageFileIdsSchema.optional(),
});
export type SendMessageRequest = z.input<typeof sendMessageRequestSchema>;

export const sendMessageResponseSchema = z.object({
  userMessage: messageSchema,
  assistantMessage: messageSchema,
});
export type SendMessageResponse = z.infer<typeof sendMessageResponseSchema>;

/** POST …/messages/{messageId}/edit: the new text of a user message (sent as a new alternative of it). */
export const editMessageRequestSchema = z.object({ content: messageContentSchema });
export type EditMessageRequest = z.input<typeof editMessageRequestSchema>;

/** Regenerate (no user message) or edit (the new user message): 201 with the new answer. */
export const branchTurnResponseSchema = z.object({
  userMessage: messageSchema.optional(),
  assistantMessage: messageSchema,
});
export type BranchTurnResponse = z.infer<typeof branchTurnResponseSchema>;
