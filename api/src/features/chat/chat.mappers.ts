// Rows as the API shows them: one mapper per row type, used by every route, stream and process alike.
import type { Message, Session } from '@chatbot/shared';
import type { SessionRow } from './chat.repo.js';
import type { MessageRow } from './message-row.js';

export function toSession(row: Pick<SessionRow, 'id' | 'title' | 'createdAt' | 'updatedAt'>): Session {
  return {
    id: row.id,
    title: row.title,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A session with its settings (detail, update). */
export function toSessionWithSettings(row: SessionRow): Session {
  return {
    ...toSession(row),
    systemPrompt: row.systemPrompt,
    model: row.model,
    temperature: row.temperature,
    pinned: row.pinned,
  };
}

/** A message with its place in the tree; usage when the provider reported any of it. */
export function toMessage(row: MessageRow): Message {
  const hasUsage = row.promptTokens !== null || row.completionTokens !== null;
  return {
    id: row.id,
    role: row.role as Message['role'],
    content: row.content,
    status: row.status as Message['status'],
    createdAt: row.createdAt.toISOString(),
    model: row.model,
    usage: hasUsage
      ? {
          promptTokens: row.promptTokens ?? 0,
          completionTokens: row.completionTokens ?? 0,
          totalTokens: (row.promptTokens ?? 0) + (row.completionTokens ?? 0),
        }
      : null,
    parentId: row.parentId,
    sources: row.sources ?? null,
  };
}
