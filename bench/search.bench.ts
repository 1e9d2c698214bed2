// Search benchmark: 100,000 messages of one user (plus other users' noise) on the embedded PostgreSQL,
// search latency with the GIN indexes and, as the same-run baseline, with them dropped; EXPLAIN shows the plan.
// Run: node --import tsx bench/search.bench.ts   (writes bench/results/search.json)
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { connectDatabase, type Database } from '../api/src/db/client.js';
import { ensureDatabase, startEmbeddedPostgres } from '../api/src/db/embedded.js';
import { runMigrations } from '../api/src/db/migrate.js';
import { createSearchRepo, searchStatement } from '../api/src/features/search/search.repo.js';
import { writeResult } from './results.js';
import { percentile } from './stats.js';

const USER_MESSAGES = Number(process.env.BENCH_SEARCH_MESSAGES ?? 100_000);
const MESSAGES_PER_SESSION = 100;
/** Other users' messages: the index holds them too, and the search must skip them. */
const NOISE_MESSAGES = Math.round(USER_MESSAGES / 5);
const ROUNDS = 2;
const PAGE = 20;

// A small deterministic generator, so every run searches the same text.
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

/** Function words: in most messages, as in real text (the 'simple' configuration keeps them). */
const COMMON = `the a to of and in is it you that for on with as this be are can your how what use i do not have
  or if from by at an will one all more when which would there their about so some like them time make just`.split(
  /\s+/,
);
/** Words people search for; placed along the vocabulary's frequency curve (from ~10% of messages to ~0.2%). */
const TOPICAL = `database index query postgres table column schema migration transaction vacuum
  server client request response header token session cookie cache proxy nginx docker container volume
  python javascript typescript function class method variable array promise async
  model prompt answer stream chunk retry timeout error status search rank snippet
  recipe garden travel weather music guitar piano camera photo budget invoice contract meeting schedule email
  phở bánh mì cà phê Hà Nội Sài Gòn Huế Đà Nẵng tiếng Việt xin chào cảm ơn học tập làm việc gia đình bạn bè`.split(
  /\s+/,
);
const SYLLABLES = 'ka lo mi ne ru sa ti vo pe da gi ho ju ke li ma no pa qu re so tu va we xi yo ze ba ce fu'.split(
  ' ',
);
/** A 5,000-word vocabulary with a Zipf-like frequency curve: rank r is drawn with probability ~1/r. */
const VOCAB: string[] = (() => {
  const words = new Set<string>();
  const rand = prng(7);
  while (words.size < 5000) {
    const n = 2 + Math.floor(rand() * 3);
    words.add(Array.from({ length: n }, () => SYLLABLES[Math.floor(rand() * SYLLABLES.length)]).join(''));
  }
  const list = [...words];
  let rank = 7;
  TOPICAL.forEach((w, i) => {
    rank = Math.max(rank + 1, Math.round(8 * 1.054 ** i)); // distinct ranks 8 … ~1,500
    list[rank] = w;
  });
  return list;
})();
/** Rare words: each appears in a few dozen messages, as names and jargon do. */
const RARE = Array.from({ length: 2000 }, (_, i) => `zq${i.toString(36)}x`);

function makeText(rand: () => number): string {
  const words: string[] = [];
  const n = 12 + Math.floor(rand() * 48);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.45) words.push(COMMON[Math.floor(rand() ** 2 * COMMON.length)]!);
    else if (r < 0.985) words.push(VOCAB[Math.floor(VOCAB.length ** rand()) - 1]!);
    else words.push(RARE[Math.floor(rand() * RARE.length)]!);
  }
  return `${words.join(' ')}.`;
}

