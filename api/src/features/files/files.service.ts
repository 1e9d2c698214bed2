// Files a user owns: upload (type judged by content, size and count limits), list, read, attach, delete.
import type { FileInfo, FileListResponse } from '@chatbot/shared';
import type { AppContext } from '../../context.js';
import { AppError, errors } from '../../http/app-error.js';
import { requireOwnedSession } from '../chat/session-access.js';
import { detectFileType, isImageType } from './detect.js';
import { docxNestingReason, pdfNestingReason, zipBombReason } from './extract.js';
import { createFilesRepo } from './files.repo.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export interface Upload {
  name: string;
  bytes: Buffer;
  sessionId: number | null;
}

/** A name fit to store and show: no path, no control characters, at most 255 characters. */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\p{Cc}\p{Cf}]+/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.slice(0, 255) || 'file';
}

const MB = 1024 * 1024;
const sizeWords = (bytes: number) =>
  bytes >= MB ? `${Math.round((bytes / MB) * 10) / 10} MB` : `${Math.ceil(bytes / 1024)} KB`;

export function createFilesService(ctx: AppContext) {
  const repo = createFilesRepo(ctx.db);
  const { config } = ctx;
  const notFound = () => errors.notFound('File');

  return {
    async upload(userId: number, u: Upload): Promise<FileInfo> {
      if (u.bytes.length > config.FILE_MAX_BYTES) {
        throw errors.payloadTooLarge(`The file is larger than ${sizeWords(config.FILE_MAX_BYTES)}`);
      }
      if (u.bytes.length === 0) throw errors.validation('The file is empty', 'file');
      const name = cleanFileName(u.name);
      const mimeType = detectFileType(u.bytes, name);
      if (!mimeType) {
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          'This file type is not supported: send PDF, DOCX, Markdown, text, HTML, CSV, PNG, JPEG or WebP',
          { field: 'file' },
        );
      }
      if (mimeType === 'application/pdf') {
        const nested = pdfNestingReason(u.bytes);
        if (nested) throw errors.validation(nested, 'file');
      }
      if (mimeType === DOCX) {
        const bomb = zipBombReason(u.bytes);
        if (bomb) throw errors.payloadTooLarge(bomb);
        const nested = await docxNestingReason(u.bytes);
        if (nested) throw errors.validation(nested, 'file');
      }
      if (u.sessionId !== null) await requireOwnedSession(ctx.db, userId, u.sessionId);
      const stored = await repo.insert(
        {
          userId,
          sessionId: u.sessionId,
          name,
          mimeType,
          size: u.bytes.length,
          content: u.bytes,
          status: isImageType(mimeType) ? 'ready' : 'processing',
        },
        config.FILES_MAX_PER_USER,
        config.MAX_STORAGE_BYTES_PER_USER,
      );
      if (!stored) {
        throw new AppError(
          'LIMIT_REACHED',
          `You have ${config.FILES_MAX_PER_USER} files, the most you may keep; delete some to upload more`,
        );
      }
      return stored;
    },

    list(
      userId: number,
      q: { sessionId?: number; q?: string; limit: number; offset: number },
    ): Promise<FileListResponse> {
      return repo.list(userId, q);
    },

    async get(userId: number, id: number): Promise<FileInfo> {
      return (await repo.get(userId, id)) ?? Promise.reject(notFound());
    },

    async attach(userId: number, id: number, sessionId: number | null): Promise<FileInfo> {
      // The file first: another user's file is 404 whatever the session.
      if (!(await repo.get(userId, id))) throw notFound();
      if (sessionId !== null) await requireOwnedSession(ctx.db, userId, sessionId);
      return (await repo.setSession(userId, id, sessionId)) ?? Promise.reject(notFound());
    },

    async remove(userId: number, id: number): Promise<void> {
      if (!(await repo.delete(userId, id))) throw notFound();
    },
  };
}
