// A user's own usage: model calls counted per day or per model, their cost, and the quotas that apply.
import { z } from 'zod';
import { isStorableTime, storableRangeMessage } from './common.js';

/** A UTC calendar day, `YYYY-MM-DD`. */
export const dayStringSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(
    (v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
    {
      message: 'must be a real calendar date',
    },
  )
  .refine((v) => isStorableTime(`${v}T00:00:00Z`), storableRangeMessage);

/** The longest range one usage request may cover, in days. */
export const USAGE_MAX_DAYS = 366;

export const usageQuerySchema = z.object({
  /** First day (UTC), inclusive. Default: 29 days before `to`. */
  from: dayStringSchema.optional(),
  /** Last day (UTC), inclusive. Default: today. */
  to: dayStringSchema.optional(),
  groupBy: z.enum(['day', 'model']).default('day'),
});
export type UsageQuery = z.input<typeof usageQuerySchema>;

export const usageTotalsSchema = z.object({
  /** Answers (send, regenerate, edit); title calls are not counted here. */
  messages: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  totalTokens: z.number().int(),
  /** In MODEL_PRICES' currency; null when no model of the group has a price. */
  cost: z.number().nullable(),
});
export type UsageTotals = z.infer<typeof usageTotalsSchema>;

export const usageRowSchema = usageTotalsSchema.extend({
  /** The day (`YYYY-MM-DD`, every day of the range, oldest first) or the model name (most tokens first). */
  key: z.string(),
});
export type UsageRow = z.infer<typeof usageRowSchema>;

/** Limits in force: a positive integer, or null for no limit. */
export const quotaLimitsSchema = z.object({
  tokensPerDay: z.number().int().positive().nullable(),
  tokensPerMonth: z.number().int().positive().nullable(),
  messagesPerDay: z.number().int().positive().nullable(),
});
export type QuotaLimits = z.infer<typeof quotaLimitsSchema>;

/** What counts against the limits now (UTC day and month). */
export const quotaUsedSchema = z.object({
  tokensToday: z.number().int(),
  tokensThisMonth: z.number().int(),
  messagesToday: z.number().int(),
});
export type QuotaUsed = z.infer<typeof quotaUsedSchema>;

export const usageResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: z.enum(['day', 'model']),
  rows: z.array(usageRowSchema),
  totals: usageTotalsSchema,
  limits: quotaLimitsSchema,
  used: quotaUsedSchema,
});
export type UsageResponse = z.infer<typeof usageResponseSchema>;
