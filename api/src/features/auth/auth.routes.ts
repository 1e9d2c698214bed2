// /api/auth: register, login, refresh, logout, me, devices. Thin: rate limit, validate, call the service, set cookies.
import type { Context } from 'hono';
import type { AppContext } from '../../context.js';
import { type AppEnv, factory } from '../../http/app-env.js';
import { AppError, errors } from '../../http/app-error.js';
import { clientIp } from '../../http/client-ip.js';
import { routeGroup } from '../../http/route-table.js';
import { createAccountService, FORGOT_MESSAGE } from './account.service.js';
import { createAuthService } from './auth.service.js';
import { createMailer } from './mailer.js';
import { createOidc, OidcRefusal, refusalPage } from './oidc.js';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from './refresh-cookie.js';

/** Refreshes per minute and address: generous (a person reloading many tabs never meets it), but bounded. */
export function refreshLimit(authLimitPerMinute: number): number {
  return authLimitPerMinute <= 0 ? 0 : Math.max(60, authLimitPerMinute * 12);
}

export function authRoutes(ctx: AppContext) {
  const service = createAuthService(ctx);
  const account = createAccountService(ctx, createMailer(ctx.config, ctx.logger));
  const oidc = createOidc(ctx);
  const trustProxy = ctx.config.TRUST_PROXY;
  const meta = (c: Context<AppEnv>) => ({ ip: clientIp(c, trustProxy), userAgent: c.req.header('user-agent') });
  // Counted before validation, so malformed attempts count too; one budget per IP for login and register.
  const limitPerIp = factory.createMiddleware(async (c, next) => {
    await ctx.rateLimiter.hit(`auth:${clientIp(c, trustProxy)}`, ctx.config.AUTH_RATE_LIMIT_PER_MINUTE);
    await next();
  });
  // PASSWORD_LOGIN=false: local passwords are off (single sign-on only).
  const passwordLogin = factory.createMiddleware(async (_c, next) => {
    if (!ctx.config.PASSWORD_LOGIN) {
      throw new AppError('PASSWORD_LOGIN_DISABLED', 'Password sign-in is turned off here; use single sign-on');
    }
    await next();
  });
  const limitRefresh = factory.createMiddleware(async (c, next) => {
    await ctx.rateLimiter.hit(
      `refresh:${clientIp(c, trustProxy)}`,
      refreshLimit(ctx.config.AUTH_RATE_LIMIT_PER_MINUTE),
    );
    await next();
  });

  return routeGroup(ctx)
    .add('register', async (c, { json }) => c.json(await service.register(json, c.get('logger')), 201), {
      before: [limitPerIp, passwordLogin],
    })
    .add(
      'login',
      async (c, { json }) => {
        const { body, refresh } = await service.login(json, c.get('logger'), {
          userAgent: c.req.header('user-agent'),
          ip: clientIp(c, trustProxy),
        });
        setRefreshCookie(c, refresh, trustProxy);
        return c.json(json.returnRefreshToken ? { ...body, refreshToken: refresh.token } : body);
      },
      { before: [limitPerIp, passwordLogin] },
    )
    .add(
      'refresh',
      async (c, { json }) => {
        // The body wins: a client that sends one manages its own token (and gets the next one back in the body).
        const fromBody = json.refreshToken;
        try {
          const { body, refresh } = await service.refresh(fromBody ?? readRefreshCookie(c));
          setRefreshCookie(c, refresh, trustProxy);
          return c.json(fromBody ? { ...body, refreshToken: refresh.token } : body);
        } catch (err) {
          // A cookie that no longer works is dropped, so the browser stops sending it.
          if (!fromBody) clearRefreshCookie(c, trustProxy);
          throw err;
        }
      },
      { before: [limitRefresh] },
    )
    .add('logout', async (c) => {
      await service.logout(c.get('user'), c.get('logger'), readRefreshCookie(c));
      clearRefreshCookie(c, trustProxy);
      return c.json({ message: 'Logged out successfully' });
    })
    .add('me', async (c) => c.json(await service.me(c.get('user'))))
    .add('authSessions', async (c) => c.json({ sessions: await service.devices(c.get('user')) }))
    .add('revokeAuthSession', async (c, { param }) => {
      const user = c.get('user');
      await service.revokeDevice(user, param.id);
      if (param.id === user.sessionId) clearRefreshCookie(c, trustProxy);
      return c.body(null, 204);
    })
    .add('logoutAll', async (c) => {
      await service.logoutAll(c.get('user'));
      clearRefreshCookie(c, trustProxy);
      return c.body(null, 204);
    })
    .add(
      'changePassword',
      async (c, { json }) => {
        await account.changePassword(c.get('user'), json, meta(c), c.get('logger'));
        return c.json({ message: 'Password changed; your other devices have been logged out' });
      },
      // A stolen session guessing the current password is limited like a login.
      { before: [limitPerIp] },
    )
    .add(
      'forgotPassword',
      async (c, { json }) => {
        await account.forgotPassword(json.email, c.get('logger'));
        return c.json({ message: FORGOT_MESSAGE }, 202);
      },
      { before: [limitPerIp] },
    )
    .add(
      'resetPassword',
      async (c, { json }) => {
        await account.resetPassword(json, meta(c), c.get('logger'));
        clearRefreshCookie(c, trustProxy);
        return c.json({ message: 'Your password has been reset; log in with the new one' });
      },
      { before: [limitPerIp] },
    )
    .add('oidcConfig', (c) => c.json(oidc.publicConfig()))
    .add(
      'oidcLogin',
      async (c) => {
        if (!oidc.enabled) throw errors.notFound('Single sign-on');
        try {
          return c.redirect(await oidc.authorizationUrl(), 302);
        } catch (err) {
          if (err instanceof OidcRefusal) return c.html(refusalPage(err.message), err.status);
          throw err;
        }
      },
      { before: [limitRefresh] },
    )
    .add(
      'oidcCallback',
      async (c) => {
        if (!oidc.enabled) throw errors.notFound('Single sign-on');
        const log = c.get('logger');
        try {
          const user = await oidc.complete(new URL(c.req.url).searchParams, log);
          const refresh = await service.startLogin(user, 'oidc', meta(c), log);
          setRefreshCookie(c, refresh, trustProxy);
          return c.redirect('/', 302);
        } catch (err) {
          if (err instanceof OidcRefusal) return c.html(refusalPage(err.message), err.status);
          throw err;
        }
      },
      { before: [limitRefresh] },
    )
    .add('deleteAccount', async (c, { json }) => {
      await account.deleteAccount(c.get('user'), json, meta(c), c.get('logger'));
      clearRefreshCookie(c, trustProxy);
      return c.body(null, 204);
    }).app;
}
