// GET /api/health (liveness + which model answers) and GET /api/ready (the database answers).
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { errors } from '../../http/app-error.js';
import { routeGroup } from '../../http/route-table.js';

export function healthRoutes(ctx: AppContext) {
  return routeGroup(ctx)
    .add('health', (c) => c.json({ status: 'ok' as const, provider: ctx.llm.kind, model: ctx.llm.defaultModel }))
    .add('ready', async (c) => {
      try {
        await ctx.db.execute(sql`select 1`);
      } catch (err) {
        c.get('logger').warn({ err: { message: (err as Error).message } }, 'readiness check failed');
        throw errors.unavailable();
      }
      return c.json({ status: 'ready' as const });
    }).app;
}
