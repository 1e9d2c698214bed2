// What a file is, judged by its bytes (magic numbers, the zip's own directory, valid UTF-8 text), never by its name.
import type { FileMimeType } from '@chatbot/shared';
import { unzipSync } from 'fflate';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** The zip's directory entries (names and declared sizes), read without inflating anything; null if not a zip. */
export function zipEntries(bytes: Uint8Array): { name: string; size: number; originalSize: number }[] | null {
  const entries: { name: string; size: number; originalSize: number }[] = [];
  try {
    unzipSync(bytes, {
      filter: (f) => {
        entries.push({ name: f.name, size: f.size, originalSize: f.originalSize });
        return false;
      },
    });
  } catch {
    return null;
  }
  return entries;
}

/** Valid UTF-8 without NUL bytes (or UTF-8 with a BOM): a text file. */
function decodeText(bytes: Uint8Array): string | null {
  const sample = bytes.length > 1_048_576 ? bytes.subarray(0, 1_048_576) : bytes;
  if (sample.includes(0)) return null;
  try {
    // A sample cut mid-character is fine: `stream: true` leaves an incomplete tail undecoded instead of failing.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: sample !== bytes });
    // Control characters other than tab, newlines and form feed mean a binary format.
    let controls = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if ((c >= 1 && c <= 8) || (c >= 14 && c <= 31) || c === 127) controls++;
    }
    return controls > Math.max(8, text.length / 1000) ? null : text;
  } catch {
    return null;
  }
}

const HTML_START = /^\s*(<!--[\s\S]*?-->\s*)*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])/i;
const MARKDOWN_HINTS = [
  /^#{1,6}\s+\S/m, // headings
  /^```/m, // fences
  /^\s*[-*+]\s+\S/m, // bullet lists
  /\[[^\]\n]+\]\([^)\s]+\)/, // links
  /^\s*\|.*\|\s*$/m, // tables
];

function looksLikeCsv(text: string): boolean {
  const lines = text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(0, 20);
  if (lines.length < 2) return false;
  for (const sep of [',', ';', '\t']) {
    const counts = lines.map((l) => l.split(sep).length - 1);
    if (counts[0]! >= 1 && counts.every((c) => c === counts[0])) return true;
  }
  return false;
}

/**
 * The type of `bytes`, or null when it is none this server takes. Text files are told apart by their content;
 * the name's extension only breaks a tie between text types (a `.md` of plain prose is still Markdown).
 */
export function detectFileType(bytes: Uint8Array, name: string): FileMimeType | null {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'; // %PDF-
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'image/webp';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    const entries = zipEntries(bytes);
    return entries?.some((e) => e.name === 'word/document.xml') ? DOCX : null;
  }
  const text = decodeText(bytes.subarray(startsWith(bytes, [0xef, 0xbb, 0xbf]) ? 3 : 0));
  if (text === null) return null;
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (HTML_START.test(text) || ((ext === 'html' || ext === 'htm') && /<\/?[a-z][\s\S]*>/i.test(text))) {
    return 'text/html';
  }
  if (ext === 'md' || ext === 'markdown') return 'text/markdown';
  if (ext === 'csv' || ext === 'tsv') return looksLikeCsv(text) ? 'text/csv' : 'text/plain';
  if (ext === 'txt') return 'text/plain';
  if (MARKDOWN_HINTS.filter((re) => re.test(text)).length >= 2) return 'text/markdown';
  if (looksLikeCsv(text)) return 'text/csv';
  return 'text/plain';
}

export const isImageType = (mime: string) => mime.startsWith('image/');
