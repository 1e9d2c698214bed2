#!/usr/bin/env node
// Checks the built UI (ui/dist) against its budgets, gzip sizes; prints a table.
// - "Initial" = what index.html loads before any route renders: its scripts and the entry chunk's static imports
//   (from Vite's manifest): ≤ 60 KB JS, ≤ 15 KB CSS.
// - "Chat with messages" = what a browser fetches to show an open conversation whose messages have Markdown: the
//   initial set, the chat page's chunk with its static imports, and the Markdown renderer with its imports
//   (everything the page imports at once when it opens with a conversation): ≤ 60 KB JS. Code highlighting (per
//   language) and other languages' words load only when used and are listed for information.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.resolve(process.argv[2] ?? path.join(root, 'ui', 'dist'));
const BUDGET = { js: 60 * 1024, css: 15 * 1024, chat: 60 * 1024 };
const CHAT_PAGE = 'src/pages/chat.page.tsx';
const MARKDOWN = 'src/lib/markdown.ts';

const manifestPath = path.join(dist, '.vite', 'manifest.json');
if (!existsSync(manifestPath)) {
  process.stderr.write(`no build manifest at ${manifestPath}: run \`vite build\` in ui/ first\n`);
  process.exit(1);
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const gz = (file) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

/** A chunk and everything it imports statically (what the browser must fetch before running it). */
function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const dep of manifest[key]?.imports ?? []) closure(dep, seen);
  return seen;
}

const entries = Object.keys(manifest).filter((k) => manifest[k].isEntry);
const initialKeys = new Set();
for (const e of entries) closure(e, initialKeys);
const initialJs = [...initialKeys].map((k) => manifest[k].file);
const initialCss = [...new Set([...initialKeys].flatMap((k) => manifest[k].css ?? []))];

// Scripts index.html loads that Vite does not bundle (the theme-before-paint file in public/).
const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
for (const m of html.matchAll(/<script[^>]*\ssrc="\/([^"]+)"/g)) {
  const file = m[1];
  if (!initialJs.includes(file) && existsSync(path.join(dist, file))) initialJs.push(file);
}

// The open conversation: its page and the Markdown renderer, each with what it imports statically.
const chatKeys = new Set(initialKeys);
for (const k of [CHAT_PAGE, MARKDOWN]) {
  if (!manifest[k]) {
    process.stderr.write(`no ${k} in the build manifest: the chat page or the Markdown renderer moved\n`);
    process.exit(1);
  }
  closure(k, chatKeys);
}
const chatJs = [...new Set([...[...chatKeys].map((k) => manifest[k].file), ...initialJs])];

const rows = [];
let jsTotal = 0;
let cssTotal = 0;
for (const f of initialJs) {
  const size = gz(f);
  jsTotal += size;
  rows.push(['initial js', f, size]);
}
for (const f of initialCss) {
  const size = gz(f);
  cssTotal += size;
  rows.push(['initial css', f, size]);
}
let chatTotal = 0;
for (const f of chatJs) chatTotal += gz(f);
const lazyKeys = Object.keys(manifest).filter((k) => !initialKeys.has(k) && manifest[k].file.endsWith('.js'));
for (const k of lazyKeys) rows.push([chatKeys.has(k) ? 'chat js' : 'lazy js', manifest[k].file, gz(manifest[k].file)]);

const w = Math.max(...rows.map((r) => r[1].length), 10);
const out = [`${'kind'.padEnd(12)} ${'file'.padEnd(w)} gzip`, `${'-'.repeat(12)} ${'-'.repeat(w)} ${'-'.repeat(9)}`];
for (const [kind, file, size] of rows) out.push(`${kind.padEnd(12)} ${file.padEnd(w)} ${kb(size).padStart(9)}`);
out.push('');
const jsOk = jsTotal <= BUDGET.js;
const cssOk = cssTotal <= BUDGET.css;
const chatOk = chatTotal <= BUDGET.chat;
out.push(`initial JS  ${kb(jsTotal).padStart(9)} / ${kb(BUDGET.js)}  ${jsOk ? 'ok' : 'OVER BUDGET'}`);
out.push(`CSS         ${kb(cssTotal).padStart(9)} / ${kb(BUDGET.css)}  ${cssOk ? 'ok' : 'OVER BUDGET'}`);
out.push(`chat + msgs ${kb(chatTotal).padStart(9)} / ${kb(BUDGET.chat)}  ${chatOk ? 'ok' : 'OVER BUDGET'}`);
process.stdout.write(`${out.join('\n')}\n`);
process.exit(jsOk && cssOk && chatOk ? 0 : 1);