async function seedUser(db: Database['db'], name: string, messageCount: number, rand: () => number): Promise<number> {
  const u = await db.execute<{ id: number }>(
    sql`insert into users (username, email, password_hash) values (${name}, ${`${name}@example.com`}, 'x') returning id`,
  );
  const userId = u.rows[0]!.id;
  const sessions = Math.ceil(messageCount / MESSAGES_PER_SESSION);
  const titles = Array.from({ length: sessions }, () => makeText(rand).split(' ').slice(0, 5).join(' '));
  const s = await db.execute<{ id: number }>(sql`
    insert into chat_sessions (user_id, title, titled)
    select ${userId}, t, true from unnest(${sql.param(titles)}::text[]) as t returning id`);
  const sessionIds = s.rows.map((r) => r.id);
  const BATCH = 10_000;
  for (let start = 0; start < messageCount; start += BATCH) {
    const ids: number[] = [];
    const roles: string[] = [];
    const contents: string[] = [];
    for (let i = start; i < Math.min(start + BATCH, messageCount); i++) {
      ids.push(sessionIds[Math.floor(i / MESSAGES_PER_SESSION)]!);
      roles.push(i % 2 === 0 ? 'user' : 'assistant');
      contents.push(makeText(rand));
    }
    // One statement per 10,000 rows: arrays travel as three parameters.
    await db.execute(sql`
      insert into messages (session_id, role, content)
      select * from unnest(${sql.param(ids)}::integer[], ${sql.param(roles)}::varchar[], ${sql.param(contents)}::text[])`);
  }
  return userId;
}

interface Query {
  kind: string;
  q: string;
}

function buildQueries(): Query[] {
  const queries: Query[] = [];
  for (const q of ['the', 'and', 'how', 'what', 'you']) queries.push({ kind: 'function word', q });
  for (const q of ['database', 'python', 'phở', 'index', 'Hà Nội', 'meeting', 'cache', 'garden', 'token', 'docker']) {
    queries.push({ kind: 'topical word', q });
  }
  for (let i = 0; i < 10; i++) queries.push({ kind: 'rare word', q: RARE[i * 97]! });
  for (const q of [
    'database index',
    'docker volume',
    'python async',
    'recipe garden',
    'cảm ơn',
    'stream chunk',
    'server proxy',
    'how to use docker',
    'budget invoice',
    'token session',
  ]) {
    queries.push({ kind: 'several words', q });
  }
  for (const q of ['"database index"', '"xin chào"', '"server client"', '"how to"', '"tiếng Việt"']) {
    queries.push({ kind: 'phrase', q });
  }
  for (let i = 0; i < 5; i++) queries.push({ kind: 'rare or rare', q: `${RARE[i * 13 + 1]} or ${RARE[i * 29 + 7]}` });
  for (const q of [
    'postgres -vacuum',
    'music or guitar',
    'weather -travel',
    'zq1x or zq2x or zq3x',
    'nothingmatchesthis',
  ]) {
    queries.push({ kind: 'mixed', q });
  }
  return queries;
}

const round = (n: number) => Math.round(n * 100) / 100;

async function measure(database: Database, userId: number, queries: Query[]) {
  const repo = createSearchRepo(database.db);
  for (const { q } of queries) await repo.search(userId, q, PAGE, 0); // warm the cache
  const all: number[] = [];
  const byKind = new Map<string, number[]>();
  const totals = new Map<string, number>();
  for (let r = 0; r < ROUNDS; r++) {
    for (const { kind, q } of queries) {
      const t0 = performance.now();
      const { total } = await repo.search(userId, q, PAGE, 0);
      const ms = performance.now() - t0;
      all.push(ms);
      byKind.set(kind, [...(byKind.get(kind) ?? []), ms]);
      totals.set(q, total);
    }
  }
  const sorted = [...all].sort((a, b) => a - b);
  const kinds = Object.fromEntries(
    [...byKind].map(([k, v]) => {
      const s = [...v].sort((a, b) => a - b);
      return [k, { medianMs: round(percentile(s, 50)), p95Ms: round(percentile(s, 95)) }];
    }),
  );
  return {
    samples: all.length,
    medianMs: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
    byKind: kinds,
    totals: Object.fromEntries(totals),
  };
}

async function explain(database: Database, userId: number, q: string): Promise<string> {
  const r = await database.db.execute<{ 'QUERY PLAN': string }>(
    sql`explain (analyze, buffers, costs off, timing off) ${searchStatement(userId, q, PAGE, 0)}`,
  );
  return r.rows.map((row) => row['QUERY PLAN']).join('\n');
}

const out = (line = '') => process.stdout.write(`${line}\n`);

