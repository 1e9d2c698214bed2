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
import { loggableError } from '../../http/error-handler.js';
import type { TextSink } from '../../http/text-stream.js';
import type { Logger } from '../../lib/logger.js';
import { requireOwnedSession } from '../chat/session-access.js';
import { createTransferRepo, type SessionCursor } from './transfer.repo.js';

export interface ExportedFile {
  body: string;
  contentType: string;
  filename: string;
}

/** Writes the whole export to `sink`, session by session; never throws (a failure aborts the response). */
export type ExportWriter = (sink: TextSink) => Promise<void>;

export interface TransferService {
  /** 404 NOT_FOUND when missing, 403 FORBIDDEN when it is another user's. 429 past TRANSFER_RATE_LIMIT_PER_MINUTE. */
  exportSession(userId: number, sessionId: number, format: ExportFormat): Promise<ExportedFile>;
  /** Every session, a page at a time (never the whole file in memory). 429 past the rate limit, before anything. */
  exportAll(user: { id: number; username: string; email: string }, log: Logger): Promise<ExportWriter>;
  /** All or nothing. 429 past the rate limit; 409 LIMIT_REACHED past MAX_SESSIONS_PER_USER or the storage limit. */
  importFile(userId: number, file: TransferFile): Promise<ImportResponse>;
}

/** Sessions read per query by the full export, and messages per query within a session. */
export const EXPORT_SESSION_PAGE = 100;
export const EXPORT_MESSAGE_PAGE = 500;

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

  const limitTransfers = (userId: number) =>
    ctx.rateLimiter.hit(`transfer:${userId}`, ctx.config.TRANSFER_RATE_LIMIT_PER_MINUTE);

  /**
   * The export file as text, in the order and shape JSON.stringify gives the TransferFile (version, exportedAt,
   * user, sessions; each session's title, createdAt, updatedAt, messages), written as the pages are read.
   */
  async function writeAll(
    user: { id: number; username: string; email: string },
    exportedAt: string,
    sink: TextSink,
  ): Promise<'done' | 'gone'> {
    let gone = false;
    sink.onClose(() => {
      gone = true;
    });
    const head = JSON.stringify({
      version: TRANSFER_FORMAT_VERSION,
      exportedAt,
      user: { username: user.username, email: user.email },
    });
    await sink.write(`${head.slice(0, -1)},"sessions":[`);
    let after: SessionCursor | null = null;
    let firstSession = true;
    for (;;) {
      const page = await repo.sessionPage(user.id, after, EXPORT_SESSION_PAGE);
      for (const session of page) {
        const sessionHead = JSON.stringify({
          title: session.title,
          createdAt: session.createdAt,
          updatedAt: session.updatedAt,
        });
        await sink.write(`${firstSession ? '' : ','}${sessionHead.slice(0, -1)},"messages":[`);
        firstSession = false;
        let afterId = 0;
        let firstMessage = true;
        for (;;) {
          if (gone) return 'gone';
          const { messages, lastId } = await repo.messagePage(session.id, afterId, EXPORT_MESSAGE_PAGE);
          if (messages.length > 0) {
            await sink.write(`${firstMessage ? '' : ','}${messages.map((m) => JSON.stringify(m)).join(',')}`);
            firstMessage = false;
          }
          if (messages.length < EXPORT_MESSAGE_PAGE) break;
          afterId = lastId;
        }
        await sink.write(']}');
      }
      if (gone) return 'gone';
      if (page.length < EXPORT_SESSION_PAGE) break;
      after = page.at(-1)!.cursor;
    }
    await sink.write(']}');
    return 'done';
  }

  return {
    async exportAll(user, log) {
      await limitTransfers(user.id);
      const exportedAt = now();
      return async (sink) => {
        try {
          if ((await writeAll(user, exportedAt, sink)) === 'done') sink.end();
        } catch (err) {
          // The status line is long gone: cut the connection, so the client cannot take a partial file as whole.
          log.error({ err: loggableError(err as Error), userId: user.id }, 'export failed part way');
          sink.abort();
        }
      };
    },

    async exportSession(userId, sessionId, format) {
      await limitTransfers(userId);
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

    async importFile(userId, file) {
      await limitTransfers(userId);
      // The file was validated whole before this point, and the writes are one transaction: nothing half-imported.
      const sessionIds = await repo.insertSessions(userId, file.sessions, {
        maxSessions: ctx.config.MAX_SESSIONS_PER_USER,
        maxStorageBytes: ctx.config.MAX_STORAGE_BYTES_PER_USER,
      });
      ctx.logger.info({ userId, sessions: sessionIds.length }, 'data imported');
      return { imported: sessionIds.length, sessionIds };
    },
  };
}
