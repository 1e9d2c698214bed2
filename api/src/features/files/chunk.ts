// A document's text cut into passages for retrieval with LangChain's splitters: by Markdown structure (headings,
// fences, lists) for Markdown, HTML and DOCX, by rows (each with the header) for CSV, by paragraphs otherwise.
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import type { Extracted, Segment } from './extract.js';

export const CHUNK_SIZE = 1000;
export const CHUNK_OVERLAP = 150;

export interface Chunk {
  n: number;
  page: number | null;
  section: string | null;
  text: string;
}

const markdownSplitter = RecursiveCharacterTextSplitter.fromLanguage('markdown', {
  chunkSize: CHUNK_SIZE,
  chunkOverlap: CHUNK_OVERLAP,
});
const plainSplitter = new RecursiveCharacterTextSplitter({ chunkSize: CHUNK_SIZE, chunkOverlap: CHUNK_OVERLAP });

/** CSV rows in passages of about CHUNK_SIZE characters, each starting with the header row so its columns are named. */
function csvPassages(text: string): string[] {
  const rows = text.split(/\r?\n/).filter((r) => r.trim() !== '');
  const [header, ...body] = rows;
  if (!header) return [];
  if (body.length === 0) return [header];
  const out: string[] = [];
  let cur: string[] = [];
  let len = header.length;
  for (const row of body) {
    if (cur.length > 0 && len + row.length + 1 > CHUNK_SIZE) {
      out.push([header, ...cur].join('\n'));
      cur = [];
      len = header.length;
    }
    cur.push(row);
    len += row.length + 1;
  }
  if (cur.length) out.push([header, ...cur].join('\n'));
  return out;
}

async function splitSegment(seg: Segment, kind: Extracted['kind']): Promise<string[]> {
  if (kind === 'csv') return csvPassages(seg.text);
  const splitter = kind === 'markdown' ? markdownSplitter : plainSplitter;
  return splitter.splitText(seg.text);
}

/** The passages of an extracted document, numbered from 0 in reading order. */
export async function chunkDocument(doc: Extracted): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for (const seg of doc.segments) {
    for (const text of await splitSegment(seg, doc.kind)) {
      const clean = text.trim();
      if (clean) chunks.push({ n: chunks.length, page: seg.page, section: seg.section, text: clean });
    }
  }
  return chunks;
}
