// Accounts: register, login, logout, me; refresh tokens, devices, passwords, account deletion, single sign-on.
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
  /** `true`: the answer carries `refreshToken` too, besides the `chatbot_refresh` cookie (the SDK and CLI use it). */
  returnRefreshToken: z.boolean().optional(),
});
export type LoginRequest = z.input<typeof loginRequestSchema>;

export const loginResponseSchema = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  /** Seconds until the token expires. */
  expiresIn: z.number().int(),
  user: userSchema.pick({ id: true, username: true, email: true, role: true, isActive: true, lastLoginAt: true }),
  /** Only when the login asked for it (`returnRefreshToken: true`); browsers get the HttpOnly cookie instead. */
  refreshToken: z.string().optional(),
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

// --- Identity (CONTRACT.md): refresh tokens, devices, passwords, account deletion, single sign-on ---

/** A refresh token travels as base64url; anything else is refused before the database is asked. */
const refreshTokenValueSchema = z
  .string()
  .min(1, 'is required')
  .max(200, 'must be at most 200 characters')
  .regex(/^[\w-]+$/, 'is not a refresh token');

/** `POST /api/auth/refresh`: the cookie, or this body (non-browser clients). */
export const refreshRequestSchema = z.object({ refreshToken: refreshTokenValueSchema.optional() });
export type RefreshRequest = z.input<typeof refreshRequestSchema>;

export const refreshResponseSchema = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int(),
  /** The next refresh token, when the spent one came in the body (each works once). */
  refreshToken: z.string().optional(),
});
export type RefreshResponse = z.infer<typeof refreshResponseSchema>;

/** One login (a device): every token descended from it ends when it is revoked. */
export const authSessionSchema = z.object({
  id: z.string(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: isoDateSchema,
  lastUsedAt: isoDateSchema,
  /** The login this request's token belongs to. */
  current: z.boolean(),
});
export type AuthSession = z.infer<typeof authSessionSchema>;

export const authSessionListResponseSchema = z.object({ sessions: z.array(authSessionSchema) });
export type AuthSessionListResponse = z.infer<typeof authSessionListResponseSchema>;

export const authSessionParamSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(64, 'must be at most 64 characters')
    .regex(/^[\w-]+$/, 'is not a device id'),
});

export const changePasswordRequestSchema = z.object({
  currentPassword: z
    .string()
    .min(1, 'is required')
    .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`),
  newPassword: passwordSchema,
});
export type ChangePasswordRequest = z.input<typeof changePasswordRequestSchema>;

export const forgotPasswordRequestSchema = z.object({ email: emailSchema });
export type ForgotPasswordRequest = z.input<typeof forgotPasswordRequestSchema>;

export const resetPasswordRequestSchema = z.object({
  token: z.string().min(1, 'is required').max(200, 'must be at most 200 characters'),
  newPassword: passwordSchema,
});
export type ResetPasswordRequest = z.input<typeof resetPasswordRequestSchema>;

/** `DELETE /api/auth/me`: the password, or for an account without one (single sign-on) the username typed again. */
export const deleteAccountRequestSchema = z.object({
  password: z.string().max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`).optional(),
  confirm: z.string().max(255, 'must be at most 255 characters').optional(),
});
export type DeleteAccountRequest = z.input<typeof deleteAccountRequestSchema>;

/** `GET /api/auth/oidc/config` (public): what the login page offers. */
export const oidcConfigResponseSchema = z.object({
  enabled: z.boolean(),
  /** The "Sign in with …" button's label. */
  name: z.string(),
  /** False when local passwords are turned off (PASSWORD_LOGIN=false). */
  passwordLogin: z.boolean(),
});
export type OidcConfigResponse = z.infer<typeof oidcConfigResponseSchema>;
