// GET /api/models: the models this server offers (signed-in users only: it describes the server's configuration).
import type { ModelsResponse } from '@chatbot/shared';
import { Hono } from 'hono';
import type { AppContext } from '../../context.js';
import type { AppEnv } from '../../http/app-env.js';
import { requireAuth } from '../../http/middleware/auth.js';

export function modelsRoutes(ctx: AppContext) {
  return new Hono<AppEnv>().get('/models', requireAuth(ctx.tokens), (c) => {
    const { models, defaultModel } = ctx.llm;
    // The default first, once, even if OPENAI_MODELS listed it elsewhere or left it out.
    const body: ModelsResponse = {
      models: [defaultModel, ...models.filter((m) => m !== defaultModel)],
      default: defaultModel,
    };
    return c.json(body);
  });
}
