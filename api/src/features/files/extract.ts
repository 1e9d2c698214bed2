// Text out of a file, with where it came from (page, section): unpdf for PDF, mammoth for DOCX (after the zip is
// checked against bombs), a small HTML-to-Markdown pass for HTML, and plain text as it is.

import { Unzip, UnzipInflate, unzip } from 'fflate';
import { decode } from 'html-entities';
import { zipEntries } from './detect.js';

/** A stretch of a document's text and where it sits. */
export interface Segment {
  text: string;
  page: number | null;
  section: string | null;
}

export interface Extracted {
  pages: number | null;
  segments: Segment[];
  /** How the text is best split: Markdown structure, CSV rows, or plain prose. */
  kind: 'markdown' | 'csv' | 'plain';
}

/** A file that cannot be read, with a reason fit to show its owner (stored as the file's `error`). */
export class ExtractionError extends Error {
  constructor(
    message: string,
    /** The upload should be refused with this status rather than stored as failed. */
    readonly refuse?: 413 | 415,
  ) {
    super(message);
    this.name = 'ExtractionError';
  }
}

/** Limits on what one file may expand to (a DOCX is a zip; any document can hold a lot of text). */
export const EXTRACT_LIMITS = {
  /** Sum of the uncompressed sizes a DOCX's zip may declare, and may actually inflate to. */
  zipMaxUncompressedBytes: 100 * 1024 * 1024,
  /** Entries in a DOCX's zip. */
  zipMaxEntries: 5_000,
  /** Characters of text one file may yield. */
  maxTextChars: 5_000_000,
  /** How long one file's extraction may take. */
  timeoutMs: 60_000,
  /** Elements inside elements in a DOCX's text: Word itself stays far below; parsers recurse per level. */
  maxXmlDepth: 512,
  /** Arrays and dictionaries inside each other in a PDF: real files stay within a few dozen. */
  maxPdfDepth: 256,
};

const MB = 1024 * 1024;

/**
 * Refuses a zip that declares more than the limit in its central directory (checked at upload, nothing inflated).
 * Returns the reason, or null when the directory is within bounds.
 */
export function zipBombReason(bytes: Uint8Array): string | null {
  const entries = zipEntries(bytes);
  if (!entries) return 'The document is not a readable DOCX (its zip directory is damaged)';
  if (entries.length > EXTRACT_LIMITS.zipMaxEntries) return 'The document holds too many parts to be read safely';
  const total = entries.reduce((n, e) => n + e.originalSize, 0);
  if (total > EXTRACT_LIMITS.zipMaxUncompressedBytes) {
    return `The document expands to ${Math.round(total / MB)} MB, more than the ${EXTRACT_LIMITS.zipMaxUncompressedBytes / MB} MB it may`;
  }
  return null;
}

/** The deepest element nesting in an XML text (a linear scan of its tags, no parser). */
export function xmlDepth(xml: string): number {
  let depth = 0;
  let max = 0;
  for (let i = xml.indexOf('<'); i >= 0; i = xml.indexOf('<', i + 1)) {
    const next = xml.charCodeAt(i + 1);
    if (next === 47 /* / */) depth -= 1;
    else if (next !== 63 /* ? */ && next !== 33 /* ! */) {
      const end = xml.indexOf('>', i);
      if (end < 0) break;
      if (xml.charCodeAt(end - 1) !== 47 /* self-closing */) {
        depth += 1;
        if (depth > max) max = depth;
      }
    }
  }
  return max;
}

/**
 * The deepest nesting of arrays `[ ]` and dictionaries `<< >>` in a PDF's uncompressed syntax: a linear scan that
 * skips stream data, literal strings `( )` (with their escapes and balanced parentheses), hex strings `< >` and
 * comments. Objects inside compressed object streams are not seen here; the parser's own failure on those ends the
 * file `failed` off the request path.
 */
