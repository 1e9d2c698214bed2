// The pure parts of files: type detection by content, the vision model patterns, HTML to Markdown, Markdown sections,
// CSV passages, the query builder, rank fusion, and the zip checks (a directory that lies is caught while inflating).
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/features/files/chunk.js';
import { detectFileType } from '../../src/features/files/detect.js';
import {
  ExtractionError,
  extractText,
  htmlToMarkdown,
  markdownSections,
  pdfDepth,
  xmlDepth,
  zipBombReason,
} from '../../src/features/files/extract.js';
import { cleanFileName } from '../../src/features/files/files.service.js';
import { fuseByRank, type Passage, toTsQuery } from '../../src/features/files/retrieval.js';
import { takesImages } from '../../src/features/files/vision.js';
import { parseSourcesBlock, sourcesBlock } from '../../src/llm/sources-prompt.js';
import { JPEG_BYTES, makeDocx, makePdf, PNG_1X1, WEBP_BYTES } from './file-fixtures.js';

const b = (s: string) => Buffer.from(s);

describe('detectFileType', () => {
  it('reads the type from the bytes', () => {
    expect(detectFileType(makePdf(['x']), 'a.bin')).toBe('application/pdf');
    expect(detectFileType(PNG_1X1, 'a.txt')).toBe('image/png');
    expect(detectFileType(JPEG_BYTES, 'a')).toBe('image/jpeg');
    expect(detectFileType(WEBP_BYTES, 'a.png')).toBe('image/webp');
    expect(detectFileType(makeDocx('T', ['p']), 'a.pdf')).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
  });

  it('tells text types apart by content, the extension only breaking ties', () => {
    expect(detectFileType(b('<!DOCTYPE html><html><body>x</body></html>'), 'a.txt')).toBe('text/html');
    expect(detectFileType(b('# Title\n\n- one\n- two\n'), 'notes')).toBe('text/markdown');
    expect(detectFileType(b('plain prose only'), 'readme.md')).toBe('text/markdown');
    expect(detectFileType(b('a,b,c\n1,2,3\n4,5,6\n'), 'data')).toBe('text/csv');
    expect(detectFileType(b('a,b\nnot, a, table\n'), 'x.csv')).toBe('text/plain');
    expect(detectFileType(b('Just some words.\nAnd more.'), 'x')).toBe('text/plain');
    expect(detectFileType(b('\uFEFFwith a byte order mark'), 'x')).toBe('text/plain');
  });

  it('refuses binaries, other zips and invalid UTF-8', () => {
    expect(detectFileType(Buffer.from([0x4d, 0x5a, 0, 0, 1, 2]), 'a.pdf')).toBeNull();
    expect(detectFileType(Buffer.from([0xc3, 0x28, 0x41]), 'a.txt')).toBeNull();
    expect(detectFileType(Buffer.from(zipSync({ 'x.txt': b('hi') })), 'a.docx')).toBeNull();
    expect(detectFileType(Buffer.from('PK\u0003\u0004garbage'), 'a.docx')).toBeNull();
    expect(detectFileType(Buffer.from('GIF89a....'.padEnd(40, '\u0001')), 'a.gif')).toBeNull();
  });
});

describe('takesImages', () => {
  const defaults = ['gpt-4o*', 'gpt-4.1*', 'gpt-5*'];
  it('matches the patterns with * as a wildcard, case-insensitively', () => {
    expect(takesImages('gpt-4o', defaults)).toBe(true);
    expect(takesImages('gpt-4o-mini', defaults)).toBe(true);
    expect(takesImages('GPT-5', defaults)).toBe(true);
    expect(takesImages('gpt-4.1-nano', defaults)).toBe(true);
    expect(takesImages('gpt-3.5-turbo', defaults)).toBe(false);
    expect(takesImages('gpt-4', defaults)).toBe(false);
    expect(takesImages('offline', defaults)).toBe(false);
    expect(takesImages('llava:13b', ['llava*'])).toBe(true);
    expect(takesImages('anything', ['*'])).toBe(true);
    expect(takesImages('a.b', ['a.b'])).toBe(true);
    expect(takesImages('axb', ['a.b'])).toBe(false);
  });
});

