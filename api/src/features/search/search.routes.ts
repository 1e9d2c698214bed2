// GET /api/chat/search: full-text search over the signed-in user's conversations.
import type { AppContext } from '../../context.js';
import { routeGroup } from '../../http/route-table.js';
import { createSearchService } from './search.service.js';

export function searchRoutes(ctx: AppContext) {
  const service = createSearchService(ctx);
  return routeGroup(ctx).add('search', async (c, { query }) => c.json(await service.search(c.get('user').id, query)))
    .app;
}
