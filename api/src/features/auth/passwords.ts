// Password hashing: SHA-256 pre-hash then bcrypt (cost 12) on low-priority threads, and a timing-equal miss check.
import { createHash } from 'node:crypto';
import { bcryptHash, bcryptVerify } from './bcrypt-pool.js';

export const BCRYPT_COST = 12;

/**
 * A bcrypt hash (cost 12) of a random secret nobody knows. Verifying against it when the user does not exist
 * costs what a real check costs, so response time does not tell whether a username exists.
 */
const DUMMY_HASH = '$2b$12$JCha9DnOi7.6x6WfMJ3ux.j4ksbcDdyBsMIN/olhJhfxf9Zucn7sq';

/**
 * bcrypt reads only the first 72 bytes, and a Vietnamese letter takes 2–3 bytes in UTF-8, so a long passphrase
 * would be cut silently. SHA-256 of the whole password (base64: 44 ASCII chars, no NUL) makes every character count.
 * NFC first: the same passphrase typed on two keyboards can arrive composed or decomposed.
 */
export function prehashPassword(password: string): string {
  return createHash('sha256').update(password.normalize('NFC'), 'utf8').digest('base64');
}

/** bcrypt runs off the event loop at a lower CPU priority, so a burst of logins does not slow other requests. */
export function hashPassword(password: string): Promise<string> {
  return bcryptHash(prehashPassword(password), BCRYPT_COST);
}

export async function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  try {
    return await bcryptVerify(prehashPassword(password), passwordHash);
  } catch {
    // A malformed stored hash is a failed login, not a 500.
    return false;
  }
}

/** Spends one bcrypt verification for a login whose user does not exist; always false. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(password, DUMMY_HASH);
  return false;
}
