// The environment schema: every setting, its default, and one clear message for every bad value.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/**
 * `MODEL_PRICES=model:input:output,...` (per 1M tokens). Parsed from the right: model names may hold colons
 * themselves (Ollama's `llama3.1:8b`).
 */
const modelPrices = z.string().transform((v, ctx) => {
  const prices: Record<string, { input: number; output: number }> = {};
  for (const entry of v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(.+):([0-9]+(?:\.[0-9]+)?):([0-9]+(?:\.[0-9]+)?)$/.exec(entry);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" must be model:input:output (prices per 1M tokens)` });
      return z.NEVER;
    }
    prices[m[1]!] = { input: Number(m[2]), output: Number(m[3]) };
  }
  return prices;
});

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: intIn(0, 65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DB_POOL_MAX: intIn(1, 1000).default(10),
  /** The server ends a statement (or a transaction left idle) running longer than this; 0 = no limit. */
  DB_STATEMENT_TIMEOUT_MS: intIn(0, 24 * 60 * 60_000).default(60_000),
  /** API processes sharing the port (node:cluster); each has its own pool of DB_POOL_MAX connections. 1: one process. */
  WEB_CONCURRENCY: intIn(1, 256).default(availableParallelism()),
  SECRET_KEY: z.string().optional(),
  ACCESS_TOKEN_EXPIRE_MINUTES: intIn(1, 60 * 24 * 365).default(30),
  ALLOWED_ORIGINS: list.default(['http://localhost:8080', 'http://127.0.0.1:8080', 'http://localhost:5173']),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool.default(false),
  AUTH_RATE_LIMIT_PER_MINUTE: intIn(0, 1_000_000).default(5),
  CHAT_RATE_LIMIT_PER_MINUTE: intIn(0, 1_000_000).default(20),
  BODY_LIMIT_BYTES: intIn(1024, 100 * 1024 * 1024).default(64 * 1024),
  /** POST /api/import takes a whole export file, so it has its own, larger limit. */
  IMPORT_MAX_BYTES: intIn(1024, 1024 * 1024 * 1024).default(10 * 1024 * 1024),
  /** Imports and exports (GET /api/export, a session's export, POST /api/import) per user per minute; 0 = off. */
  TRANSFER_RATE_LIMIT_PER_MINUTE: intIn(0, 1_000_000).default(10),
  /** Conversations a user may have (creating or importing past it is 409 LIMIT_REACHED); 0 = no limit. */
  MAX_SESSIONS_PER_USER: intIn(0, 1_000_000_000).default(10_000),
  /** Bytes of message text and files one user may keep (imports and uploads past it: 409); 0 = no limit. */
  MAX_STORAGE_BYTES_PER_USER: intIn(0, Number.MAX_SAFE_INTEGER).default(1024 * 1024 * 1024),
  SHUTDOWN_TIMEOUT_MS: intIn(0, 10 * 60_000).default(10_000),
  UI_DIST_DIR: z.string().optional(),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o'),
  OPENAI_MODELS: list.optional(),
  OPENAI_TEMPERATURE: z.coerce.number().min(0).max(2).default(0.7),
  OPENAI_TIMEOUT_MS: intIn(1, 10 * 60_000).default(60_000),
  OPENAI_MAX_RETRIES: intIn(0, 10).default(2),
  /** Ask the provider for token usage while streaming; default: only when talking to OpenAI itself. */
  OPENAI_STREAM_USAGE: bool.optional(),
  SYSTEM_PROMPT: z
    .string()
    .default('You are a helpful assistant. Answer clearly and concisely, using Markdown when it helps.'),
  CONTEXT_MAX_TOKENS: intIn(256, 10_000_000).default(8000),
  /** Bounds a whole answer; OPENAI_TIMEOUT_MS is the idle timeout (to the first chunk and between chunks). */
  OPENAI_TOTAL_TIMEOUT_MS: intIn(1, 24 * 60 * 60_000).default(600_000),

  // --- Operations (CONTRACT.md) ---
  /** `open` (anyone may register), `closed`, or `invite` (an admin's invite link is needed). */
  REGISTRATION: z.enum(['open', 'closed', 'invite']).default('open'),
  /** Usernames promoted to admin at start. */
  ADMIN_USERNAMES: list.default([]),
  /** Default quotas per user (0 = none); an admin's override replaces them for one user. */
  QUOTA_TOKENS_PER_DAY: intIn(0, 2_000_000_000).default(0),
  QUOTA_TOKENS_PER_MONTH: intIn(0, 2_000_000_000).default(0),
  QUOTA_MESSAGES_PER_DAY: intIn(0, 2_000_000_000).default(0),
  /** Prices per 1M input/output tokens, so usage can be shown in money. */
  MODEL_PRICES: modelPrices.default({}),
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`; unset, it answers only to loopback. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),

  // --- Identity (CONTRACT.md) ---
  /** The address users reach (links in mails, the single sign-on redirect); default: the first ALLOWED_ORIGINS. */
  PUBLIC_URL: z.url().optional(),
  /** How long a login lasts without being used (the refresh token's lifetime), in days. */
  REFRESH_TOKEN_EXPIRE_DAYS: intIn(1, 3650).default(30),
  /** `smtp://user:pass@host:587` (or smtps://…): password-reset mails go out through it. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().optional(),
  /** Single sign-on through an OpenID Connect provider (code flow with PKCE). */
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_NAME: z.string().default('single sign-on'),
  /** Members of these groups (the `groups` claim) are admins, re-read at each sign-in. */
  OIDC_ADMIN_GROUPS: list.default([]),
  /** Only emails in these domains may sign in through the provider (empty: any). */
  OIDC_ALLOWED_DOMAINS: list.default([]),
  /** `false` turns local passwords off (login and register answer 403 PASSWORD_LOGIN_DISABLED). */
  PASSWORD_LOGIN: bool.default(true),

  // --- Files (CONTRACT.md) ---
  FILE_MAX_BYTES: intIn(1, 1024 * 1024 * 1024).default(20 * 1024 * 1024),
  FILES_MAX_PER_USER: intIn(1, 1_000_000).default(500),
  RAG_TOP_K: intIn(1, 100).default(6),
  /** Files whose text fits are sent whole (counted like history); larger ones through retrieval. */
  RAG_FULL_DOCUMENT_TOKENS: intIn(0, 10_000_000).default(6000),
  /** Empty: full-text retrieval only. */
  OPENAI_EMBEDDINGS_MODEL: z.string().optional(),
  /** Models that take images (`*` is a wildcard). */
  OPENAI_VISION_MODELS: list.default(['gpt-4o*', 'gpt-4.1*', 'gpt-5*']),
});

