import { searchResponseSchema, splitHighlights } from '@chatbot/shared';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upload } from '../../../test/files/file-fixtures.js';
import { type SeededUser, seedSession, seedUser } from '../../../test/fixtures.js';
import { call, createTestApp, type TestApp } from '../../../test/harness.js';
import { MARK_END, MARK_START, searchStatement } from './search.repo.js';
import { parseHeadline } from './search.service.js';

/** The highlighted words of a result, as a client would cut them out of the plain snippet. */
function highlighted(r: { snippet: string; highlights: { start: number; end: number }[] }): string[] {
  return r.highlights.map((h) => r.snippet.slice(h.start, h.end));
}

describe('GET /api/chat/search', () => {
  let t: TestApp;
  let alice: SeededUser;
  let bob: SeededUser;

  beforeAll(async () => {
    t = await createTestApp();
    alice = await seedUser(t, 'alice');
    bob = await seedUser(t, 'bob');
  });
  afterAll(async () => t.cleanup());

  const search = (user: SeededUser, query: string) =>
    call(t.app, 'GET', `/api/chat/search?${query}`, { token: user.token });

  it('requires a token', async () => {
    const res = await call(t.app, 'GET', '/api/chat/search?q=anything');
    expect(res.status).toBe(401);
    expect(res.body.detail.code).toBe('UNAUTHORIZED');
  });

  it.each([
    ['q=', 'q'],
    ['q=%20%20', 'q'],
    ['', 'q'],
    [`q=${'a'.repeat(201)}`, 'q'],
    ['q=x&limit=0', 'limit'],
    ['q=x&limit=51', 'limit'],
    ['q=x&limit=ten', 'limit'],
    ['q=x&offset=-1', 'offset'],
  ])('rejects the query string %j naming the field %s', async (query, field) => {
    const res = await search(alice, query);
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatchObject({ code: 'VALIDATION_ERROR', field });
  });

  it('finds a word in a message, whatever its case, with the match highlighted in a plain-text snippet', async () => {
    const { sessionId, messageIds } = await seedSession(t, alice.id, 'Database tuning', [
      { role: 'user', content: 'How do I make PostgreSQL use my index for zebrafish lookups?' },
      { role: 'assistant', content: 'Run ANALYZE first.' },
    ]);
    const res = await search(alice, 'q=ZEBRAFISH');
    expect(res.status).toBe(200);
    const body = searchResponseSchema.parse(res.body);
    expect(body.total).toBe(1);
    expect(body.results[0]).toMatchObject({
      sessionId,
      sessionTitle: 'Database tuning',
      messageId: messageIds[0],
      role: 'user',
    });
    expect(body.results[0]!.snippet).toContain('How do I make PostgreSQL use my index for zebrafish lookups?');
    expect(highlighted(body.results[0]!)).toEqual(['zebrafish']);
    expect(Number.isNaN(Date.parse(body.results[0]!.createdAt))).toBe(false);
  });

  it('matches Vietnamese words with their diacritics and highlights them exactly', async () => {
    await seedSession(t, alice.id, 'Ăn gì hôm nay', [{ role: 'user', content: 'Tôi rất thích ăn phở bò ở Hà Nội.' }]);
    const body = searchResponseSchema.parse((await search(alice, `q=${encodeURIComponent('phở')}`)).body);
    expect(body.total).toBe(1);
    expect(highlighted(body.results[0]!)).toEqual(['phở']);
    // 'simple' keeps diacritics: "pho" (a different word in Vietnamese) is not "phở".
    expect((await search(alice, 'q=pho')).body.total).toBe(0);
  });

  it('never returns, counts or ranks another user’s text', async () => {
    await seedSession(t, bob.id, 'Bob’s quokka secrets', [{ role: 'user', content: 'my quokka password hint' }]);
    const asAlice = await search(alice, 'q=quokka');
    expect(asAlice.status).toBe(200);
    expect(asAlice.body).toEqual({ results: [], total: 0 });
    const asBob = searchResponseSchema.parse((await search(bob, 'q=quokka')).body);
    expect(asBob.total).toBe(2); // the title and the message
    expect(new Set(asBob.results.map((r) => r.sessionTitle))).toEqual(new Set(['Bob’s quokka secrets']));
  });

  it('ranks a title match above a message match, and a message matching more terms above one matching fewer', async () => {
    const titled = await seedSession(t, alice.id, 'Narwhal migration notes', [
      { role: 'user', content: 'unrelated words only' },
    ]);
    const both = await seedSession(t, alice.id, 'Ocean facts', [
      { role: 'user', content: 'The narwhal has a tusk; the walrus has two.' },
      { role: 'assistant', content: 'A narwhal lives in the Arctic, and it swims far.' },
    ]);
    const res = searchResponseSchema.parse((await search(alice, 'q=narwhal%20or%20walrus')).body);
    expect(res.total).toBe(3);
    expect(res.results[0]).toMatchObject({ sessionId: titled.sessionId, messageId: null, role: null });
    expect(highlighted(res.results[0]!)).toEqual(['Narwhal']);
    expect(res.results[1]).toMatchObject({ sessionId: both.sessionId, messageId: both.messageIds[0] });
    expect(highlighted(res.results[1]!)).toEqual(['narwhal', 'walrus']);
    expect(res.results[2]).toMatchObject({ messageId: both.messageIds[1] });
    expect(res.results[0]!.rank).toBeGreaterThan(res.results[1]!.rank);
    expect(res.results[1]!.rank).toBeGreaterThan(res.results[2]!.rank);
  });

  it('understands web-search syntax: quoted phrases and excluded words', async () => {
    await seedSession(t, alice.id, 'Phrases', [
      { role: 'user', content: 'the blue lagoon is warm' },
      { role: 'user', content: 'the lagoon is blue and cold' },
    ]);
    const phrase = searchResponseSchema.parse((await search(alice, `q=${encodeURIComponent('"blue lagoon"')}`)).body);
    expect(phrase.results.map((r) => r.snippet)).toEqual(['the blue lagoon is warm']);
    const excluded = searchResponseSchema.parse((await search(alice, `q=${encodeURIComponent('lagoon -warm')}`)).body);
    expect(excluded.results.map((r) => r.snippet)).toEqual(['the lagoon is blue and cold']);
  });

  it('pages with limit and offset, keeping the total', async () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ role: 'user' as const, content: `axolotl number ${i}` }));
    await seedSession(t, alice.id, 'Pets', many);
    const seen = new Set<number | null>();
    for (const offset of [0, 3, 6]) {
      const page = searchResponseSchema.parse((await search(alice, `q=axolotl&limit=3&offset=${offset}`)).body);
      expect(page.total).toBe(7);
      expect(page.results.length).toBe(offset === 6 ? 1 : 3);
      for (const r of page.results) seen.add(r.messageId);
    }
    expect(seen.size).toBe(7);
    const beyond = await search(alice, 'q=axolotl&limit=3&offset=30');
    expect(beyond.body).toEqual({ results: [], total: 7 });
  });

  it('returns markup in messages as plain text and highlights only the matched word', async () => {
    await seedSession(t, alice.id, 'Markup', [
      { role: 'user', content: `<img src=x onerror=alert(1)> ${MARK_START}tapir${MARK_END} <b>bold</b>` },
    ]);
    const body = searchResponseSchema.parse((await search(alice, 'q=tapir')).body);
    const r = body.results[0]!;
    expect(r.snippet).toBe('<img src=x onerror=alert(1)> tapir <b>bold</b>');
    expect(highlighted(r)).toEqual(['tapir']);
    expect(splitHighlights(r.snippet, r.highlights)).toEqual([
      { text: '<img src=x onerror=alert(1)> ', highlighted: false },
      { text: 'tapir', highlighted: true },
      { text: ' <b>bold</b>', highlighted: false },
    ]);
  });

  it.each([
    'Use Vec<String> and HashMap<K, V> here: capybara',
    'a < b > c && d &amp; e capybara',
    '<div class="x">capybara</div> <!-- note -->',
    'https://example.com/a?b=c capybara-friendly e-mail@example.com',
  ])('keeps the text %j exactly as written in its snippet', async (content) => {
    const user = await seedUser(t);
    await seedSession(t, user.id, 'Exact', [{ role: 'user', content }]);
    const r = searchResponseSchema.parse((await search(user, 'q=capybara')).body).results[0]!;
    expect(r.snippet).toBe(content);
    expect(highlighted(r)).toContain('capybara');
  });

  it('cuts a long message down to short fragments around the matches', async () => {
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
    await seedSession(t, alice.id, 'Long', [
      { role: 'assistant', content: `${filler(200)} the pangolin appears here\n\n${filler(200)} and a pangolin again` },
    ]);
    const r = searchResponseSchema.parse((await search(alice, 'q=pangolin')).body).results[0]!;
    expect(r.snippet.length).toBeLessThan(400);
    expect(r.snippet).not.toMatch(/\n/);
    expect(highlighted(r)).toEqual(['pangolin', 'pangolin']);
  });

  it.each(['!!! ???', '-narwhal', '-narwhal -walrus'])(
    'answers %j, which has no word to look for, with no results',
    async (q) => {
      const res = await search(alice, `q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ results: [], total: 0 });
    },
  );

  it('finds a message as soon as it is stored (the search column is computed by the database)', async () => {
    const { messageIds } = await seedSession(t, alice.id, 'Fresh', [{ role: 'user', content: 'okapi sighting' }]);
    const body = searchResponseSchema.parse((await search(alice, 'q=okapi')).body);
    expect(body.results.map((r) => r.messageId)).toEqual([messageIds[0]]);
  });
});

describe('the search statement', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.cleanup());

  it('has GIN indexes on the stored tsvector columns it searches (bench/search.bench.ts shows them used)', async () => {
    const r = await t.ctx.db.execute<{ indexname: string; indexdef: string }>(sql`
      select indexname, indexdef from pg_indexes
      where indexname in ('messages_search_idx', 'chat_sessions_title_search_idx') order by indexname`);
    expect(r.rows.map((x) => x.indexdef)).toEqual([
      expect.stringMatching(/ON public\.chat_sessions USING gin \(title_search\)$/),
      expect.stringMatching(/ON public\.messages USING gin \(search_vector\)$/),
    ]);
    const generated = await t.ctx.db.execute<{
      table_name: string;
      column_name: string;
      generation_expression: string;
    }>(sql`
      select table_name, column_name, generation_expression from information_schema.columns
      where column_name in ('search_vector', 'title_search') order by table_name`);
    expect(generated.rows.map((x) => [x.table_name, x.generation_expression])).toEqual([
      ['chat_sessions', expect.stringContaining("to_tsvector('simple'::regconfig, (title)::text)")],
      ['messages', expect.stringContaining("to_tsvector('simple'::regconfig, content)")],
    ]);
    // The statement's conditions name exactly those columns, with the same configuration.
    const text = new PgDialect().sqlToQuery(searchStatement(1, 'x', 20, 0)).sql;
    expect(text).toContain("m.search_vector @@ websearch_to_tsquery('simple'");
    expect(text).toContain("s.title_search @@ websearch_to_tsquery('simple'");
  });
});

describe('GET /api/chat/search over file names', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.cleanup());

  it('finds a conversation by the name of a file attached to it, never another user’s or an unattached one', async () => {
    const carol = await seedUser(t, 'carol_files');
    const dave = await seedUser(t, 'dave_files');
    const { sessionId: session } = await seedSession(t, carol.id, 'Budget talk', []);
    const md = new TextEncoder().encode('# Notes\n\nnumbers');
    const attached = await upload(t.app, carol.token, 'Q3-forecast_final.md', md, { sessionId: session });
    expect(attached.status).toBe(201);
    expect((await upload(t.app, carol.token, 'forecast-draft.md', md)).status).toBe(201);
    const { sessionId: daveSession } = await seedSession(t, dave.id, 'Dave', []);
    expect((await upload(t.app, dave.token, 'forecast-dave.md', md, { sessionId: daveSession })).status).toBe(201);

    const res = await call(t.app, 'GET', '/api/chat/search?q=forecast', { token: carol.token });
    expect(res.status).toBe(200);
    expect(searchResponseSchema.parse(res.body)).toBeTruthy();
    expect(res.body.total).toBe(1);
    const [hit] = res.body.results;
    expect(hit).toMatchObject({ sessionId: session, sessionTitle: 'Budget talk', messageId: null, role: null });
    expect(hit.fileId).toBe(attached.body.id);
    expect(hit.snippet).toBe('Q3-forecast_final.md');
    expect(highlighted(hit)).toEqual(['forecast']);
    // Titles and messages carry no file.
    const title = await call(t.app, 'GET', '/api/chat/search?q=budget', { token: carol.token });
    expect(title.body.results[0]).toMatchObject({ sessionId: session, fileId: null });
  });
});

describe('parseHeadline', () => {
  it('turns markers into ranges over the plain text, merging adjacent ones and folding whitespace', () => {
    const h = `  one ${MARK_START}two${MARK_END}${MARK_START}three${MARK_END}\n\n four ${MARK_START}five${MARK_END} `;
    const { snippet, highlights } = parseHeadline(h);
    expect(snippet).toBe('one twothree four five');
    expect(highlights.map((x) => snippet.slice(x.start, x.end))).toEqual(['twothree', 'five']);
  });

  it('counts offsets in UTF-16 code units, as JavaScript strings do', () => {
    const { snippet, highlights } = parseHeadline(`😀 ${MARK_START}tiếng${MARK_END} Việt`);
    expect(snippet.slice(highlights[0]!.start, highlights[0]!.end)).toBe('tiếng');
  });
});
