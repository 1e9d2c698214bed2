// SQL for accounts: find users by id, username (any case) or email, and insert new ones.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { users } from '../../db/schema/index.js';

export type UserRow = typeof users.$inferSelect;

export function createAuthRepo(db: Db) {
  return {
    async findById(id: number): Promise<UserRow | undefined> {
      const rows = await db.select().from(users).where(eq(users.id, id)).limit(1);
      return rows[0];
    },

    /** Matches the lower(username) unique index, so usernames are found without regard to case. */
    async findByUsername(username: string): Promise<UserRow | undefined> {
      const rows = await db.select().from(users).where(sql`lower(${users.username}) = lower(${username})`).limit(1);
      return rows[0];
    },

    /** Emails are stored lowercased; the caller passes a lowercased address. */
    async findByEmail(email: string): Promise<UserRow | undefined> {
      const rows = await db.select().from(users).where(eq(users.email, email)).limit(1);
      return rows[0];
    },

    /** Marks a successful login (shown to admins, and in the user object). */
    async touchLogin(id: number): Promise<Date> {
      const rows = await db
        .update(users)
        .set({ lastLoginAt: sql`now()` })
        .where(eq(users.id, id))
        .returning({ at: users.lastLoginAt });
      return rows[0]?.at ?? new Date();
    },

    /** A unique violation here (a concurrent registration) surfaces as 23505 with the index name. */
    async insert(
      values: { username: string; email: string; passwordHash: string; role?: 'admin' | 'user' },
      tx: Pick<Db, 'insert'> = db,
    ): Promise<UserRow> {
      const rows = await tx.insert(users).values(values).returning();
      return rows[0]!;
    },
  };
}

export type AuthRepo = ReturnType<typeof createAuthRepo>;