describe('text extraction', () => {
  it('turns HTML into Markdown without scripts, styles or tags, entities decoded', () => {
    const md = htmlToMarkdown(
      '<html><head><style>p{}</style></head><body><h1>Title</h1><script>alert(1)</script><p>A &amp; B&nbsp;C</p><ul><li>one</li><li>two</li></ul><table><tr><td>x</td><td>y</td></tr></table></body></html>',
    );
    expect(md).toBe('# Title\n\nA & B C\n\n- one\n- two\n\nx | y |');
  });

  it('cuts Markdown at headings, with the heading path as the section; fences are not headings', () => {
    const s = markdownSections('# A\n\nintro\n\n## B\n\n```\n# not a heading\n```\n\n## C\n### D\n\ntext\n');
    expect(s.map((x) => x.section)).toEqual(['A', 'A > B', 'A > C > D']);
    expect(s[1]!.text).toContain('# not a heading');
    expect(s[2]!.text).toBe('## C\n### D\n\ntext');
  });

  it('repeats the CSV header in every passage', async () => {
    const rows = Array.from({ length: 200 }, (_v, i) => `item${i},${i * 3},a longer description of item ${i}`);
    const chunks = await chunkDocument({
      pages: null,
      kind: 'csv',
      segments: [{ text: `name,price,about\n${rows.join('\n')}`, page: null, section: null }],
    });
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) expect(c.text.startsWith('name,price,about\n')).toBe(true);
    expect(chunks.map((c) => c.n)).toEqual(chunks.map((_c, i) => i));
  });

  it('extracts PDF pages with their numbers', async () => {
    const doc = await extractText(makePdf(['first page', 'second page', '']), 'application/pdf');
    expect(doc.pages).toBe(3);
    expect(doc.segments).toEqual([
      { text: 'first page', page: 1, section: null },
      { text: 'second page', page: 2, section: null },
    ]);
  });

  it('refuses a document with no text, and says why', async () => {
    await expect(extractText(makePdf(['']), 'application/pdf')).rejects.toThrow(/no text/);
    await expect(extractText(b('   \n'), 'text/plain')).rejects.toBeInstanceOf(ExtractionError);
  });

  it('checks a DOCX zip: declared sizes at upload, actual sizes while inflating (a directory that lies)', async () => {
    const honest = makeDocx('Bomb', ['x'], { 'word/media/zeros.bin': new Uint8Array(101 * 1024 * 1024) });
    expect(zipBombReason(honest)).toMatch(/expands to 101 MB/);
    expect(zipBombReason(makeDocx('Fine', ['x']))).toBeNull();
    // The same zip with every declared uncompressed size rewritten to 1 byte (local headers and central directory).
    const liar = Buffer.from(honest);
    for (let i = 0; i + 4 <= liar.length; i++) {
      const sig = liar.readUInt32LE(i);
      if (sig === 0x04034b50) liar.writeUInt32LE(1, i + 22);
      else if (sig === 0x02014b50) liar.writeUInt32LE(1, i + 24);
    }
    expect(zipBombReason(liar)).toBeNull();
    await expect(
      extractText(liar, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
    ).rejects.toThrow(/expands to more than|not a readable DOCX/);
  });

  it('a deeply nested DOCX or HTML is read or refused with a plain reason, never a crash', async () => {
    const depth = 50_000;
    const xml = `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${'<w:tbl><w:tr><w:tc>'.repeat(depth)}<w:p><w:r><w:t>deep</w:t></w:r></w:p>${'</w:tc></w:tr></w:tbl>'.repeat(depth)}</w:body></w:document>`;
    const { unzipSync } = await import('fflate');
    const parts = unzipSync(makeDocx('x', ['y']));
    parts['word/document.xml'] = new TextEncoder().encode(xml);
    const nested = Buffer.from(zipSync(parts));
    await expect(
      extractText(nested, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
    ).rejects.toThrow(/could not be read/);
    const html = `<html><body>${'<div>'.repeat(depth)}deep text${'</div>'.repeat(depth)}</body></html>`;
    const doc = await extractText(b(html), 'text/html');
    expect(doc.segments.map((x) => x.text)).toEqual(['deep text']);
  });

  it('cleans file names', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('C:\\Users\\me\\report.pdf')).toBe('report.pdf');
    expect(cleanFileName('a\u0000b\u202e.txt')).toBe('ab.txt');
    expect(cleanFileName('')).toBe('file');
    expect(cleanFileName('x'.repeat(300))).toHaveLength(255);
  });
});