export function pdfDepth(bytes: Uint8Array): number {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let depth = 0;
  let max = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c === 0x25 /* % comment */) {
      while (i < n && bytes[i] !== 0x0a && bytes[i] !== 0x0d) i++;
    } else if (c === 0x28 /* ( */) {
      let parens = 1;
      for (i++; i < n && parens > 0; i++) {
        if (bytes[i] === 0x5c) i++;
        else if (bytes[i] === 0x28) parens++;
        else if (bytes[i] === 0x29) parens--;
      }
      i--;
    } else if (c === 0x3c /* < */) {
      if (bytes[i + 1] === 0x3c) {
        i++;
        if (++depth > max) max = depth;
      } else {
        while (i < n && bytes[i] !== 0x3e) i++;
      }
    } else if (c === 0x3e && bytes[i + 1] === 0x3e) {
      i++;
      depth = Math.max(0, depth - 1);
    } else if (c === 0x5b /* [ */) {
      if (++depth > max) max = depth;
    } else if (c === 0x5d /* ] */) {
      depth = Math.max(0, depth - 1);
    } else if (c === 0x73 /* s */ && bytes[i + 1] === 0x74 && isKeyword(bytes, i, 'stream')) {
      // Stream data is binary: jump to its end.
      const end = view.indexOf('endstream', i + 6, 'latin1');
      if (end < 0) break;
      i = end + 8;
    }
  }
  return max;
}

function isKeyword(bytes: Uint8Array, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (bytes[at + k] !== word.charCodeAt(k)) return false;
  const before = bytes[at - 1];
  // "endstream" ends with "stream": only a keyword standing alone opens stream data.
  return before === undefined || before === 0x0a || before === 0x0d || before === 0x20 || before === 0x3e;
}

/** Refuses, at upload, a PDF nesting arrays or dictionaries deeper than any real document (see pdfDepth). */
export function pdfNestingReason(bytes: Uint8Array): string | null {
  const depth = pdfDepth(bytes);
  return depth > EXTRACT_LIMITS.maxPdfDepth
    ? `The PDF is nested ${depth} levels deep, more than the ${EXTRACT_LIMITS.maxPdfDepth} it may`
    : null;
}

/**
 * Refuses, at upload, a DOCX whose text part nests elements deeper than Word ever does (a crafted file meant to
 * exhaust the parser's stack). The part is inflated in a worker thread (fflate's async unzip), within the size its
 * directory declared and zipBombReason already bounded. Returns the reason, or null.
 */
export async function docxNestingReason(bytes: Uint8Array): Promise<string | null> {
  const parts = await new Promise<Record<string, Uint8Array>>((resolve, reject) =>
    unzip(bytes, { filter: (f) => f.name === 'word/document.xml' }, (err, out) => (err ? reject(err) : resolve(out))),
  ).catch(() => null);
  const xml = parts?.['word/document.xml'];
  if (!xml) return null;
  const depth = xmlDepth(new TextDecoder('utf-8').decode(xml));
  return depth > EXTRACT_LIMITS.maxXmlDepth
    ? `The document is nested ${depth} levels deep, more than the ${EXTRACT_LIMITS.maxXmlDepth} it may`
    : null;
}

/** Inflates every entry with a running count, stopping at the limit: a directory that lies about sizes is caught. */
function checkActualZipSize(bytes: Uint8Array): void {
  let total = 0;
  let over = false;
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  unzip.onfile = (file) => {
    file.ondata = (err, chunk) => {
      if (err) throw new ExtractionError('The document is not a readable DOCX (a part is damaged)');
      total += chunk.length;
      if (total > EXTRACT_LIMITS.zipMaxUncompressedBytes && !over) {
        over = true;
        file.terminate();
      }
    };
    if (!over) file.start();
  };
  try {
    unzip.push(bytes, true);
  } catch (err) {
    if (err instanceof ExtractionError) throw err;
    if (!over) throw new ExtractionError('The document is not a readable DOCX (its zip is damaged)');
  }
  if (over) {
    throw new ExtractionError(
      `The document expands to more than the ${EXTRACT_LIMITS.zipMaxUncompressedBytes / MB} MB it may`,
    );
  }
}

