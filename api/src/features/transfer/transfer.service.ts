// Export (a session as Markdown or JSON, or all of a user's data as JSON) and import of that JSON, all or nothing.
import {
  type ExportFormat,
  type ImportResponse,
  TRANSFER_FORMAT_VERSION,
  type TransferFile,
  type TransferSession,
} from '@chatbot/shared';
import type { AppContext } from '../../context.js';
import { errors } from '../../http/app-error.js';
import { requireOwnedSession } from '../chat/session-access.js';
import { createTransferRepo } from './transfer.repo.js';

export interface ExportedFile {
  body: string;
  contentType: string;
  filename: string;
}

export interface TransferService {
  /** 404 NOT_FOUND when missing, 403 FORBIDDEN when it is another user's. */
  exportSession(userId: number, sessionId: number, format: ExportFormat): Promise<ExportedFile>;
  exportAll(user: { id: number; username: string; email: string }): Promise<TransferFile>;
  importFile(userId: number, file: TransferFile): Promise<ImportResponse>;
}

/** "2026-11-26 03:30 UTC": readable in a transcript, unambiguous everywhere. */
function readableTime(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** A readable transcript: title, dates, then each message under who wrote it. */
export function toMarkdown(session: TransferSession, exportedAt: string): string {
  const lines = [
    `# ${session.title.replace(/\s+/g, ' ')}`,
    '',
    `- Created: ${readableTime(session.createdAt)}`,
    `- Updated: ${readableTime(session.updatedAt)}`,
    `- Exported from Chatbot: ${readableTime(exportedAt)}`,
  ];
  for (const m of session.messages) {
    const who = m.role === 'user' ? 'You' : `Assistant${m.model ? ` (${m.model})` : ''}`;
    const note = m.status === 'complete' ? '' : m.status === 'stopped' ? ' · _stopped_' : ' · _failed_';
    lines.push('', '---', '', `**${who}** · ${readableTime(m.createdAt)}${note}`, '', m.content);
    if (m.sources?.length) {
      lines.push('', 'Sources:');
      for (const src of m.sources) {
        const where = [src.page !== null ? `page ${src.page}` : null, src.section].filter(Boolean).join(', ');
        lines.push(`- [${src.n}] ${src.fileName}${where ? ` (${where})` : ''}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The title as a file name: path separators, quotes and control characters out, length bounded. */
export function fileNameFor(title: string, extension: string): string {
  const base = title
    .replace(/[\p{Cc}/\\:*?"<>|]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80);
  return `${base || 'conversation'}.${extension}`;
}

export function createTransferService(ctx: AppContext): TransferService {
  const repo = createTransferRepo(ctx.db);
  const now = () => ctx.clock.now().toISOString();

  return {
    async exportSession(userId, sessionId, format) {
      await requireOwnedSession(ctx.db, userId, sessionId);
      const [session] = await repo.loadSessions(userId, sessionId);
      // Deleted between the two reads.
      if (!session) throw errors.notFound('Session');
      const exportedAt = now();
      if (format === 'markdown') {
        return {
          body: toMarkdown(session, exportedAt),
          contentType: 'text/markdown; charset=utf-8',
          filename: fileNameFor(session.title, 'md'),
        };
      }
      const file: TransferFile = { version: TRANSFER_FORMAT_VERSION, exportedAt, sessions: [session] };
      return {
        body: JSON.stringify(file, null, 2),
        contentType: 'application/json; charset=utf-8',
        filename: fileNameFor(session.title, 'json'),
      };
    },

    async exportAll(user) {
      return {
        version: TRANSFER_FORMAT_VERSION,
        exportedAt: now(),
        user: { username: user.username, email: user.email },
        sessions: await repo.loadSessions(user.id),
      };
    },

    async importFile(userId, file) {
      // The file was validated whole before this point, and the writes are one transaction: nothing half-imported.
      const sessionIds = await repo.insertSessions(userId, file.sessions);
      ctx.logger.info({ userId, sessions: sessionIds.length }, 'data imported');
      return { imported: sessionIds.length, sessionIds };
    },
  };
}
