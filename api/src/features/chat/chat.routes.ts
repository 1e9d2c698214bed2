// /api/chat/sessions: list, create, read (the current branch, paged), update settings, delete, send a message,
// regenerate an answer, edit a message, switch branches (non-streaming). Paths, auth and validation: the route table.
import type { AppContext } from '../../context.js';
import { routeGroup } from '../../http/route-table.js';
import type { GenerationManager } from '../stream/generation.manager.js';
import type { ChatService } from './chat.service.js';

export function chatRoutes(
  ctx: AppContext,
  chat: ChatService,
  /** The non-streaming turns go through it too, so stop, shutdown and recovery apply to every transport. */
  generations: GenerationManager,
) {
  return routeGroup(ctx)
    .add('listSessions', async (c, { query }) => c.json(await chat.listSessions(c.get('user').id, query)))
    .add('createSession', async (c, { json }) => c.json(await chat.createSession(c.get('user').id, json.title), 201))
    .add('getSession', async (c, { param, query }) =>
      c.json(await chat.getSessionDetail(c.get('user').id, param.id, query)),
    )
    .add('updateSession', async (c, { param, json }) =>
      c.json(await chat.updateSession(c.get('user').id, param.id, json)),
    )
    .add('deleteSession', async (c, { param }) => {
      await chat.deleteSession(c.get('user').id, param.id);
      return c.json({ message: 'Session deleted successfully' });
    })
    .add('sendMessage', async (c, { param, json }) => {
      const { id: userId, apiKeyId } = c.get('user');
      const done = await generations.complete(userId, param.id, json.content, { fileIds: json.fileIds, apiKeyId });
      return c.json(done, 201);
    })
    .add('regenerateMessage', async (c, { param }) => {
      const { id: userId, apiKeyId } = c.get('user');
      const done = await generations.completeWith(userId, param.id, () =>
        chat.beginRegenerate(userId, param.id, param.messageId, { apiKeyId }),
      );
      return c.json({ assistantMessage: done.assistantMessage }, 201);
    })
    .add('editMessage', async (c, { param, json }) => {
      const { id: userId, apiKeyId } = c.get('user');
      const done = await generations.completeWith(userId, param.id, () =>
        chat.beginEdit(userId, param.id, param.messageId, json.content, { apiKeyId }),
      );
      return c.json({ userMessage: done.userMessage, assistantMessage: done.assistantMessage }, 201);
    })
    .add('selectBranch', async (c, { param }) =>
      c.json(await chat.selectBranch(c.get('user').id, param.id, param.messageId)),
    ).app;
}
