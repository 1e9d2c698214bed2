// Files made in the test: a minimal PDF written by hand (real text on real pages), a DOCX zipped with fflate, a zip
// bomb, tiny images, and the upload and wait helpers over the app.
import { zipSync } from 'fflate';
import { expect } from 'vitest';
import type { AppInstance } from '../../src/app.js';

/** A valid PDF with one text line per page (Helvetica), cross-reference offsets computed. */
export function makePdf(pages: string[]): Buffer {
  const esc = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);
  const objects: string[] = [];
  const pageIds = pages.map((_p, i) => 4 + i * 2);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  pages.forEach((text, i) => {
    const pageId = pageIds[i]!;
    const stream = `BT /F1 12 Tf 72 720 Td (${esc(text)}) Tj ET`;
    objects[pageId] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageId + 1} 0 R >>`;
    objects[pageId + 1] = `<< /Length ${Buffer.byteLength(stream)} >>\nstream\n${stream}\nendstream`;
  });
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(out);
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) out += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const enc = (s: string) => new TextEncoder().encode(s);

/** A DOCX (Word) document: a heading and paragraphs, the parts Word itself needs. */
export function makeDocx(heading: string, paragraphs: string[], extra: Record<string, Uint8Array> = {}): Buffer {
  const p = (text: string, style?: string) =>
    `<w:p>${style ? `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>` : ''}<w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`;
  const document = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${p(heading, 'Heading1')}${paragraphs.map((x) => p(x)).join('')}</w:body></w:document>`;
  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': enc(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`),
    '_rels/.rels': enc(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`),
    'word/document.xml': enc(document),
    ...extra,
  };
  return Buffer.from(zipSync(files, { level: 9 }));
}

/** A DOCX whose zip expands to `mb` megabytes (zeros compress about a thousand to one). */
export function makeZipBombDocx(mb: number): Buffer {
  return makeDocx('Bomb', ['nothing here'], { 'word/media/zeros.bin': new Uint8Array(mb * 1024 * 1024) });
}

/** A 1×1 PNG. */
export const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
/** The first bytes of a JPEG and of a WebP (the type is judged by these). */
export const JPEG_BYTES = Buffer.from([
  0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
]);
export const WEBP_BYTES = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([26, 0, 0, 0]),
  Buffer.from('WEBPVP8L'),
  Buffer.from([13, 0, 0, 0, 0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0]),
]);

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field and assert each one
export type Json = any;

/** POST /api/files with a multipart body, as a browser's FormData sends it. */
export async function upload(
  app: AppInstance['app'],
  token: string,
  name: string,
  bytes: Uint8Array,
  opts: { sessionId?: number | string; type?: string } = {},
): Promise<{ status: number; body: Json }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: opts.type ?? 'application/octet-stream' }), name);
  if (opts.sessionId !== undefined) form.append('sessionId', String(opts.sessionId));
  const res = await app.request('/api/files', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls GET /api/files/{id} until the file is no longer `processing`. */
export async function waitForFile(
  app: AppInstance['app'],
  token: string,
  id: number,
  timeoutMs = 20_000,
): Promise<Json> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.request(`/api/files/${id}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as Json;
    expect(res.status).toBe(200);
    if (body.status !== 'processing') return body;
    if (Date.now() > until) throw new Error(`file ${id} still processing after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
