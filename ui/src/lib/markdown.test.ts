// Markdown rendering: formatting survives, anything that could run script does not.
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown';

function dom(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

describe('renderMarkdown', () => {
  it('renders headings, lists, tables and inline code', () => {
    const el = dom(renderMarkdown('# Title\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nuse `x`'));
    expect(el.querySelector('h1')?.textContent).toBe('Title');
    expect(el.querySelectorAll('li')).toHaveLength(2);
    expect(el.querySelector('table td')?.textContent).toBe('1');
    expect(el.querySelector('code')?.textContent).toBe('x');
  });

  it('shows raw HTML as text: an <img onerror> never becomes an element', () => {
    const el = dom(renderMarkdown('look <img src=x onerror=alert(1)> here'));
    expect(el.querySelector('img')).toBeNull();
    expect(el.innerHTML).not.toMatch(/<img/i);
    expect(el.textContent).toContain('<img src=x onerror=alert(1)>');
  });

  it('drops javascript: links and opens web links safely in a new tab', () => {
    const el = dom(renderMarkdown('[bad](javascript:alert(1)) and [good](https://example.com)'));
    const links = [...el.querySelectorAll('a')];
    expect(links.some((a) => (a.getAttribute('href') ?? '').toLowerCase().includes('javascript'))).toBe(false);
    const good = links.find((a) => a.textContent === 'good');
    expect(good?.getAttribute('href')).toBe('https://example.com');
    expect(good?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(good?.getAttribute('target')).toBe('_blank');
  });

  it('highlights known languages and gives each code block a copy button', () => {
    const el = dom(renderMarkdown('```ts\nconst x: number = 1;\n```', { copy: 'Sao chép', copyCode: 'Sao chép mã' }));
    expect(el.querySelector('code.language-ts .hljs-keyword')?.textContent).toBe('const');
    const button = el.querySelector('button[data-copy-code]');
    expect(button?.textContent).toBe('Sao chép');
    expect(button?.getAttribute('aria-label')).toBe('Sao chép mã');
  });

  it('escapes code in unknown languages', () => {
    const el = dom(renderMarkdown('```brainfuck\n<script>alert(1)</script>\n```'));
    expect(el.querySelector('script')).toBeNull();
    expect(el.querySelector('pre code')?.textContent).toContain('<script>alert(1)</script>');
  });
});