export async function runSearchBench(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatbot-bench-search-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as `postgres`, which must enter this folder
  const server = await startEmbeddedPostgres(path.join(dir, 'data'));
  let database: Database | undefined;
  try {
    database = connectDatabase(await ensureDatabase(server.url, 'bench_search'), { max: 4 });
    await runMigrations(database);
    const rand = prng(42);

    out(
      `seeding ${USER_MESSAGES.toLocaleString('en')} messages for one user + ${NOISE_MESSAGES.toLocaleString('en')} for others…`,
    );
    let t0 = performance.now();
    const userId = await seedUser(database.db, 'searcher', USER_MESSAGES, rand);
    for (let i = 0; i < 4; i++) await seedUser(database.db, `other${i}`, NOISE_MESSAGES / 4, rand);
    await database.db.execute(sql`vacuum analyze`);
    const seedMs = performance.now() - t0;
    const sizes = await database.db.execute<{ table_size: string; index_size: string }>(sql`
      select pg_size_pretty(pg_table_size('messages')) as table_size,
             pg_size_pretty(pg_relation_size('messages_search_idx')) as index_size`);

    const queries = buildQueries();
    const rareQuery = RARE[97]!;
    const planIndexed = await explain(database, userId, rareQuery);
    const withIndex = await measure(database, userId, queries);

    await database.db.execute(sql`drop index messages_search_idx`);
    await database.db.execute(sql`drop index chat_sessions_title_search_idx`);
    await database.db.execute(sql`analyze`);
    const planNoIndex = await explain(database, userId, rareQuery);
    const withoutIndex = await measure(database, userId, queries);

    t0 = performance.now();
    await database.db.execute(sql`create index messages_search_idx on messages using gin (search_vector)`);
    await database.db.execute(
      sql`create index chat_sessions_title_search_idx on chat_sessions using gin (title_search)`,
    );
    const indexBuildMs = performance.now() - t0;

    const usesIndex = /Bitmap Index Scan on messages_search_idx/.test(planIndexed);
    const result = {
      benchmark: 'search',
      date: new Date().toISOString(),
      node: process.version,
      messages: { searchingUser: USER_MESSAGES, otherUsers: NOISE_MESSAGES },
      sessionsOfSearchingUser: Math.ceil(USER_MESSAGES / MESSAGES_PER_SESSION),
      queries: queries.length,
      rounds: ROUNDS,
      pageSize: PAGE,
      seedSeconds: round(seedMs / 1000),
      messagesTableSize: sizes.rows[0]?.table_size,
      ginIndexSize: sizes.rows[0]?.index_size,
      ginIndexBuildMs: round(indexBuildMs),
      withIndex,
      withoutIndex,
      explain: { query: rareQuery, usesIndex, withIndex: planIndexed, withoutIndex: planNoIndex },
    };

    out();
    out(
      `search over ${USER_MESSAGES.toLocaleString('en')} messages of one user (${queries.length} queries × ${ROUNDS})`,
    );
    out('| query kind        | GIN median ms | GIN p95 ms | no index median ms | no index p95 ms |');
    out('| ----------------- | ------------- | ---------- | ------------------ | --------------- |');
    for (const kind of Object.keys(withIndex.byKind)) {
      const a = withIndex.byKind[kind]!;
      const b = withoutIndex.byKind[kind]!;
      out(
        `| ${kind.padEnd(17)} | ${String(a.medianMs).padStart(13)} | ${String(a.p95Ms).padStart(10)} | ${String(b.medianMs).padStart(18)} | ${String(b.p95Ms).padStart(15)} |`,
      );
    }
    out(
      `| ${'ALL'.padEnd(17)} | ${String(withIndex.medianMs).padStart(13)} | ${String(withIndex.p95Ms).padStart(10)} | ${String(withoutIndex.medianMs).padStart(18)} | ${String(withoutIndex.p95Ms).padStart(15)} |`,
    );
    out();
    out(
      `seeded in ${result.seedSeconds} s; messages table ${result.messagesTableSize}, GIN index ${result.ginIndexSize} (built in ${result.ginIndexBuildMs} ms)`,
    );
    out(`EXPLAIN for q=${rareQuery}: the GIN index is ${usesIndex ? 'used' : 'NOT used'}`);
    out(planIndexed);

    out(`written: ${writeResult('search', result)}`);
    return result;
  } finally {
    await database?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Standalone: `node --import tsx bench/search.bench.ts`.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runSearchBench().catch((err) => {
    process.stderr.write(`search bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
