// /api/auth: register, login, logout, me. Thin: rate limit, validate, call the service.
import { loginRequestSchema, registerRequestSchema } from '@chatbot/shared';
import { Hono } from 'hono';
import type { AppContext } from '../../context.js';
import { type AppEnv, factory } from '../../http/app-env.js';
import { clientIp } from '../../http/client-ip.js';
import { requireAuth } from '../../http/middleware/auth.js';
import { validate } from '../../http/validate.js';
import { createAuthService } from './auth.service.js';

export function authRoutes(ctx: AppContext) {
  const service = createAuthService(ctx);
  const auth = requireAuth(ctx.tokens);
  // Counted before validation, so malformed attempts count too; one budget per IP for login and register.
  const limitPerIp = factory.createMiddleware(async (c, next) => {
    await ctx.rateLimiter.hit(`auth:${clientIp(c, ctx.config.TRUST_PROXY)}`, ctx.config.AUTH_RATE_LIMIT_PER_MINUTE);
    await next();
  });

  return new Hono<AppEnv>()
    .post('/register', limitPerIp, validate('json', registerRequestSchema), async (c) => {
      const user = await service.register(c.req.valid('json'), c.get('logger'));
      return c.json(user, 201);
    })
    .post('/login', limitPerIp, validate('json', loginRequestSchema), async (c) => {
      return c.json(await service.login(c.req.valid('json'), c.get('logger')));
    })
    .post('/logout', auth, async (c) => {
      await service.logout(c.get('user'), c.get('logger'));
      return c.json({ message: 'Logged out' });
    })
    .get('/me', auth, async (c) => c.json(await service.me(c.get('user'))));
}
