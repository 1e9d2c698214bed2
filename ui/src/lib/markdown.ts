// Markdown → sanitised HTML. Loaded on first use (dynamic import) so marked, DOMPurify and highlight.js stay out of the first load.
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import css from 'highlight.js/lib/languages/css';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import { Marked, type Tokens } from 'marked';

const languages = { bash, css, javascript, json, python, sql, typescript, xml } as const;
for (const [name, lang] of Object.entries(languages)) hljs.registerLanguage(name, lang);
const aliases: Record<string, string> = {
  sh: 'bash',
  shell: 'bash',
  js: 'javascript',
  ts: 'typescript',
  html: 'xml',
  py: 'python',
};
for (const [alias, name] of Object.entries(aliases)) hljs.registerAliases(alias, { languageName: name });

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Words the rendered HTML shows (from the i18n dictionary; this module stays free of UI state). */
const labels = { copy: 'Copy', copyCode: 'Copy code' };

const marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    code({ text, lang }: Tokens.Code) {
      const language = (lang ?? '').trim().split(/\s+/)[0] ?? '';
      const known = language && hljs.getLanguage(language);
      const body = known ? hljs.highlight(text, { language, ignoreIllegals: true }).value : escapeHtml(text);
      // The copy button is wired by one delegated click handler in the Markdown component (no inline handlers: CSP).
      return `<div class="code-block"><div class="code-head"><span>${escapeHtml(language || 'text')}</span><button type="button" class="copy-code" data-copy-code aria-label="${escapeHtml(labels.copyCode)}">${escapeHtml(labels.copy)}</button></div><pre><code class="hljs${known ? ` language-${escapeHtml(language)}` : ''}">${body}</code></pre></div>`;
    },
    // Raw HTML in a message is shown as text, never interpreted: a message cannot smuggle markup in.
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
  },
});

const SAFE_URL = /^(?:https?:|mailto:|#|\/(?!\/))/i;

let hooked = false;
function ensureHooks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      const href = node.getAttribute('href');
      // Only web, mail and in-page links survive; `javascript:`, `data:`, `vbscript:` … are dropped.
      if (href !== null && !SAFE_URL.test(href.trim())) node.removeAttribute('href');
      if (node.hasAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    }
  });
}

/** Renders a message's Markdown to HTML that is safe to put in innerHTML. */
export function renderMarkdown(source: string, words?: { copy: string; copyCode: string }): string {
  ensureHooks();
  if (words) Object.assign(labels, words);
  const html = marked.parse(source, { async: false });
  return DOMPurify.sanitize(html, {
    ADD_ATTR: ['target', 'data-copy-code'],
    FORBID_TAGS: ['style', 'form', 'input', 'iframe', 'object', 'embed'],
  });
}
