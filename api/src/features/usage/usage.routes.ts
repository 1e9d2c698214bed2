// GET /api/me/usage: a user's own usage, cost and quotas (paths, auth and validation: the route table).
import type { AppContext } from '../../context.js';
import { routeGroup } from '../../http/route-table.js';
import type { UsageService } from './usage.service.js';

export function usageRoutes(ctx: AppContext, usage: UsageService) {
  return routeGroup(ctx).add('myUsage', async (c, { query }) => c.json(await usage.usage(c.get('user').id, query))).app;
}
