// Code highlighting loaded per language: the language table (highlight-languages.ts), highlight.js's core and a
// language's grammar are fetched the first time a code block in that language is shown, never with the chat page.
// Until then (and for languages we do not ship) the code shows plain; `onHighlighterReady` tells the Markdown views to
// render once more.
import type { HLJSApi } from 'highlight.js';

let core: HLJSApi | undefined;
let corePromise: Promise<HLJSApi> | undefined;
let table: Promise<typeof import('./highlight-languages')> | undefined;
/** A fence's language (lower-case) → the grammar registered for it. */
const registered = new Map<string, string>();
const loading = new Map<string, Promise<void>>();
const listeners = new Set<() => void>();

/** Called after a grammar has loaded: whatever showed plain code in that language can render again. */
export function onHighlighterReady(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function loadCore(): Promise<HLJSApi> {
  corePromise ??= import('highlight.js/lib/core').then((m) => {
    core = m.default;
    return core;
  });
  return corePromise;
}

/** Loads what highlighting `lang` needs, once; resolves when done (or when we have no grammar for it). */
export function loadGrammar(lang: string): Promise<void> {
  const key = lang.toLowerCase();
  let p = loading.get(key);
  if (!p) {
    p = (async () => {
      table ??= import('./highlight-languages');
      const languages = await table;
      const name = languages.grammarName(key);
      if (!name) return;
      const [hljs, grammar] = await Promise.all([loadCore(), languages.loadLanguage(name)]);
      if (!hljs.getLanguage(name)) hljs.registerLanguage(name, grammar);
      registered.set(key, name);
      for (const fn of listeners) fn();
    })();
    // A failed fetch (offline, a deploy replaced the chunk) leaves the code plain; the next render may retry.
    p.catch(() => {
      loading.delete(key);
      table = undefined;
    });
    loading.set(key, p);
  }
  return p;
}

/**
 * Highlighted HTML for `code` if its grammar is loaded; otherwise undefined (the caller shows the code as text) and
 * the grammar starts loading.
 */
export function highlightNow(code: string, lang: string): string | undefined {
  const name = registered.get(lang.toLowerCase());
  if (core && name) return core.highlight(code, { language: name, ignoreIllegals: true }).value;
  void loadGrammar(lang).catch(() => {});
  return undefined;
}
