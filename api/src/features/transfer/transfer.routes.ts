// GET /api/chat/sessions/:id/export, GET /api/export, POST /api/import (with its own, larger body limit).
import type { AppContext } from '../../context.js';
import { limitBody } from '../../http/middleware/security.js';
import { routeGroup } from '../../http/route-table.js';
import { textStreamResponse } from '../../http/text-stream.js';
import { createTransferService } from './transfer.service.js';

/** The path the global body limit skips: this route applies IMPORT_MAX_BYTES itself. */
export const IMPORT_PATH = '/api/import';

/** `attachment` with an ASCII fallback name and the real (UTF-8) one, as RFC 6266 describes. */
function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export function transferRoutes(ctx: AppContext) {
  const service = createTransferService(ctx);
  return routeGroup(ctx)
    .add('exportSession', async (c, { param, query }) => {
      const file = await service.exportSession(c.get('user').id, param.id, query.format);
      return c.body(file.body, 200, {
        'Content-Type': file.contentType,
        'Content-Disposition': attachment(file.filename),
      });
    })
    .add('exportAll', async (c) => {
      const write = await service.exportAll(c.get('user'), c.get('logger'));
      // Written as it is read (textStreamResponse): the file is never one string in memory.
      return textStreamResponse(write, {
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Disposition': attachment(`chatbot-export-${ctx.clock.now().toISOString().slice(0, 10)}.json`),
          'Cache-Control': 'no-store',
        },
      });
    })
    .add('importData', async (c, { json }) => c.json(await service.importFile(c.get('user').id, json), 201), {
      before: [limitBody(ctx.config.IMPORT_MAX_BYTES)],
    }).app;
}
