// Retrieval over a conversation's files: small files whole ("full document" mode), the rest by hybrid search, i.e.
// PostgreSQL full-text ranking (ts_rank, always available) fused with embedding similarity (when embeddings exist)
// by reciprocal rank fusion. Similarity is exact: pgvector's `<=>` when the extension is installed, else a dot
// product of the unit vectors in plain SQL.
import type { MessageSource } from '@chatbot/shared';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { PromptSource } from '../../llm/sources-prompt.js';
import type { Embedder } from './embeddings.js';

/** Reciprocal rank fusion's constant (the usual 60): a passage's score is the sum of 1/(k + rank) over the lists. */
export const RRF_K = 60;
/** How much of a whole file its source's `quote` shows. */
const WHOLE_FILE_QUOTE_CHARS = 300;

/** Words too common to say anything about a passage ('simple' parsing keeps every word). */
const STOPWORDS = new Set(
  (
    'a an and are as at be but by can do does did for from had has have how i if in into is it its me my no not of on ' +
    'or our so than that the their them then there these they this to too us was we were what when where which who ' +
    'whom why will with would you your about also any all been being could should shall may might must very just ' +
    'de la le les des et un une du en el los las y que der die das und ist'
  ).split(' '),
);

/**
 * The question as an OR of its words for to_tsquery (each a prefix match from 4 letters, so "capitals" finds
 * "capital…"); null when no word is left. Only letters and digits pass, so the text needs no quoting.
 */
export function toTsQuery(question: string): string | null {
  const terms = queryTerms(question);
  return terms.length === 0 ? null : terms.join(' | ');
}

/** The question's meaningful words as tsquery terms (each a prefix match from 4 letters). */
export function queryTerms(question: string): string[] {
  return [...new Set(question.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])]
    .filter((w) => w.length > 1 && !STOPWORDS.has(w))
    .slice(0, 32)
    .map((w) => (w.length >= 4 ? `${w}:*` : w));
}

export interface Passage {
  id: number;
  fileId: number;
  n: number;
  page: number | null;
  section: string | null;
  text: string;
}

type PassageRow = {
  id: number | string;
  file_id: number;
  n: number;
  page: number | null;
  section: string | null;
  text: string;
};

const toPassage = (r: PassageRow): Passage => ({
  id: Number(r.id),
  fileId: r.file_id,
  n: r.n,
  page: r.page,
  section: r.section,
  text: r.text,
});

/**
 * Whether pgvector can be used in this database (checked once per database handle): installed already, or available
 * on the server and installable by this role (the compose file's pgvector image); otherwise plain SQL is used.
 */
const pgvectorKnown = new WeakMap<Db, Promise<boolean>>();
export function hasPgvector(db: Db): Promise<boolean> {
  let known = pgvectorKnown.get(db);
  if (!known) {
    known = (async () => {
      const r = await db.execute<{ installed: boolean; available: boolean }>(sql`
        select exists (select 1 from pg_extension where extname = 'vector') as installed,
               exists (select 1 from pg_available_extensions where name = 'vector') as available`);
      const row = r.rows[0];
      if (row?.installed) return true;
      if (!row?.available) return false;
      await db.execute(sql`create extension if not exists vector`);
      return true;
    })().catch(() => false);
    pgvectorKnown.set(db, known);
  }
  return known;
}

/**
 * Passages of `fileIds` ranked by full-text relevance to the question (ts_rank), best first. Alone, any of the
 * question's words may match (recall matters most); with `mostWords`, more than half of them must (as search
 * engines' "minimum should match"): in a fusion, a passage sharing one common word with the question is no evidence
 * and would crowd out the other list's real hits (bench/retrieval.bench.ts measures both).
 */
export async function fullTextSearch(
  db: Db,
  fileIds: number[],
  question: string,
  limit: number,
  opts: { mostWords?: boolean } = {},
): Promise<Passage[]> {
  const terms = queryTerms(question);
  if (terms.length === 0 || fileIds.length === 0) return [];
  const matched = sql.join(
    terms.map((t) => sql`(c.tsv @@ to_tsquery('simple', ${t}))::int`),
    sql` + `,
  );
  const most = opts.mostWords && terms.length > 1 ? sql` and (${matched}) * 2 > ${terms.length}` : sql``;
  const res = await db.execute<PassageRow>(sql`
    select c.id, c.file_id, c.n, c.page, c.section, c.text
    from file_chunks c, to_tsquery('simple', ${terms.join(' | ')}) q
    where c.file_id = any(${sql.param(fileIds)}::int[]) and c.tsv @@ q${most}
    order by ts_rank(c.tsv, q, 1) desc, c.id
    limit ${limit}`);
  return res.rows.map(toPassage);
}

