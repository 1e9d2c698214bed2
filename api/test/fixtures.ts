// Test fixtures: users with tokens, and conversations written straight to the database (no routes involved).

import type { AppInstance } from '../src/app.js';
import { chatSessions, messages, users } from '../src/db/schema/index.js';

/** Anything with the app's context: a TestApp, or an AppInstance built by hand. */
type WithContext = Pick<AppInstance, 'ctx'>;

export interface SeededUser {
  id: number;
  username: string;
  email: string;
  token: string;
}

let counter = 0;

/** A user and a valid token, without going through the auth routes (built by another feature). */
export async function seedUser(
  t: WithContext,
  username = `user${++counter}_${Date.now() % 100_000}`,
): Promise<SeededUser> {
  const email = `${username.toLowerCase()}@example.com`;
  const [row] = await t.ctx.db
    .insert(users)
    .values({ username, email, passwordHash: 'not-a-real-hash' })
    .returning({ id: users.id });
  const { accessToken } = await t.ctx.tokens.issue(row!.id);
  return { id: row!.id, username, email, token: accessToken };
}

export interface SeedMessage {
  role: 'user' | 'assistant';
  content: string;
  status?: 'complete' | 'stopped' | 'error' | 'streaming';
  model?: string | null;
  promptTokens?: number | null;
  completionTokens?: number | null;
  createdAt?: Date;
}

/** A session with its messages in order; returns the session id and the message ids in the same order. */
export async function seedSession(
  t: WithContext,
  userId: number,
  title: string,
  msgs: SeedMessage[] = [],
  at: Date = new Date('2026-01-02T03:04:05.678Z'),
): Promise<{ sessionId: number; messageIds: number[] }> {
  const [s] = await t.ctx.db
    .insert(chatSessions)
    .values({ userId, title, titled: true, createdAt: at, updatedAt: new Date(at.getTime() + 60_000) })
    .returning({ id: chatSessions.id });
  const messageIds: number[] = [];
  for (const [i, m] of msgs.entries()) {
    const [row] = await t.ctx.db
      .insert(messages)
      .values({
        sessionId: s!.id,
        role: m.role,
        content: m.content,
        status: m.status ?? 'complete',
        model: m.model ?? (m.role === 'assistant' ? 'gpt-4o' : null),
        promptTokens: m.promptTokens ?? null,
        completionTokens: m.completionTokens ?? null,
        createdAt: m.createdAt ?? new Date(at.getTime() + (i + 1) * 1000),
      })
      .returning({ id: messages.id });
    messageIds.push(row!.id);
  }
  return { sessionId: s!.id, messageIds };
}
