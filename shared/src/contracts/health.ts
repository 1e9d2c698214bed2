// Liveness, readiness and which model answers.
import { z } from 'zod';

export const providerKindSchema = z.enum(['openai', 'openai-compatible', 'offline']);
export type ProviderKind = z.infer<typeof providerKindSchema>;

export const healthResponseSchema = z.object({
  status: z.literal('ok'),
  provider: providerKindSchema,
  model: z.string(),
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;

export const readyResponseSchema = z.object({ status: z.literal('ready') });
