// Vite build and dev server for the SPA: Solid + Tailwind, the service worker's precache list; dev proxies /api (and
// the chat WebSocket) to the API.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig, type Plugin } from 'vite';
import solid from 'vite-plugin-solid';
import { trimRouteProse } from './src/build/trim-route-prose';

const API = process.env.API_URL ?? 'http://127.0.0.1:8080';

/** The shell's files besides the build's own: fetched by the service worker at install (public/sw.js). */
const SHELL_PUBLIC_FILES = ['/theme-init.js', '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png'];

/** Writes precache.json: every file of this build (hashed names change each build, so sw.js reads them from here). */
function precacheList(): Plugin {
  return {
    name: 'chatbot-precache-list',
    apply: 'build',
    generateBundle(_options, bundle) {
      const built = Object.keys(bundle)
        .filter((f) => f.startsWith('assets/') && /\.(js|css|woff2?)$/.test(f))
        .map((f) => `/${f}`);
      this.emitFile({
        type: 'asset',
        fileName: 'precache.json',
        source: `${JSON.stringify([...SHELL_PUBLIC_FILES, ...built.sort()])}\n`,
      });
    },
  };
}

/**
 * Writes `<file>.br` and `<file>.gz` beside every built script, style sheet and text asset worth compressing, at the
 * highest levels (done once per build, not per request): the API's static server and nginx (gzip_static) send them
 * to browsers that accept them.
 */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'chatbot-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      for (const file of Object.keys(bundle)) {
        if (!/\.(js|css|svg|json|html|webmanifest)$/.test(file)) continue;
        const full = path.join(outDir, file);
        const data = readFileSync(full);
        if (data.length < 1024) continue;
        writeFileSync(`${full}.gz`, gzipSync(data, { level: 9 }));
        writeFileSync(
          `${full}.br`,
          brotliCompressSync(data, {
            params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
          }),
        );
      }
    },
  };
}

export default defineConfig({
  plugins: [solid(), tailwindcss(), precacheList(), precompress(), trimRouteProse()],
  server: {
    port: 5173,
    proxy: { '/api': { target: API, changeOrigin: true, ws: true } },
  },
  build: {
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    manifest: true,
    modulePreload: false,
  },
});
