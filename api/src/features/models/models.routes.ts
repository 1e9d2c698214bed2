// GET /api/models: the models this server offers (signed-in users only: it describes the server's configuration).
import type { ModelsResponse } from '@chatbot/shared';
import type { AppContext } from '../../context.js';
import { routeGroup } from '../../http/route-table.js';

export function modelsRoutes(ctx: AppContext) {
  return routeGroup(ctx).add('models', (c) => {
    const { models, defaultModel } = ctx.llm;
    // The default first, once, even if OPENAI_MODELS listed it elsewhere or left it out.
    const body: ModelsResponse = {
      models: [defaultModel, ...models.filter((m) => m !== defaultModel)],
      default: defaultModel,
    };
    return c.json(body);
  }).app;
}
