// /api/auth: register, login, logout, me. Thin: rate limit, validate, call the service.
import type { AppContext } from '../../context.js';
import { factory } from '../../http/app-env.js';
import { clientIp } from '../../http/client-ip.js';
import { routeGroup } from '../../http/route-table.js';
import { createAuthService } from './auth.service.js';

export function authRoutes(ctx: AppContext) {
  const service = createAuthService(ctx);
  // Counted before validation, so malformed attempts count too; one budget per IP for login and register.
  const limitPerIp = factory.createMiddleware(async (c, next) => {
    await ctx.rateLimiter.hit(`auth:${clientIp(c, ctx.config.TRUST_PROXY)}`, ctx.config.AUTH_RATE_LIMIT_PER_MINUTE);
    await next();
  });

  return routeGroup(ctx)
    .add('register', async (c, { json }) => c.json(await service.register(json, c.get('logger')), 201), {
      before: [limitPerIp],
    })
    .add(
      'login',
      async (c, { json }) =>
        c.json(
          await service.login(json, c.get('logger'), {
            userAgent: c.req.header('user-agent'),
            ip: clientIp(c, ctx.config.TRUST_PROXY),
          }),
        ),
      { before: [limitPerIp] },
    )
    .add('logout', async (c) => {
      await service.logout(c.get('user'), c.get('logger'));
      return c.json({ message: 'Logged out' });
    })
    .add('me', async (c) => c.json(await service.me(c.get('user')))).app;
}
