// Markdown rendering: formatting survives, anything that could run script does not.
import { describe, expect, it } from 'vitest';
import { loadGrammar } from './highlight';
import { grammarName } from './highlight-languages';
import { onHighlighterReady, renderMarkdown } from './markdown';

function dom(nodes: DocumentFragment): HTMLElement {
  const div = document.createElement('div');
  div.appendChild(nodes);
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

  it('highlights a language once its grammar has loaded (plain and escaped until then), with a copy button', async () => {
    const source = '```ts\nconst x: number = 1 < 2;\n```';
    const ready = new Promise<void>((resolve) => onHighlighterReady(resolve));
    const before = dom(renderMarkdown(source));
    expect(before.querySelector('.hljs-keyword')).toBeNull();
    expect(before.querySelector('pre code')?.textContent).toBe('const x: number = 1 < 2;');
    // The first render asked for the grammar; the views are told when it is there.
    await ready;
    const el = dom(renderMarkdown(source, { copy: 'Sao chép', copyCode: 'Sao chép mã' }));
    expect(el.querySelector('code.language-ts .hljs-keyword')?.textContent).toBe('const');
    const button = el.querySelector('button[data-copy-code]');
    expect(button?.textContent).toBe('Sao chép');
    expect(button?.getAttribute('aria-label')).toBe('Sao chép mã');
  });

  it('maps aliases to the grammars shipped and ships none for unknown names', async () => {
    expect(grammarName('sh')).toBe('bash');
    expect(grammarName('TSX')).toBe('typescript');
    expect(grammarName('brainfuck')).toBeUndefined();
    expect(grammarName('constructor')).toBeUndefined();
    await loadGrammar('sh');
    const el = dom(renderMarkdown('```sh\necho "hi"\n```'));
    expect(el.querySelector('code.language-sh .hljs-string')?.textContent).toBe('"hi"');
  });

  it('builds elements only from tokens: raw HTML blocks, images and attributes cannot carry script', () => {
    const el = dom(
      renderMarkdown(
        [
          '<script>alert(1)</script>',
          '',
          '<div onclick="alert(1)">block html</div>',
          '',
          '![x](javascript:alert(1)) ![y](data:image/png;base64,AAAA) ![ok](https://example.com/a.png "t")',
          '',
          '[q](https://example.com/"onmouseover="alert(1)) [rel](/c/1) [proto](//evil.example)',
        ].join('\n'),
      ),
    );
    expect(el.querySelector('script, div[onclick]')).toBeNull();
    expect(el.textContent).toContain('<script>alert(1)</script>');
    expect(el.textContent).toContain('<div onclick="alert(1)">block html</div>');
    const imgs = [...el.querySelectorAll('img')];
    expect(imgs.map((i) => i.getAttribute('src'))).toEqual(['https://example.com/a.png']);
    expect(imgs[0]?.getAttribute('referrerpolicy')).toBe('no-referrer');
    for (const node of el.querySelectorAll('*')) {
      expect([...node.attributes].map((a) => a.name).filter((n) => n.startsWith('on'))).toEqual([]);
    }
    const hrefs = [...el.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(hrefs).toContain('/c/1');
    expect(hrefs.some((h) => h?.startsWith('//'))).toBe(false);
  });

  it('keeps structure: quotes, nested and ordered lists, task boxes, aligned table cells', () => {
    const el = dom(
      renderMarkdown(
        '> quoted **bold**\n\n3. three\n4. four\n   - nested\n\n- [x] done\n- [ ] todo\n\n| l | r |\n|:--|--:|\n| a | b |',
      ),
    );
    expect(el.querySelector('blockquote strong')?.textContent).toBe('bold');
    expect(el.querySelector('ol')?.getAttribute('start')).toBe('3');
    expect(el.querySelector('ol li ul li')?.textContent).toBe('nested');
    const boxes = [...el.querySelectorAll<HTMLInputElement>('input[type=checkbox]')];
    expect(boxes.map((b) => [b.checked, b.disabled])).toEqual([
      [true, true],
      [false, true],
    ]);
    expect(boxes[0]?.parentElement?.textContent?.trim()).toBe('done');
    expect(el.querySelector<HTMLElement>('td:last-child')?.style.textAlign).toBe('right');
  });

  it('escapes code in unknown languages', () => {
    const el = dom(renderMarkdown('```brainfuck\n<script>alert(1)</script>\n```'));
    expect(el.querySelector('script')).toBeNull();
    expect(el.querySelector('pre code')?.textContent).toContain('<script>alert(1)</script>');
  });
});
