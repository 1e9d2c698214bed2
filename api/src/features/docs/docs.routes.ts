// GET /api/openapi.json (generated from the route table) and GET /api/docs: Swagger UI served from node_modules, offline,
// under the app's CSP (script-src 'self': the page has no inline script; its init script is a file of its own).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AppContext } from '../../context.js';
import { AppError } from '../../http/app-error.js';
import { routeGroup } from '../../http/route-table.js';
import { buildOpenApiDocument } from './openapi.js';

const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>Chatbot API docs</title>
    <link rel="stylesheet" href="/api/docs/swagger-ui.css" />
    <link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/api/docs/swagger-ui-bundle.js"></script>
    <script src="/api/docs/docs-init.js"></script>
  </body>
</html>
`;

// No validator badge (it would call validator.swagger.io) and "Try it out" against this server.
const INIT_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

/** The files of swagger-ui-dist the page uses; nothing else in node_modules is reachable. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

function swaggerUiDir(): string | undefined {
  try {
    return path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  } catch {
    return undefined;
  }
}

export function docsRoutes(ctx: AppContext) {
  const dir = swaggerUiDir();
  const cache = new Map<string, ArrayBuffer>();
  // Built once: the route table does not change while the process runs.
  const document = JSON.stringify(buildOpenApiDocument());

  return routeGroup(ctx)
    .add('openapi', (c) => {
      c.header('Content-Type', 'application/json; charset=utf-8');
      c.header('Cache-Control', 'no-cache');
      return c.body(document);
    })
    .add('docs', (c) => {
      c.header('Cache-Control', 'no-cache');
      return c.html(DOCS_PAGE);
    })
    .add('docsAsset', async (c, { param }) => {
      const { file } = param;
      if (file === 'docs-init.js') {
        c.header('Content-Type', 'text/javascript; charset=utf-8');
        c.header('Cache-Control', 'no-cache');
        return c.body(INIT_SCRIPT);
      }
      const type = ASSETS[file];
      if (!type || !dir) throw new AppError('NOT_FOUND', `Not found: ${c.req.path}`);
      let bytes = cache.get(file);
      if (!bytes) {
        const buf = await readFile(path.join(dir, file));
        bytes = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
        cache.set(file, bytes);
      }
      c.header('Content-Type', type);
      c.header('Cache-Control', 'public, max-age=3600');
      return c.body(bytes);
    }).app;
}
