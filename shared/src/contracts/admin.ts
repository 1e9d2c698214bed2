// The admin console's API: overview numbers, users (search, details, role, active, quota overrides, actions),
// invites and the audit log.
import { z } from 'zod';
import { emailSchema, userRoleSchema, userSchema } from './auth.js';
import { idParamSchema, isoDateSchema, isStorableTime, storableRangeMessage } from './common.js';
import { quotaUsedSchema } from './usage.js';

const intFromQuery = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const pageQuery = {
  limit: intFromQuery(1, 100).default(20),
  offset: intFromQuery(0, 1_000_000_000).default(0),
};

// --- overview ---

export const adminOverviewQuerySchema = z.object({ days: intFromQuery(1, 90).default(7) });
export type AdminOverviewQuery = z.input<typeof adminOverviewQuerySchema>;

const percentilesSchema = z.object({ p50: z.number().nullable(), p95: z.number().nullable() });

export const adminOverviewSchema = z.object({
  /** Distinct users who used a credential or made a model call in the last hour, day and week. */
  activeUsers: z.object({ hour: z.number().int(), day: z.number().int(), week: z.number().int() }),
  /** Answers being generated now, on every API process. */
  answersInFlight: z.number().int(),
  /** This process's database pool. */
  dbPool: z.object({ total: z.number().int(), idle: z.number().int(), waiting: z.number().int() }),
  /** Every UTC day of the window, oldest first: answers, tokens (titles included) and failed answers. */
  byDay: z.array(
    z.object({ day: z.string(), messages: z.number().int(), tokens: z.number().int(), errors: z.number().int() }),
  ),
  /** Most tokens first. */
  byModel: z.array(z.object({ model: z.string(), messages: z.number().int(), tokens: z.number().int() })),
  /** Failed answers / finished answers in the window (0 when none finished). */
  errorRate: z.number(),
  /** Time to first token and whole-answer time over the window's finished answers, in ms (null: none). */
  ttftMs: percentilesSchema,
  answerMs: percentilesSchema,
});
export type AdminOverview = z.infer<typeof adminOverviewSchema>;

// --- users ---

/** Overrides of the server's default quotas: null = the default applies, 0 = no limit. */
export const quotaOverridesSchema = z.object({
  tokensPerDay: z.number().int().min(0).nullable(),
  tokensPerMonth: z.number().int().min(0).nullable(),
  messagesPerDay: z.number().int().min(0).nullable(),
});
export type QuotaOverrides = z.infer<typeof quotaOverridesSchema>;

export const adminUserSchema = userSchema.extend({
  usage: quotaUsedSchema,
  quota: quotaOverridesSchema,
});
export type AdminUser = z.infer<typeof adminUserSchema>;

export const adminUserListQuerySchema = z.object({
  /** Part of a username or an email address (any case). */
  q: z.string().trim().max(255, 'must be at most 255 characters').optional(),
  ...pageQuery,
});
export type AdminUserListQuery = z.input<typeof adminUserListQuerySchema>;

export const adminUserListSchema = z.object({ users: z.array(adminUserSchema), total: z.number().int() });
export type AdminUserList = z.infer<typeof adminUserListSchema>;

const quotaValue = z.number().int().min(0, 'must be 0 (no limit) or more').max(2_000_000_000).nullable();

export const adminUserPatchSchema = z
  .object({
    role: userRoleSchema.optional(),
    isActive: z.boolean().optional(),
    /** Merged: only the keys named change (null returns one to the default, 0 means no limit). */
    quota: z
      .object({
        tokensPerDay: quotaValue.optional(),
        tokensPerMonth: quotaValue.optional(),
        messagesPerDay: quotaValue.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type AdminUserPatch = z.input<typeof adminUserPatchSchema>;

export const adminUserParamSchema = idParamSchema;

/** A reset link an admin hands to a user: single use, 30 minutes. */
export const passwordResetLinkSchema = z.object({ url: z.string(), token: z.string(), expiresAt: isoDateSchema });
export type PasswordResetLink = z.infer<typeof passwordResetLinkSchema>;

// --- invites ---

export const INVITE_DEFAULT_HOURS = 72;

export const inviteRequestSchema = z
  .object({
    /** Only this address may use the invite. */
    email: emailSchema.optional(),
    expiresInHours: z
      .number()
      .int()
      .min(1, 'must be at least 1')
      .max(24 * 365, 'must be at most 8760')
      .default(INVITE_DEFAULT_HOURS),
  })
  .strict();
export type InviteRequest = z.input<typeof inviteRequestSchema>;

export const inviteResponseSchema = z.object({ token: z.string(), url: z.string(), expiresAt: isoDateSchema });
export type InviteResponse = z.infer<typeof inviteResponseSchema>;

// --- audit log ---

/** A date (`YYYY-MM-DD`, the whole UTC day) or an ISO 8601 time. */
const dateOrTime = z
  .string()
  .trim()
  .refine((v) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(v) && !Number.isNaN(Date.parse(v)), {
    message: 'must be a date (YYYY-MM-DD) or an ISO 8601 time',
  })
  .refine(isStorableTime, storableRangeMessage);

export const auditQuerySchema = z.object({
  /** Matches the actor's and target's names, the action and the detail (any case). */
  q: z.string().trim().max(255, 'must be at most 255 characters').optional(),
  action: z.string().trim().max(64, 'must be at most 64 characters').optional(),
  actorId: intFromQuery(1, 2_147_483_647).optional(),
  targetId: intFromQuery(1, 2_147_483_647).optional(),
  /** From this time (a date: its start), inclusive. */
  from: dateOrTime.optional(),
  /** Up to this time (a date: its whole day), inclusive. */
  to: dateOrTime.optional(),
  ...pageQuery,
});
export type AuditQuery = z.input<typeof auditQuerySchema>;

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: isoDateSchema,
  action: z.string(),
  actorId: z.number().int().nullable(),
  actorName: z.string().nullable(),
  targetId: z.number().int().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditListSchema = z.object({ entries: z.array(auditEntrySchema), total: z.number().int() });
export type AuditList = z.infer<typeof auditListSchema>;