/** HTML as Markdown-ish text: headings as `#`, lists as `-`, tables as `|`, scripts and styles gone, entities decoded. */
export function htmlToMarkdown(html: string): string {
  let s = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|noscript|template|svg|head)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi, (_m, level: string, inner: string) => {
      const text = inner
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
      return text ? `\n\n${'#'.repeat(Number(level))} ${text}\n\n` : '\n\n';
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/(td|th)\s*>/gi, ' | ')
    .replace(
      /<\/?(p|div|section|article|header|footer|main|aside|nav|ul|ol|table|tr|blockquote|pre|dl|dt|dd|figure|figcaption|hr)\b[^>]*>/gi,
      '\n',
    )
    .replace(/<[^>]*>/g, '');
  s = decode(s);
  return s
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Markdown cut at its headings: each stretch with its heading path ("Guide > Install"). */
export function markdownSections(md: string): Segment[] {
  const out: Segment[] = [];
  const path: string[] = [];
  let body: string[] = [];
  let hasContent = false;
  let fenced = false;
  const flush = () => {
    // A heading with nothing under it before the next one stays in the text of the next stretch.
    if (!hasContent) return;
    const text = body.join('\n').trim();
    if (text) out.push({ text, page: null, section: path.filter(Boolean).join(' > ') || null });
    body = [];
    hasContent = false;
  };
  for (const line of md.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      const level = heading[1]!.length;
      path.length = level - 1;
      path[level - 1] = heading[2]!.slice(0, 200);
      // The heading stays in the text too, so a search for its words finds the stretch under it.
      body.push(line);
      continue;
    }
    body.push(line);
    if (line.trim() !== '') hasContent = true;
  }
  hasContent ||= body.some((l) => l.trim() !== '');
  flush();
  return out;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new ExtractionError(`Reading the ${what} took too long`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function extractPdf(bytes: Uint8Array): Promise<Extracted> {
  const { extractText, getDocumentProxy } = await import('unpdf');
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    pdf = await getDocumentProxy(new Uint8Array(bytes));
  } catch {
    throw new ExtractionError('The PDF could not be read (it is damaged or encrypted)');
  }
  try {
    const { totalPages, text } = await extractText(pdf, { mergePages: false });
    const segments = text.map((t, i) => ({ text: t.trim(), page: i + 1, section: null })).filter((s) => s.text !== '');
    return { pages: totalPages, segments, kind: 'plain' };
  } catch {
    throw new ExtractionError('The PDF could not be read (a page is damaged)');
  } finally {
    await pdf.cleanup().catch(() => {});
  }
}

async function extractDocx(bytes: Uint8Array): Promise<Extracted> {
  const bomb = zipBombReason(bytes);
  if (bomb) throw new ExtractionError(bomb, 413);
  checkActualZipSize(bytes);
  const mammoth = await import('mammoth');
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes) })).value;
  } catch {
    throw new ExtractionError('The DOCX could not be read (it is damaged)');
  }
  return { pages: null, segments: markdownSections(htmlToMarkdown(html)), kind: 'markdown' };
}

function textOf(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

/** Extracts a document's text (not images: they have none to extract). Throws ExtractionError with a plain reason. */
export async function extractText(bytes: Uint8Array, mimeType: string): Promise<Extracted> {
  const work = (async (): Promise<Extracted> => {
    switch (mimeType) {
      case 'application/pdf':
        return extractPdf(bytes);
      case 'application/vnd.openxmlformats-officedocument.wordprocessingml.document':
        return extractDocx(bytes);
      case 'text/html':
        return { pages: null, segments: markdownSections(htmlToMarkdown(textOf(bytes))), kind: 'markdown' };
      case 'text/markdown':
        return { pages: null, segments: markdownSections(textOf(bytes)), kind: 'markdown' };
      case 'text/csv':
        return { pages: null, segments: [{ text: textOf(bytes), page: null, section: null }], kind: 'csv' };
      case 'text/plain':
        return { pages: null, segments: [{ text: textOf(bytes), page: null, section: null }], kind: 'plain' };
      default:
        throw new ExtractionError('This file type has no text to extract');
    }
  })();
  const extracted = await withTimeout(work, EXTRACT_LIMITS.timeoutMs, 'document');
  // Text PostgreSQL cannot store (NUL) is dropped; the rest is kept as written.
  for (const s of extracted.segments) s.text = s.text.replaceAll('\u0000', '');
  extracted.segments = extracted.segments.filter((s) => s.text.trim() !== '');
  const chars = extracted.segments.reduce((n, s) => n + s.text.length, 0);
  if (chars > EXTRACT_LIMITS.maxTextChars) {
    throw new ExtractionError(
      `The document has more text than can be indexed (over ${EXTRACT_LIMITS.maxTextChars.toLocaleString('en')} characters)`,
    );
  }
  if (chars === 0) throw new ExtractionError('The document has no text to read (a scan without a text layer?)');
  return extracted;
}
