// /api/admin/*: the admin console's routes (the route table makes each one admin-only: 403 FORBIDDEN otherwise).
import type { Context } from 'hono';
import type { AppContext } from '../../context.js';
import type { AppEnv } from '../../http/app-env.js';
import { clientIp } from '../../http/client-ip.js';
import { routeGroup } from '../../http/route-table.js';
import { type Actor, createAdminService } from './admin.service.js';

export function adminRoutes(ctx: AppContext) {
  const service = createAdminService(ctx);
  const actor = (c: Context<AppEnv>): Actor => {
    const user = c.get('user');
    return {
      id: user.id,
      username: user.username,
      ip: clientIp(c, ctx.config.TRUST_PROXY),
      userAgent: c.req.header('user-agent'),
    };
  };

  return routeGroup(ctx)
    .add('adminOverview', async (c, { query }) => c.json(await service.overview(query.days)))
    .add('adminListUsers', async (c, { query }) => c.json(await service.listUsers(query)))
    .add('adminGetUser', async (c, { param }) => c.json(await service.getUser(param.id)))
    .add('adminUpdateUser', async (c, { param, json }) => c.json(await service.updateUser(actor(c), param.id, json)))
    .add('adminLogoutUser', async (c, { param }) => {
      await service.logoutUser(actor(c), param.id);
      return c.body(null, 204);
    })
    .add('adminPasswordReset', async (c, { param }) => c.json(await service.passwordReset(actor(c), param.id), 201))
    .add('adminDeleteUser', async (c, { param }) => {
      await service.deleteUser(actor(c), param.id);
      return c.body(null, 204);
    })
    .add('adminCreateInvite', async (c, { json }) => c.json(await service.createInvite(actor(c), json), 201))
    .add('adminAudit', async (c, { query }) => {
      const { limit, offset, ...filter } = query;
      return c.json(await service.audit(filter, { limit, offset }));
    }).app;
}
