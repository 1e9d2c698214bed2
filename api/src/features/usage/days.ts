// UTC days and months as PostgreSQL sees them: every process and every query agree on what "today" is, whatever
// each machine's clock or zone says.
import { sql } from 'drizzle-orm';

/** Today's UTC date. */
export const UTC_TODAY = sql`(now() at time zone 'utc')::date`;
/** The first day of this UTC month. */
export const UTC_MONTH_START = sql`date_trunc('month', now() at time zone 'utc')::date`;

/** The start of a UTC day (`YYYY-MM-DD`) as an instant. */
export const dayStart = (day: string) => new Date(`${day}T00:00:00.000Z`);

/** `YYYY-MM-DD` of an instant, in UTC. */
export const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/** `day` plus `n` days. */
export function addDays(day: string, n: number): string {
  const d = dayStart(day);
  d.setUTCDate(d.getUTCDate() + n);
  return utcDay(d);
}