/** Passages of `fileIds` ranked by cosine similarity of their embedding to `vector` (a unit vector), best first. */
export async function vectorSearch(db: Db, fileIds: number[], vector: number[], limit: number): Promise<Passage[]> {
  if (fileIds.length === 0) return [];
  const v = sql`${sql.param(vector)}::real[]`;
  const score = (await hasPgvector(db))
    ? sql`(c.embedding::vector <=> ${v}::vector)`
    : sql`-(select sum(a * b) from unnest(c.embedding, ${v}) as t(a, b))`;
  const res = await db.execute<PassageRow>(sql`
    select c.id, c.file_id, c.n, c.page, c.section, c.text
    from file_chunks c
    where c.file_id = any(${sql.param(fileIds)}::int[]) and c.embedding is not null
      -- Passages embedded by another model (OPENAI_EMBEDDINGS_MODEL changed) are left to full-text.
      and array_length(c.embedding, 1) = ${vector.length}
    order by ${score}, c.id
    limit ${limit}`);
  return res.rows.map(toPassage);
}

/** Reciprocal rank fusion of ranked lists: each passage scores Σ 1/(RRF_K + rank); best first. */
export function fuseByRank(lists: Passage[][], limit: number): Passage[] {
  const scores = new Map<number, { p: Passage; score: number }>();
  for (const list of lists) {
    list.forEach((p, i) => {
      const cur = scores.get(p.id) ?? { p, score: 0 };
      cur.score += 1 / (RRF_K + i + 1);
      scores.set(p.id, cur);
    });
  }
  return [...scores.values()]
    .sort((a, b) => b.score - a.score || a.p.id - b.p.id)
    .slice(0, limit)
    .map((s) => s.p);
}

/**
 * Hybrid retrieval: full-text and (with an embedder) similarity, fused; `topK` passages (full-text alone without
 * one). When the embeddings server fails, the answer still gets full-text passages (`onEmbeddingError` is told).
 */
export async function hybridSearch(
  db: Db,
  embedder: Embedder | null,
  fileIds: number[],
  question: string,
  topK: number,
  onEmbeddingError?: (err: unknown) => void,
): Promise<Passage[]> {
  const depth = Math.max(topK * 4, 20);
  if (!embedder) return (await fullTextSearch(db, fileIds, question, depth)).slice(0, topK);
  // With embeddings to fuse with, full-text hits must match most of the question's words; alone, any word counts.
  const textHits = fullTextSearch(db, fileIds, question, depth, { mostWords: true });
  const vectorHits = embedder.embedQuery(question).then(
    (v) => vectorSearch(db, fileIds, v, depth),
    (err: unknown) => {
      onEmbeddingError?.(err);
      return null;
    },
  );
  const [a, b] = await Promise.all([textHits, vectorHits]);
  if (b === null) return (await fullTextSearch(db, fileIds, question, depth)).slice(0, topK);
  return fuseByRank([a, b], topK);
}

export interface RetrievalScope {
  userId: number;
  /** The conversation whose ready files are used (attached with `sessionId`). */
  sessionId: number;
  /** Files of this message (`fileIds`), used whether attached or not. */
  fileIds: number[];
  question: string;
}

export interface Retrieved {
  /** For the prompt (numbered as cited). */
  prompt: PromptSource[];
  /** For the message (what the client shows). */
  sources: MessageSource[];
}

const label = (name: string, page: number | null, section: string | null) =>
  [name, page !== null ? `page ${page}` : null, section].filter(Boolean).join(', ');

/**
 * The sources of one answer: the scope's ready documents that fit RAG_FULL_DOCUMENT_TOKENS together (smallest
 * first) whole, then the best `topK` passages of the others. Numbered from 1 in that order.
 */
export async function retrieve(
  db: Db,
  embedder: Embedder | null,
  scope: RetrievalScope,
  opts: { topK: number; fullDocumentTokens: number; onEmbeddingError?: (err: unknown) => void },
): Promise<Retrieved> {
  const files = await db.execute<{ id: number; name: string; tokens: number | null; text: string | null }>(sql`
    select id, name, tokens, case when tokens <= ${opts.fullDocumentTokens} then text end as text
    from files
    where user_id = ${scope.userId} and status = 'ready' and mime_type not like 'image/%'
      and (session_id = ${scope.sessionId} or id = any(${sql.param(scope.fileIds)}::int[]))
    order by tokens nulls last, id`);
  const prompt: PromptSource[] = [];
  const sources: MessageSource[] = [];
  const searched: number[] = [];
  const names = new Map<number, string>();
  let budget = opts.fullDocumentTokens;
  for (const f of files.rows) {
    names.set(f.id, f.name);
    if (f.text !== null && f.tokens !== null && f.tokens <= budget) {
      budget -= f.tokens;
      const n = prompt.length + 1;
      prompt.push({ n, label: `${f.name} (whole file)`, text: f.text });
      const quote = f.text.length > WHOLE_FILE_QUOTE_CHARS ? `${f.text.slice(0, WHOLE_FILE_QUOTE_CHARS)}…` : f.text;
      sources.push({ n, fileId: f.id, fileName: f.name, page: null, section: null, quote });
    } else {
      searched.push(f.id);
    }
  }
  if (searched.length > 0) {
    for (const p of await hybridSearch(db, embedder, searched, scope.question, opts.topK, opts.onEmbeddingError)) {
      const n = prompt.length + 1;
      const fileName = names.get(p.fileId) ?? 'file';
      prompt.push({ n, label: label(fileName, p.page, p.section), text: p.text });
      sources.push({ n, fileId: p.fileId, fileName, page: p.page, section: p.section, quote: p.text });
    }
  }
  return { prompt, sources };
}
