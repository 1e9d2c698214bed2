// /api/keys: create, list and revoke API keys. Only a signed-in person (an access token, not a key) may manage them;
// the route table's `access: 'login'` says so.
import type { Context } from 'hono';
import type { AppContext } from '../../context.js';
import type { AppEnv } from '../../http/app-env.js';
import { clientIp } from '../../http/client-ip.js';
import { routeGroup } from '../../http/route-table.js';
import { createKeysService } from './keys.service.js';

export function keysRoutes(ctx: AppContext) {
  const service = createKeysService(ctx);
  const meta = (c: Context<AppEnv>) => ({
    ip: clientIp(c, ctx.config.TRUST_PROXY),
    userAgent: c.req.header('user-agent'),
  });
  return routeGroup(ctx)
    .add('createApiKey', async (c, { json }) =>
      c.json(await service.create(c.get('user'), json, meta(c), c.get('logger')), 201),
    )
    .add('listApiKeys', async (c) => c.json({ keys: await service.list(c.get('user')) }))
    .add('revokeApiKey', async (c, { param }) => {
      await service.revoke(c.get('user'), param.id, meta(c), c.get('logger'));
      return c.body(null, 204);
    }).app;
}
