// Serves the built SPA (ui/dist) from the API process, so one port gives both; unknown paths fall back to index.html.
// Hashed assets go out precompressed (brotli or gzip, as the browser accepts) and cached for a year.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { Config } from './config.js';
import type { AppEnv } from './http/app-env.js';

export function findUiDist(config: Config): string | undefined {
  if (config.UI_DIST_DIR) return path.resolve(config.UI_DIST_DIR);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'ui', 'dist');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

export function serveUi(app: Hono<AppEnv>, config: Config): void {
  const root = findUiDist(config);
  if (!root || !existsSync(path.join(root, 'index.html'))) return;
  const relRoot = path.relative(process.cwd(), root) || '.';
  app.use(
    '/assets/*',
    serveStatic({
      root: relRoot,
      // The build writes .br and .gz beside each asset (ui/vite.config.ts): sent as is to browsers that accept them.
      precompressed: true,
      onFound: (_p, c) => {
        c.header('Cache-Control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  app.use(
    '*',
    serveStatic({
      root: relRoot,
      onFound: (p, c) => {
        if (p.endsWith('.html') || p.endsWith('sw.js')) c.header('Cache-Control', 'no-cache');
      },
    }),
  );
  const indexHtml = readFileSync(path.join(root, 'index.html'), 'utf8');
  app.get('*', (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.html(indexHtml);
  });
}
