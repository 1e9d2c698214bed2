// Accounts: register, login, logout, me.
import { z } from 'zod';
import { isoDateSchema } from './common.js';

/** Long passphrases are welcome; anything longer than this is refused rather than silently cut. */
export const PASSWORD_MAX_LENGTH = 1024;
export const PASSWORD_MIN_LENGTH = 8;

export const usernameSchema = z
  .string()
  .trim()
  .min(3, 'must be at least 3 characters')
  .max(50, 'must be at most 50 characters')
  .regex(/^[A-Za-z0-9_]+$/, 'may contain only letters, digits and underscores');

export const emailSchema = z
  .string()
  .trim()
  .max(255, 'must be at most 255 characters')
  .pipe(z.email('must be a valid email address'))
  .transform((v) => v.toLowerCase());

// Unicode classes so a Vietnamese passphrase ("Mật khẩu 2024") counts its letters.
export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .regex(/\p{Lu}/u, 'must contain an upper-case letter')
  .regex(/\p{Ll}/u, 'must contain a lower-case letter')
  .regex(/\p{Nd}/u, 'must contain a digit');

export const registerRequestSchema = z.object({
  username: usernameSchema,
  email: emailSchema,
  password: passwordSchema,
  /** Needed when REGISTRATION=invite (the token from an admin's invite link). */
  inviteToken: z.string().trim().min(1).max(200).optional(),
});
export type RegisterRequest = z.input<typeof registerRequestSchema>;

export const userRoleSchema = z.enum(['admin', 'user']);
export type UserRole = z.infer<typeof userRoleSchema>;

export const userSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  email: z.string(),
  createdAt: isoDateSchema,
  /** `admin` may use /api/admin/*; the first account of an install is one. */
  role: userRoleSchema,
  /** A disabled account cannot log in, and its tokens and keys are refused. */
  isActive: z.boolean(),
  lastLoginAt: isoDateSchema.nullable(),
});
export type User = z.infer<typeof userSchema>;

export const loginRequestSchema = z.object({
  /** A username or an email address. */
  username: z.string().trim().min(1, 'is required').max(255, 'must be at most 255 characters'),
  password: z
    .string()
    .min(1, 'is required')
    .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`),
});
export type LoginRequest = z.input<typeof loginRequestSchema>;

export const loginResponseSchema = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  /** Seconds until the token expires. */
  expiresIn: z.number().int(),
  user: userSchema.pick({ id: true, username: true, email: true, role: true, isActive: true, lastLoginAt: true }),
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;
