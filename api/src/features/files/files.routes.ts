// /api/files: upload (multipart), list, read, attach to a conversation, delete. Paths, auth and validation of the
// JSON routes come from the route table; the upload reads its multipart body itself, under its own size limit.
import type { AppContext } from '../../context.js';
import { AppError, errors } from '../../http/app-error.js';
import { limitBody } from '../../http/middleware/security.js';
import { routeGroup } from '../../http/route-table.js';
import { createFilesService } from './files.service.js';

/** The path the global body limit skips: the upload applies FILE_MAX_BYTES itself. */
export const UPLOAD_PATH = '/api/files';

/** Room for the multipart framing and the other fields beside the file's own bytes. */
const MULTIPART_OVERHEAD = 64 * 1024;

export function filesRoutes(ctx: AppContext) {
  const service = createFilesService(ctx);
  const max = ctx.config.FILE_MAX_BYTES;
  return routeGroup(ctx)
    .add(
      'uploadFile',
      async (c) => {
        const type = c.req.header('content-type') ?? '';
        if (!/^multipart\/form-data/i.test(type)) {
          throw errors.validation('Content-Type must be multipart/form-data with a `file` part', 'body');
        }
        let form: Record<string, string | File | (string | File)[]>;
        try {
          form = await c.req.parseBody({ all: true });
        } catch (err) {
          if (err instanceof AppError) throw err;
          throw errors.validation('The multipart body could not be read', 'body');
        }
        const file = form.file;
        if (!(file instanceof File)) throw errors.validation('file is required (a file part named `file`)', 'file');
        const rawSession = form.sessionId;
        let sessionId: number | null = null;
        if (rawSession !== undefined && rawSession !== '') {
          if (typeof rawSession !== 'string' || !/^\d{1,10}$/.test(rawSession) || Number(rawSession) < 1) {
            throw errors.validation('sessionId must be a positive integer', 'sessionId');
          }
          sessionId = Number(rawSession);
        }
        if (file.size > max) throw errors.payloadTooLarge(`The file is larger than ${max} bytes`);
        const bytes = Buffer.from(await file.arrayBuffer());
        return c.json(await service.upload(c.get('user').id, { name: file.name, bytes, sessionId }), 201);
      },
      { before: [limitBody(max + MULTIPART_OVERHEAD)] },
    )
    .add('listFiles', async (c, { query }) => c.json(await service.list(c.get('user').id, query)))
    .add('getFile', async (c, { param }) => c.json(await service.get(c.get('user').id, param.id)))
    .add('updateFile', async (c, { param, json }) =>
      c.json(await service.attach(c.get('user').id, param.id, json.sessionId)),
    )
    .add('deleteFile', async (c, { param }) => {
      await service.remove(c.get('user').id, param.id);
      return c.body(null, 204);
    }).app;
}