export type Config = z.infer<typeof envSchema> & {
  SECRET_KEY: string;
  secretKeyGenerated: boolean;
  /** PUBLIC_URL, else the first ALLOWED_ORIGINS entry: links are never built from a request's Host. */
  publicUrl: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Empty strings mean "not set", as a blank line in .env does. */
function withoutBlanks(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

/**
 * Reads and checks every setting. Throws ConfigError listing every problem at once.
 * Without SECRET_KEY outside production, a random key is made once and kept in DATA_DIR,
 * so a restart does not log everyone out.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = withoutBlanks(env);
  const parsed = envSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`);
  // Checked from the raw values too, so a bad PORT and a missing production SECRET_KEY are reported together.
  let secret = raw.SECRET_KEY;
  if (raw.NODE_ENV === 'production') {
    if (!secret) problems.push('SECRET_KEY: required when NODE_ENV=production (at least 32 characters)');
    else if (secret.length < 32) problems.push('SECRET_KEY: must be at least 32 characters when NODE_ENV=production');
  } else if (secret && secret.length < 16) {
    problems.push('SECRET_KEY: must be at least 16 characters');
  }
  const oidc = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'].filter((k) => raw[k]);
  if (oidc.length > 0 && oidc.length < 3) {
    problems.push('OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET: set all three for single sign-on, or none');
  }
  if (raw.SMTP_URL && !raw.MAIL_FROM) problems.push('MAIL_FROM: required when SMTP_URL is set (the sender address)');
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const cfg = parsed.data;
  let generated = false;
  if (!secret) {
    secret = loadOrCreateSecret(cfg.DATA_DIR);
    generated = true;
  }
  const publicUrl = (cfg.PUBLIC_URL ?? cfg.ALLOWED_ORIGINS[0] ?? `http://localhost:${cfg.PORT}`).replace(/\/+$/, '');
  return { ...cfg, SECRET_KEY: secret, secretKeyGenerated: generated, publicUrl };
}

function loadOrCreateSecret(dataDir: string): string {
  const file = path.resolve(dataDir, 'secret_key');
  if (existsSync(file)) {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