describe('retrieval pieces', () => {
  it('builds an OR query of the meaningful words, prefix-matched from four letters', () => {
    expect(toTsQuery('What is the capital of Zorblax?')).toBe('capital:* | zorblax:*');
    // One-letter words are left out; accents are kept ('simple' matches words as written).
    expect(toTsQuery('Phở ở Hà Nội')).toBe('phở | hà | nội');
    expect(toTsQuery('the a of ?!')).toBeNull();
    expect(toTsQuery("'); drop table files; --")).toBe('drop:* | table:* | files:*');
  });

  it('fuses ranked lists by reciprocal rank', () => {
    const p = (id: number): Passage => ({ id, fileId: 1, n: id, page: null, section: null, text: String(id) });
    const fused = fuseByRank(
      [
        [p(1), p(2), p(3)],
        [p(3), p(4), p(1)],
      ],
      3,
    );
    expect(fused.map((x) => x.id)).toEqual([1, 3, 2]);
  });

  it('writes a sources block the offline model reads back', () => {
    const block = sourcesBlock([
      { n: 1, label: 'a.pdf, page 2', text: 'first\npassage' },
      { n: 2, label: 'b.md, Intro', text: 'second' },
    ]);
    expect(parseSourcesBlock(`System prompt.\n\n${block}`)).toEqual([
      { n: 1, label: 'a.pdf, page 2', text: 'first\npassage' },
      { n: 2, label: 'b.md, Intro', text: 'second' },
    ]);
    expect(parseSourcesBlock('no block here')).toEqual([]);
  });
});

describe('xmlDepth', () => {
  it('counts nesting by tags: self-closing, declarations and comments do not nest', () => {
    expect(xmlDepth('<?xml version="1.0"?><!-- c --><a><b/><c><d>text</d></c></a>')).toBe(3);
    expect(xmlDepth('<a></a><b></b>')).toBe(1);
    expect(xmlDepth(`${'<x>'.repeat(600)}${'</x>'.repeat(600)}`)).toBe(600);
    expect(xmlDepth('no tags at all')).toBe(0);
  });
});

describe('pdfDepth', () => {
  it('counts arrays and dictionaries, not strings, hex strings, comments or stream data', () => {
    const pdf = (body: string) => Buffer.from(`%PDF-1.4\n${body}`, 'latin1');
    expect(pdfDepth(makePdf(['Hello [not] <<counted>> (here)']))).toBeLessThan(5);
    expect(pdfDepth(pdf('1 0 obj << /A [ [ 1 ] ] >> endobj'))).toBe(3);
    expect(pdfDepth(pdf('(a [[[[ string \\) still ( nested ) ) <5b5b5b> % [[[[ comment\n[ ]'))).toBe(1);
    expect(pdfDepth(pdf(`1 0 obj << /Length 8 >>\nstream\n[[[[[[[[\nendstream endobj`))).toBe(1);
    expect(pdfDepth(pdf(`${'['.repeat(300)}${']'.repeat(300)}`))).toBe(300);
  });
});
