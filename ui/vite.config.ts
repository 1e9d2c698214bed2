// Vite build and dev server for the SPA: Solid + Tailwind, the service worker's precache list; dev proxies /api (and
// the chat WebSocket) to the API.
import tailwindcss from '@tailwindcss/vite';
import { defineConfig, type Plugin } from 'vite';
import solid from 'vite-plugin-solid';

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

export default defineConfig({
  plugins: [solid(), tailwindcss(), precacheList()],
  server: {
    port: 5173,
    proxy: { '/api': { target: API, changeOrigin: true, ws: true } },
  },
  build: { target: 'es2022', sourcemap: false, reportCompressedSize: false, manifest: true },
});
