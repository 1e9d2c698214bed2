// GET /api/chat/search: full-text search over the signed-in user's conversations.
import { searchQuerySchema } from '@chatbot/shared';
import { Hono } from 'hono';
import type { AppContext } from '../../context.js';
import type { AppEnv } from '../../http/app-env.js';
import { requireAuth } from '../../http/middleware/auth.js';
import { validate } from '../../http/validate.js';
import { createSearchService } from './search.service.js';

export function searchRoutes(ctx: AppContext) {
  const service = createSearchService(ctx);
  return new Hono<AppEnv>().get('/search', requireAuth(ctx.tokens), validate('query', searchQuerySchema), async (c) =>
    c.json(await service.search(c.get('user').id, c.req.valid('query'))),
  );
}
