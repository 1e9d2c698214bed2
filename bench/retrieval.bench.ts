// Retrieval benchmark (issue #16): answer quality of full-text, embeddings and hybrid retrieval side by side on a
// generated question-answering fixture, ingestion throughput (PDF pages per second through the real worker), and
// query latency at 10k chunks (100k with BENCH_RETRIEVAL_100K=1). Embeddings are the test server's fake embedder
// (hashed words and character trigrams), so the run needs no model server.
// Run: node --import tsx bench/retrieval.bench.ts   (writes bench/results/retrieval.json)
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { connectDatabase, type Database } from '../api/src/db/client.js';
import { ensureDatabase, startEmbeddedPostgres } from '../api/src/db/embedded.js';
import { runMigrations } from '../api/src/db/migrate.js';
import { chunkDocument } from '../api/src/features/files/chunk.js';
import type { Embedder } from '../api/src/features/files/embeddings.js';
import { markdownSections } from '../api/src/features/files/extract.js';
import { createFilesRepo, type FilesRepo } from '../api/src/features/files/files.repo.js';
import { FileWorker } from '../api/src/features/files/ingest.worker.js';
import { fullTextSearch, hybridSearch, type Passage, vectorSearch } from '../api/src/features/files/retrieval.js';
import { createLogger } from '../api/src/lib/logger.js';
import { fakeEmbedding } from '../api/test/fake-openai.js';
import { makePdf } from '../api/test/files/file-fixtures.js';
import { writeResult } from './results.js';
import { percentile } from './stats.js';

const DOCS = 50;
const QUESTIONS_PER_DOC = 6;
const TOP_K = 5;
const PDF_FILES = 4;
const PDF_PAGES = 50;
const LATENCY_QUERIES = 30;

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SYL = 'ka lo mi ne ru sa ti vo pe da gi ho ju ke li ma no pa re so tu va xi yo ze ba fu dor lan'.split(' ');
const FILLER = `the region has a long history of trade and farming and its people keep many old customs
  visitors often remark on the weather the markets and the music heard in the evening streets local
  schools teach several languages and the roads connect small villages with the larger towns`.split(/\s+/);

/** The attributes every document states (so an attribute word alone finds every document). */
const ATTRIBUTES: { key: string; fact: (e: string, v: string) => string; ask: (e: string) => string }[] = [
  { key: 'capital', fact: (e, v) => `The capital of ${e} is ${v}.`, ask: (e) => `What is the capital of ${e}?` },
  {
    key: 'river',
    fact: (e, v) => `The longest river in ${e} is the ${v}.`,
    ask: (e) => `Which river is the longest in ${e}?`,
  },
  { key: 'export', fact: (e, v) => `${e} mainly exports ${v}.`, ask: (e) => `What are the main exports of ${e}?` },
  { key: 'founder', fact: (e, v) => `${e} was founded by ${v}.`, ask: (e) => `Who founded ${e}?` },
  {
    key: 'dish',
    fact: (e, v) => `The national dish of ${e} is ${v}.`,
    ask: (e) => `What national dish is eaten in ${e}?`,
  },
  {
    key: 'mountain',
    fact: (e, v) => `The highest mountain of ${e} is Mount ${v}.`,
    ask: (e) => `Name the highest mountain of ${e}.`,
  },
];

interface Doc {
  name: string;
  entity: string;
  markdown: string;
  facts: { key: string; sentence: string; question: string }[];
}

