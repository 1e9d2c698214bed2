// /api/chat/sessions: list, create, read (the current branch, paged), update settings, delete, send a message,
// regenerate an answer, edit a message, switch branches (non-streaming).
import {
  createSessionRequestSchema,
  editMessageRequestSchema,
  idParamSchema,
  messageParamSchema,
  sendMessageRequestSchema,
  sessionDetailQuerySchema,
  sessionListQuerySchema,
  updateSessionRequestSchema,
} from '@chatbot/shared';
import { Hono } from 'hono';
import type { AppContext } from '../../context.js';
import type { AppEnv } from '../../http/app-env.js';
import { requireAuth } from '../../http/middleware/auth.js';
import { validate } from '../../http/validate.js';
import type { GenerationManager } from '../stream/generation.manager.js';
import type { ChatService } from './chat.service.js';

export function chatRoutes(
  ctx: AppContext,
  chat: ChatService,
  /** The non-streaming turns go through it too, so stop, shutdown and recovery apply to every transport. */
  generations: GenerationManager,
) {
  const auth = requireAuth(ctx.tokens);
  const id = validate('param', idParamSchema);
  const messageParam = validate('param', messageParamSchema);

  return new Hono<AppEnv>()
    .get('/sessions', auth, validate('query', sessionListQuerySchema), async (c) =>
      c.json(await chat.listSessions(c.get('user').id, c.req.valid('query'))),
    )
    .post('/sessions', auth, validate('json', createSessionRequestSchema), async (c) =>
      c.json(await chat.createSession(c.get('user').id, c.req.valid('json').title), 201),
    )
    .get('/sessions/:id', auth, id, validate('query', sessionDetailQuerySchema), async (c) =>
      c.json(await chat.getSessionDetail(c.get('user').id, c.req.valid('param').id, c.req.valid('query'))),
    )
    .patch('/sessions/:id', auth, id, validate('json', updateSessionRequestSchema), async (c) =>
      c.json(await chat.updateSession(c.get('user').id, c.req.valid('param').id, c.req.valid('json'))),
    )
    .delete('/sessions/:id', auth, id, async (c) => {
      await chat.deleteSession(c.get('user').id, c.req.valid('param').id);
      return c.json({ message: 'Session deleted successfully' });
    })
    .post('/sessions/:id/messages', auth, id, validate('json', sendMessageRequestSchema), async (c) => {
      const turn = await generations.complete(c.get('user').id, c.req.valid('param').id, c.req.valid('json').content);
      return c.json(turn, 201);
    })
    .post('/sessions/:id/messages/:messageId/regenerate', auth, messageParam, async (c) => {
      const { id: sessionId, messageId } = c.req.valid('param');
      const userId = c.get('user').id;
      const done = await generations.completeWith(userId, sessionId, () =>
        chat.beginRegenerate(userId, sessionId, messageId),
      );
      return c.json({ assistantMessage: done.assistantMessage }, 201);
    })
    .post(
      '/sessions/:id/messages/:messageId/edit',
      auth,
      messageParam,
      validate('json', editMessageRequestSchema),
      async (c) => {
        const { id: sessionId, messageId } = c.req.valid('param');
        const { content } = c.req.valid('json');
        const userId = c.get('user').id;
        const done = await generations.completeWith(userId, sessionId, () =>
          chat.beginEdit(userId, sessionId, messageId, content),
        );
        return c.json({ userMessage: done.userMessage, assistantMessage: done.assistantMessage }, 201);
      },
    )
    .post('/sessions/:id/messages/:messageId/select', auth, messageParam, async (c) => {
      const { id: sessionId, messageId } = c.req.valid('param');
      return c.json(await chat.selectBranch(c.get('user').id, sessionId, messageId));
    });
}
