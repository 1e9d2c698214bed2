// SQL for full-text search: ranked matches among one user's session titles, messages and the names of the files
// attached to their conversations, one page, with headlines.
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';

/** Private-use characters mark the matches in ts_headline's output; they are removed from the text beforehand. */
export const MARK_START = '\uE000';
export const MARK_END = '\uE001';
/**
 * ts_headline drops anything its parser takes for an HTML tag ("<b>"), which would change the text of a snippet;
 * so '<' and '>' travel through it as these two, and are put back afterwards.
 */
export const ANGLE_OPEN = '\uE002';
export const ANGLE_CLOSE = '\uE003';
/** Up to this many characters, a snippet is the whole text; longer ones are cut to fragments around the matches. */
export const WHOLE_TEXT_MAX = 300;

const FRAGMENTS = `StartSel="${MARK_START}", StopSel="${MARK_END}", MaxFragments=2, MaxWords=24, MinWords=8, ShortWord=1, FragmentDelimiter=" … "`;
const WHOLE = `StartSel="${MARK_START}", StopSel="${MARK_END}", HighlightAll=true`;
// Our private-use characters already in the text are removed, and the angle brackets swapped for theirs.
const TRANSLATE_FROM = `<>${MARK_START}${MARK_END}${ANGLE_OPEN}${ANGLE_CLOSE}`;
const TRANSLATE_TO = `${ANGLE_OPEN}${ANGLE_CLOSE}`;

export interface SearchRow {
  sessionId: number;
  sessionTitle: string;
  messageId: number | null;
  role: 'user' | 'assistant' | null;
  /** A file attached to the conversation whose name matched. */
  fileId: number | null;
  createdAt: string;
  rank: number;
  /** The text with MARK_START/MARK_END around each match, and ANGLE_OPEN/ANGLE_CLOSE for '<' and '>'. */
  headline: string;
}

export interface SearchRepo {
  search(userId: number, q: string, limit: number, offset: number): Promise<{ rows: SearchRow[]; total: number }>;
}

/** A file name as words: "q3-report_final.pdf" is searched as "q3 report final pdf". */
const FILE_NAME_WORDS = sql.raw(`regexp_replace(f.name, '[._\\-]+', ' ', 'g')`);

/**
 * Every match of `q` among the user's titles, messages and attached files' names, with its rank.
 * The tsquery is written inline (not in a CTE) so the planner sees the words and estimates how many rows match:
 * a rare word is read from the GIN index, a word in most messages by a parallel scan.
 * The user filter sits in both branches so no other user's row is ever ranked, counted or returned.
 * ts_rank_cd flag 1 divides by 1 + log(length): a short text matching is worth more than a long one mentioning it once.
 */
function matches(userId: number, q: string): SQL {
  const query = sql`websearch_to_tsquery('simple', ${q})`;
  // querytree() is 'T' when nothing in the query is a word to look for ("-draft" alone): such a query would match
  // nearly every text the user has, so it matches none (the planner drops both scans for it).
  const searchable = sql`querytree(${query}) <> 'T'`;
  return sql`
    select s.id as session_id, null::integer as message_id, null::text as role, null::integer as file_id,
           s.updated_at as created_at, ts_rank_cd(s.title_search, ${query}, 1) as rank
    from chat_sessions s
    where ${searchable} and s.user_id = ${userId} and s.title_search @@ ${query}
    union all
    select m.session_id, m.id, m.role, null, m.created_at, ts_rank_cd(m.search_vector, ${query}, 1)
    from messages m join chat_sessions s on s.id = m.session_id
    where ${searchable} and s.user_id = ${userId} and m.search_vector @@ ${query}
    union all
    -- A user has at most FILES_MAX_PER_USER files: their names are matched without an index.
    select f.session_id, null, null, f.id, f.created_at, ts_rank_cd(n.words, ${query}, 1)
    from files f cross join lateral (select to_tsvector('simple', ${FILE_NAME_WORDS}) as words) n
    where ${searchable} and f.user_id = ${userId} and f.session_id is not null and n.words @@ ${query}`;
}

/**
 * One page of matches with their headlines and the total, in one round trip.
 * ts_headline is costly, so it runs only on the page's rows. (Exported for the benchmark's EXPLAIN.)
 */
export function searchStatement(userId: number, q: string, limit: number, offset: number): SQL {
  return sql`
    select p.total, p.session_id, s.title as session_title, p.message_id, p.role, p.file_id, p.created_at, p.rank,
           ts_headline('simple', translate(t.text, ${TRANSLATE_FROM}, ${TRANSLATE_TO}),
             websearch_to_tsquery('simple', ${q}),
             case when length(t.text) <= ${WHOLE_TEXT_MAX} then ${WHOLE} else ${FRAGMENTS} end) as headline
    from (
      select h.*, (count(*) over ())::integer as total
      from (${matches(userId, q)}) h
      order by h.rank desc, h.created_at desc, h.message_id desc nulls first
      limit ${limit} offset ${offset}
    ) p
    join chat_sessions s on s.id = p.session_id
    left join messages m on m.id = p.message_id
    left join files f on f.id = p.file_id
    cross join lateral (select coalesce(m.content, f.name, s.title) as text) t
    order by p.rank desc, p.created_at desc, p.message_id desc nulls first`;
}

type SearchResultRow = {
  total: number;
  session_id: number;
  session_title: string;
  message_id: number | null;
  role: 'user' | 'assistant' | null;
  file_id: number | null;
  // drizzle's pg driver hands timestamps of raw queries over as text
  created_at: Date | string;
  rank: number;
  headline: string;
};

export function createSearchRepo(db: Db): SearchRepo {
  return {
    async search(userId, q, limit, offset) {
      const result = await db.execute<SearchResultRow>(searchStatement(userId, q, limit, offset));
      let total = result.rows[0]?.total ?? 0;
      if (result.rows.length === 0 && offset > 0) {
        // A page past the end carries no count: ask for it alone.
        const counted = await db.execute<{ total: number }>(
          sql`select count(*)::integer as total from (${matches(userId, q)}) h`,
        );
        total = counted.rows[0]?.total ?? 0;
      }
      const rows: SearchRow[] = [];
      for (const r of result.rows) {
        rows.push({
          sessionId: r.session_id,
          sessionTitle: r.session_title,
          messageId: r.message_id,
          role: r.role,
          fileId: r.file_id,
          createdAt: new Date(r.created_at).toISOString(),
          rank: Number(r.rank),
          headline: r.headline,
        });
      }
      return { rows, total };
    },
  };
}
