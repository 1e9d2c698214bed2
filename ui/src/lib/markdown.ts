// Markdown → DOM. marked's lexer reads the text into tokens and each token becomes elements built with
// createElement and text nodes: nothing from a message is ever parsed as HTML, so there is no markup to sanitise
// (raw HTML in a message is shown as text), and links keep only web, mail and in-page addresses. The one HTML string
// inserted is highlight.js's output for a code block, which escapes the code itself. Loaded on first use (dynamic
// import) so marked stays out of the first load; highlighting loads per language (highlight.ts).
import { Lexer, type Token, type Tokens } from 'marked';
import { highlightNow } from './highlight';

export { onHighlighterReady } from './highlight';

const LEX_OPTIONS = { gfm: true, breaks: true } as const;
/** Web, mail and in-page links only: `javascript:`, `data:`, `vbscript:`, protocol-relative … are dropped. */
const SAFE_URL = /^(?:https?:|mailto:|#|\/(?!\/))/i;
/** Images only from the web or this origin (never `data:` or `javascript:`). */
const SAFE_IMAGE = /^(?:https?:|\/(?!\/))/i;

/** Words the rendered DOM shows (from the i18n dictionary; this module stays free of UI state). */
export interface MarkdownWords {
  copy: string;
  copyCode: string;
}
const defaultWords: MarkdownWords = { copy: 'Copy', copyCode: 'Copy code' };

function add<K extends keyof HTMLElementTagNameMap>(parent: Node, tag: K, className?: string) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  parent.appendChild(el);
  return el;
}

function addText(parent: Node, text: string): void {
  parent.appendChild(document.createTextNode(text));
}

function codeBlock(parent: Node, token: Tokens.Code, words: MarkdownWords): void {
  const language = (token.lang ?? '').trim().split(/\s+/)[0] ?? '';
  const block = add(parent, 'div', 'code-block');
  const head = add(block, 'div', 'code-head');
  addText(add(head, 'span'), language || 'text');
  // Wired by one delegated click handler in the Markdown component (no inline handlers: CSP).
  const button = add(head, 'button', 'copy-code');
  button.type = 'button';
  button.setAttribute('data-copy-code', '');
  button.setAttribute('aria-label', words.copyCode);
  addText(button, words.copy);
  const code = add(add(block, 'pre'), 'code', 'hljs');
  // Highlighted once the language's grammar has loaded; plain text until then.
  const highlighted = language ? highlightNow(token.text, language) : undefined;
  if (highlighted === undefined) addText(code, token.text);
  else {
    code.classList.add(`language-${language}`);
    code.innerHTML = highlighted;
  }
}

function link(parent: Node, token: Tokens.Link): void {
  const href = token.href.trim();
  if (!SAFE_URL.test(href)) {
    // An address we do not follow: its words stay, without a link.
    inline(parent, token.tokens);
    return;
  }
  const a = add(parent, 'a');
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  if (token.title) a.title = token.title;
  inline(a, token.tokens);
}

function image(parent: Node, token: Tokens.Image): void {
  const src = token.href.trim();
  if (!SAFE_IMAGE.test(src)) {
    addText(parent, token.text);
    return;
  }
  const img = add(parent, 'img');
  img.src = src;
  img.alt = token.text;
  img.setAttribute('loading', 'lazy');
  img.setAttribute('referrerpolicy', 'no-referrer');
  if (token.title) img.title = token.title;
}

function inline(parent: Node, tokens: Token[] | undefined): void {
  for (const token of tokens ?? []) {
    switch (token.type) {
      case 'text':
        if ('tokens' in token && token.tokens?.length) inline(parent, token.tokens);
        else addText(parent, token.text);
        break;
      case 'escape':
      case 'html':
      case 'tag':
        // Raw HTML is shown as the text it is, never interpreted.
        addText(parent, token.type === 'escape' ? token.text : token.raw);
        break;
      case 'strong':
        inline(add(parent, 'strong'), token.tokens);
        break;
      case 'em':
        inline(add(parent, 'em'), token.tokens);
        break;
      case 'del':
        inline(add(parent, 'del'), token.tokens);
        break;
      case 'codespan':
        addText(add(parent, 'code'), token.text);
        break;
      case 'br':
        add(parent, 'br');
        break;
      case 'link':
        link(parent, token as Tokens.Link);
        break;
      case 'image':
        image(parent, token as Tokens.Image);
        break;
      default:
        addText(parent, token.raw);
    }
  }
}

