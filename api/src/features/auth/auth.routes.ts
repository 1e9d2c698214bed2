// /api/auth: register, login, logout, me. (Placeholder until the auth feature lands.)
import { Hono } from 'hono';
import type { AppContext } from '../../context.js';
import type { AppEnv } from '../../http/app-env.js';

export function authRoutes(_ctx: AppContext) {
  return new Hono<AppEnv>();
}
