// API keys (personal access tokens): create (the key shown once), list, revoke.
import { z } from 'zod';
import { isoDateSchema, storableDateTimeSchema } from './common.js';

export const API_KEY_NAME_MAX_LENGTH = 100;

export const createApiKeyRequestSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(API_KEY_NAME_MAX_LENGTH, `must be at most ${API_KEY_NAME_MAX_LENGTH} characters`),
  /** When the key stops working by itself (ISO 8601, in the future); absent or null: never. */
  expiresAt: storableDateTimeSchema.nullable().optional(),
});
export type CreateApiKeyRequest = z.input<typeof createApiKeyRequestSchema>;

export const apiKeySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  /** The key's first characters (`cbk_` and 8 more): enough to tell keys apart, too short to use. */
  prefix: z.string(),
  createdAt: isoDateSchema,
  expiresAt: isoDateSchema.nullable(),
  /** Updated at most once a minute. */
  lastUsedAt: isoDateSchema.nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** The answer to a creation: the only time the whole key is shown. */
export const createdApiKeySchema = apiKeySchema.extend({
  /** `cbk_…`: use it as `Authorization: Bearer <key>` (or the WebSocket's `?token=`). Shown only here. */
  key: z.string(),
});
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export const apiKeyListResponseSchema = z.object({ keys: z.array(apiKeySchema) });
export type ApiKeyListResponse = z.infer<typeof apiKeyListResponseSchema>;