function table(parent: Node, token: Tokens.Table): void {
  const t = add(parent, 'table');
  const align = (cell: HTMLTableCellElement, i: number) => {
    const a = token.align[i];
    if (a) cell.style.textAlign = a;
  };
  const headRow = add(add(t, 'thead'), 'tr');
  token.header.forEach((cell, i) => {
    const th = add(headRow, 'th');
    align(th, i);
    inline(th, cell.tokens);
  });
  const body = add(t, 'tbody');
  for (const row of token.rows) {
    const tr = add(body, 'tr');
    row.forEach((cell, i) => {
      const td = add(tr, 'td');
      align(td, i);
      inline(td, cell.tokens);
    });
  }
}

function list(parent: Node, token: Tokens.List, words: MarkdownWords): void {
  const l = add(parent, token.ordered ? 'ol' : 'ul');
  if (token.ordered && typeof token.start === 'number' && token.start !== 1)
    l.setAttribute('start', String(token.start));
  for (const item of token.items) {
    const li = add(l, 'li');
    if (item.task) {
      const box = add(li, 'input');
      box.type = 'checkbox';
      box.disabled = true;
      box.checked = Boolean(item.checked);
      addText(li, ' ');
    }
    // marked leaves the checkbox as the item's first token; it is drawn above.
    blocks(
      li,
      item.tokens.filter((t) => t.type !== 'checkbox'),
      words,
    );
  }
}

function blocks(parent: Node, tokens: Token[], words: MarkdownWords): void {
  for (const token of tokens) {
    switch (token.type) {
      case 'space':
      case 'def':
        break;
      case 'paragraph':
        inline(add(parent, 'p'), token.tokens);
        break;
      case 'heading':
        inline(add(parent, `h${Math.min(6, Math.max(1, token.depth))}` as 'h1'), token.tokens);
        break;
      case 'code':
        codeBlock(parent, token as Tokens.Code, words);
        break;
      case 'blockquote':
        blocks(add(parent, 'blockquote'), token.tokens ?? [], words);
        break;
      case 'list':
        list(parent, token as Tokens.List, words);
        break;
      case 'table':
        table(parent, token as Tokens.Table);
        break;
      case 'hr':
        add(parent, 'hr');
        break;
      case 'html':
        addText(add(parent, 'p'), token.raw);
        break;
      case 'text':
        // A tight list item's text: inline content without a paragraph.
        if ('tokens' in token && token.tokens?.length) inline(parent, token.tokens);
        else addText(parent, token.text);
        break;
      default:
        addText(parent, token.raw);
    }
  }
}

/**
 * Turns `[n]` in the text (not in code or links) into a button for source n when the answer has one: a delegated
 * click on `[data-cite]` opens it (components/markdown.tsx).
 */
function linkCitations(root: DocumentFragment, citations: ReadonlySet<number>): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const hits: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (/\[\d{1,3}\]/.test(n.nodeValue ?? '') && !n.parentElement?.closest('code, pre, a')) hits.push(n as Text);
  }
  for (const node of hits) {
    const parts = (node.nodeValue ?? '').split(/(\[\d{1,3}\])/);
    const out = document.createDocumentFragment();
    for (const part of parts) {
      const n = /^\[(\d{1,3})\]$/.exec(part);
      if (n && citations.has(Number(n[1]))) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'cite';
        b.setAttribute('data-cite', n[1] as string);
        b.textContent = part;
        out.appendChild(b);
      } else if (part) out.appendChild(document.createTextNode(part));
    }
    node.replaceWith(out);
  }
}

/** Renders a message's Markdown as DOM nodes (a fragment to put into its container). */
export function renderMarkdown(
  source: string,
  words: MarkdownWords = defaultWords,
  citations?: ReadonlySet<number>,
): DocumentFragment {
  const fragment = document.createDocumentFragment();
  blocks(fragment, Lexer.lex(source, LEX_OPTIONS), words);
  if (citations?.size) linkCitations(fragment, citations);
  return fragment;
}