/** One misspelling: a letter of the name doubled or swapped, as a user might type it. */
function misspell(word: string, rand: () => number): string {
  const i = 1 + Math.floor(rand() * (word.length - 2));
  return rand() < 0.5
    ? word.slice(0, i) + word[i] + word.slice(i)
    : word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

function buildFixture(): { docs: Doc[]; questions: { doc: number; fact: string; question: string; style: string }[] } {
  const rand = prng(16);
  const word = (n = 2 + Math.floor(rand() * 2)) =>
    Array.from({ length: n }, () => SYL[Math.floor(rand() * SYL.length)]).join('');
  const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  const filler = (n: number) => Array.from({ length: n }, () => FILLER[Math.floor(rand() * FILLER.length)]).join(' ');
  const used = new Set<string>();
  const docs: Doc[] = [];
  for (let d = 0; d < DOCS; d++) {
    let entity = cap(word(3));
    while (used.has(entity)) entity = cap(word(3));
    used.add(entity);
    const facts = ATTRIBUTES.map((a) => {
      const value = cap(word());
      return { key: a.key, sentence: a.fact(entity, value), question: a.ask(entity) };
    });
    const sections = facts.map(
      (f, i) => `## ${cap(ATTRIBUTES[i]!.key)}\n\n${cap(filler(60))}. ${f.sentence} ${cap(filler(80))}.`,
    );
    docs.push({
      name: `${entity.toLowerCase()}.md`,
      entity,
      markdown: `# ${entity}\n\n${sections.join('\n\n')}\n`,
      facts,
    });
  }
  const questions: { doc: number; fact: string; question: string; style: string }[] = [];
  docs.forEach((doc, d) => {
    doc.facts.slice(0, QUESTIONS_PER_DOC).forEach((f, i) => {
      // A third each: as written, with the name misspelled, and in other words (only the name and one attribute word).
      const style = i % 3 === 0 ? 'exact' : i % 3 === 1 ? 'misspelled' : 'possessive';
      const q =
        style === 'exact'
          ? f.question
          : style === 'misspelled'
            ? f.question.replace(doc.entity, misspell(doc.entity, rand))
            : `${doc.entity}'s ${f.key}s?`;
      questions.push({ doc: d, fact: f.sentence, question: q, style });
    });
  });
  return { docs, questions };
}

const fake: Embedder = {
  model: 'fake',
  embedDocuments: async (texts) => texts.map((t) => fakeEmbedding(t)),
  embedQuery: async (text) => fakeEmbedding(text),
};

const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;
const out = (line = '') => process.stdout.write(`${line}\n`);

async function insertFile(db: Database, repo: FilesRepo, userId: number, name: string, markdown: string) {
  const f = await repo.insert(
    {
      userId,
      sessionId: null,
      name,
      mimeType: 'text/markdown',
      size: markdown.length,
      content: Buffer.from(markdown),
      status: 'ready',
    },
    1_000_000,
  );
  const chunks = await chunkDocument({ pages: null, segments: markdownSections(markdown), kind: 'markdown' });
  const embeddings = await fake.embedDocuments(chunks.map((c) => c.text));
  await db.db.execute(sql`insert into file_jobs (file_id) values (${f!.id})`);
  await repo.complete({ fileId: f!.id, attempt: 0 }, userId, {
    chunks: chunks.map((c, i) => ({ ...c, embedding: embeddings[i]! })),
    pages: null,
    tokens: 0,
    text: markdown,
  });
  return f!.id;
}

async function quality(db: Database, fileIds: number[], fixture: ReturnType<typeof buildFixture>) {
  const methods: Record<string, (q: string) => Promise<Passage[]>> = {
    'full-text': (q) => fullTextSearch(db.db, fileIds, q, 10),
    embeddings: async (q) => vectorSearch(db.db, fileIds, await fake.embedQuery(q), 10),
    hybrid: (q) => hybridSearch(db.db, fake, fileIds, q, 10),
  };
  const result: Record<string, { recallAt5: number; mrr: number; byStyle: Record<string, number> }> = {};
  for (const [name, run] of Object.entries(methods)) {
    let hits = 0;
    let rr = 0;
    const styleHits = new Map<string, [number, number]>();
    for (const q of fixture.questions) {
      const ranked = await run(q.question);
      const at = ranked.findIndex((p) => p.text.includes(q.fact));
      const [h, n] = styleHits.get(q.style) ?? [0, 0];
      if (at >= 0 && at < TOP_K) hits++;
      if (at >= 0) rr += 1 / (at + 1);
      styleHits.set(q.style, [h + (at >= 0 && at < TOP_K ? 1 : 0), n + 1]);
    }
    result[name] = {
      recallAt5: round(hits / fixture.questions.length),
      mrr: round(rr / fixture.questions.length),
      byStyle: Object.fromEntries([...styleHits].map(([s, [h, n]]) => [s, round(h / n)])),
    };
  }
  return result;
}

async function ingestion(db: Database, repo: FilesRepo, userId: number) {
  const pages = Array.from(
    { length: PDF_PAGES },
    (_v, i) => `Page ${i + 1} of the ingestion benchmark: ${FILLER.join(' ')}`,
  );
  const pdf = makePdf(pages);
  for (let i = 0; i < PDF_FILES; i++) {
    await repo.insert(
      {
        userId,
        sessionId: null,
        name: `bench${i}.pdf`,
        mimeType: 'application/pdf',
        size: pdf.length,
        content: pdf,
        status: 'processing',
      },
      1_000_000,
    );
  }
  const worker = new FileWorker({ repo, logger: createLogger('silent'), embedder: fake });
  const t0 = performance.now();
  while (await worker.runOnce()) {}
  const seconds = (performance.now() - t0) / 1000;
  const done = await db.db.execute<{ n: number }>(
    sql`select count(*)::int as n from files where status = 'ready' and mime_type = 'application/pdf'`,
  );
  return {
    files: PDF_FILES,
    pagesPerFile: PDF_PAGES,
    ready: done.rows[0]?.n ?? 0,
    seconds: round(seconds, 2),
    pagesPerSecond: round((PDF_FILES * PDF_PAGES) / seconds, 1),
  };
}

async function latency(db: Database, repo: FilesRepo, userId: number, chunksWanted: number) {
  const rand = prng(chunksWanted);
  const words = Array.from({ length: 3000 }, () =>
    Array.from({ length: 2 + Math.floor(rand() * 3) }, () => SYL[Math.floor(rand() * SYL.length)]).join(''),
  );
  const pick = () => words[Math.floor(rand() ** 2 * words.length)]!;
  const files = 20;
  const perFile = Math.ceil(chunksWanted / files);
  const ids: number[] = [];
  for (let f = 0; f < files; f++) {
    const file = await repo.insert(
      {
        userId,
        sessionId: null,
        name: `lat${chunksWanted}-${f}.txt`,
        mimeType: 'text/plain',
        size: 1,
        content: Buffer.from('x'),
        status: 'ready',
      },
      1_000_000,
    );
    ids.push(file!.id);
    for (let i = 0; i < perFile; i += 500) {
      const rows = Array.from({ length: Math.min(500, perFile - i) }, (_v, j) => {
        const text = Array.from({ length: 150 }, pick).join(' ');
        return sql`(${file!.id}, ${userId}, ${i + j}, ${text}, ${sql.param(fakeEmbedding(text))}::real[])`;
      });
      await db.db.execute(
        sql`insert into file_chunks (file_id, user_id, n, text, embedding) values ${sql.join(rows, sql`, `)}`,
      );
    }
  }
  await db.db.execute(sql`analyze file_chunks`);
  // Fewer queries at 100k: exact similarity in plain SQL takes seconds there.
  const count = chunksWanted > 10_000 ? 10 : LATENCY_QUERIES;
  const queries = Array.from({ length: count }, () => `${pick()} ${pick()} ${pick()}?`);
  const time = async (run: (q: string) => Promise<unknown>) => {
    await run(queries[0]!);
    const ms: number[] = [];
    for (const q of queries) {
      const t0 = performance.now();
      await run(q);
      ms.push(performance.now() - t0);
    }
    return { medianMs: round(percentile(ms, 50), 1), p95Ms: round(percentile(ms, 95), 1) };
  };
  return {
    chunks: files * perFile,
    'full-text': await time((q) => fullTextSearch(db.db, ids, q, 20)),
    embeddings: await time(async (q) => vectorSearch(db.db, ids, await fake.embedQuery(q), 20)),
    hybrid: await time((q) => hybridSearch(db.db, fake, ids, q, TOP_K)),
  };
}

export async function runRetrievalBench(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatbot-bench-retrieval-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as `postgres`, which must enter this folder
  const server = await startEmbeddedPostgres(path.join(dir, 'data'));
  let database: Database | undefined;
  try {
    database = connectDatabase(await ensureDatabase(server.url, 'bench_retrieval'), { max: 4 });
    await runMigrations(database);
    const repo = createFilesRepo(database.db);
    const user = await database.db.execute<{ id: number }>(
      sql`insert into users (username, email, password_hash) values ('bench', 'bench@example.com', 'x') returning id`,
    );
    const userId = user.rows[0]!.id;

    const fixture = buildFixture();
    const fileIds: number[] = [];
    for (const doc of fixture.docs) fileIds.push(await insertFile(database, repo, userId, doc.name, doc.markdown));
    const chunkCount = await database.db.execute<{ n: number }>(sql`select count(*)::int as n from file_chunks`);
    const q = await quality(database, fileIds, fixture);
    const ingest = await ingestion(database, repo, userId);
    const lat = [await latency(database, repo, userId, 10_000)];
    if (process.env.BENCH_RETRIEVAL_100K === '1') lat.push(await latency(database, repo, userId, 100_000));

    const result = {
      benchmark: 'retrieval',
      date: new Date().toISOString(),
      node: process.version,
      fixture: { docs: DOCS, questions: fixture.questions.length, chunks: chunkCount.rows[0]?.n, topK: TOP_K },
      quality: q,
      ingestion: ingest,
      latency: lat,
    };
    out();
    out(
      `retrieval quality: ${DOCS} generated documents, ${fixture.questions.length} questions (a third each exact, misspelled name, terse)`,
    );
    out('| method     | recall@5 | MRR   | exact | misspelled | terse |');
    out('| ---------- | -------- | ----- | ----- | ---------- | ----- |');
    for (const [name, r] of Object.entries(q)) {
      out(
        `| ${name.padEnd(10)} | ${String(r.recallAt5).padStart(8)} | ${String(r.mrr).padStart(5)} | ${String(r.byStyle.exact).padStart(5)} | ${String(r.byStyle.misspelled).padStart(10)} | ${String(r.byStyle.possessive).padStart(5)} |`,
      );
    }
    out();
    out(
      `ingestion: ${ingest.files} PDFs × ${ingest.pagesPerFile} pages through the worker (extract, chunk, embed, store): ${ingest.pagesPerSecond} pages/s`,
    );
    out();
    out('| chunks  | full-text median/p95 ms | embeddings median/p95 ms | hybrid median/p95 ms |');
    out('| ------- | ----------------------- | ------------------------ | -------------------- |');
    for (const l of lat) {
      out(
        `| ${String(l.chunks).padEnd(7)} | ${`${l['full-text'].medianMs} / ${l['full-text'].p95Ms}`.padStart(23)} | ${`${l.embeddings.medianMs} / ${l.embeddings.p95Ms}`.padStart(24)} | ${`${l.hybrid.medianMs} / ${l.hybrid.p95Ms}`.padStart(20)} |`,
      );
    }
    out(`written: ${writeResult('retrieval', result)}`);
    return result;
  } finally {
    await database?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Standalone: `node --import tsx bench/retrieval.bench.ts`.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runRetrievalBench().catch((err) => {
    process.stderr.write(
      `retrieval bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}
