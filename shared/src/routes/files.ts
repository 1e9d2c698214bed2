// Route table: files in the conversation (CONTRACT.md "Files"): upload, list, read, attach/detach, delete.
import { AUTHED, type RouteSpec } from './route-spec.js';

export const filesRoutes = {
  uploadFile: {
    method: 'POST',
    path: '/api/files',
    summary:
      'Upload a file (multipart: `file`, optional `sessionId`): PDF, DOCX, Markdown, text, HTML, CSV, PNG, JPEG or WebP, judged by its content',
    tag: 'files',
    auth: 'bearer',
    multipart: 'uploadFileRequestSchema',
    success: {
      status: 201,
      description: 'The file: `processing` while its text is extracted (images are `ready` at once)',
      schema: 'fileSchema',
    },
    errors: [400, 401, 403, 404, 409, 413, 415],
  },
  listFiles: {
    method: 'GET',
    path: '/api/files',
    summary: "The user's files, newest first (a conversation's with `sessionId`; by name with `q`)",
    tag: 'files',
    auth: 'bearer',
    query: 'fileListQuerySchema',
    success: { status: 200, description: 'A page of files', schema: 'fileListResponseSchema' },
    errors: [400, 401],
  },
  getFile: {
    method: 'GET',
    path: '/api/files/{id}',
    summary: 'One file and its state',
    tag: 'files',
    auth: 'bearer',
    params: 'fileIdParamSchema',
    success: { status: 200, description: 'The file', schema: 'fileSchema' },
    errors: [400, 401, 404],
  },
  updateFile: {
    method: 'PATCH',
    path: '/api/files/{id}',
    summary: 'Attach a file to a conversation (`sessionId`), or detach it (null)',
    tag: 'files',
    auth: 'bearer',
    params: 'fileIdParamSchema',
    body: 'updateFileRequestSchema',
    success: { status: 200, description: 'The file', schema: 'fileSchema' },
    errors: [400, 401, 403, 404, 413],
  },
  deleteFile: {
    method: 'DELETE',
    path: '/api/files/{id}',
    summary: 'Delete a file and its passages',
    tag: 'files',
    auth: 'bearer',
    params: 'fileIdParamSchema',
    success: { status: 204, description: 'Deleted' },
    errors: [...AUTHED, 400, 404],
  },
} as const satisfies Record<string, RouteSpec>;
