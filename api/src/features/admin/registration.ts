// Who may register (REGISTRATION=open|closed|invite) and with which role: the first account of an install is an
// admin, whatever the mode, and two first registrations racing still make exactly one admin.
import { randomBytes } from 'node:crypto';
import type { InviteResponse, UserRole } from '@chatbot/shared';
import { sql } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { AppError } from '../../http/app-error.js';
import { hashSecret } from '../auth/api-key.js';

/** A database handle or an open transaction. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

/** Every registration takes this transaction-scoped advisory lock, so "is this the first account?" has one answer. */
const REGISTRATION_LOCK = 7_301_001;

export const registrationErrors = {
  closed: () => new AppError('REGISTRATION_CLOSED', 'Registration is closed on this server; ask an administrator'),
  invite: () => new AppError('INVITE_INVALID', 'This invite is missing, already used or expired'),
};

export interface RegistrationInput {
  email: string;
  inviteToken?: string;
}

type Policy = Pick<Config, 'REGISTRATION'>;

async function hasUsers(db: DbOrTx): Promise<boolean> {
  const res = await db.execute<{ any: boolean }>(sql`select exists (select 1 from users) as any`);
  return res.rows[0]?.any === true;
}

/** The invite the token names, if it may still be used by `email`. */
async function usableInvite(db: DbOrTx, token: string, email: string, lock: boolean): Promise<number | undefined> {
  const res = await db.execute<{ id: number }>(sql`
    select id from invites
    where token_hash = ${hashSecret(token)} and used_at is null and expires_at > now()
      and (email is null or lower(email) = lower(${email}))
    ${lock ? sql`for update` : sql``}`);
  return res.rows[0]?.id;
}

/**
 * The cheap check before any other work (duplicate names, hashing): a closed server or a bad invite is refused at
 * once, so the answer does not tell which usernames exist. The decisive check is repeated in `insertRegistered`.
 */
export async function precheckRegistration(db: Db, config: Policy, input: RegistrationInput): Promise<void> {
  if (config.REGISTRATION === 'open' || !(await hasUsers(db))) return;
  if (config.REGISTRATION === 'closed') throw registrationErrors.closed();
  if (!input.inviteToken || (await usableInvite(db, input.inviteToken, input.email, false)) === undefined) {
    throw registrationErrors.invite();
  }
}

/**
 * Stores a new account under the registration lock: the first account becomes admin (and may always register);
 * otherwise the mode decides, and an invite is spent in the same transaction as the account it admits.
 * `insert` writes the user row with the role given.
 */
export async function insertRegistered<T extends { id: number }>(
  db: Db,
  config: Policy,
  input: RegistrationInput,
  insert: (tx: DbOrTx, role: UserRole) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${REGISTRATION_LOCK})`);
    const first = !(await hasUsers(tx));
    let inviteId: number | undefined;
    if (!first && config.REGISTRATION === 'closed') throw registrationErrors.closed();
    if (!first && config.REGISTRATION === 'invite') {
      inviteId = input.inviteToken ? await usableInvite(tx, input.inviteToken, input.email, true) : undefined;
      if (inviteId === undefined) throw registrationErrors.invite();
    }
    const row = await insert(tx, first ? 'admin' : 'user');
    if (inviteId !== undefined) {
      await tx.execute(sql`update invites set used_at = now(), used_by = ${row.id} where id = ${inviteId}`);
    }
    return row;
  });
}

/** A new invite link: the token is returned once and stored only as a hash. */
export async function createInvite(
  db: Db,
  publicUrl: string,
  opts: { email?: string; expiresInHours: number; createdBy: number },
): Promise<InviteResponse> {
  const token = randomBytes(24).toString('base64url');
  const res = await db.execute<{ expires_at: string | Date }>(sql`
    insert into invites (token_hash, email, created_by, expires_at)
    values (${hashSecret(token)}, ${opts.email ?? null}, ${opts.createdBy},
            now() + make_interval(hours => ${opts.expiresInHours}))
    returning expires_at`);
  const expiresAt = new Date(res.rows[0]!.expires_at).toISOString();
  return { token, url: `${publicUrl}/register?invite=${encodeURIComponent(token)}`, expiresAt };
}
