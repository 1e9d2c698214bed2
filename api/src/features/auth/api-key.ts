// API keys (personal access tokens): `cbk_` + 32 random bytes in base64url. Only a SHA-256 hash is stored; the prefix
// shown in lists is enough to tell keys apart and too short to use.
import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'cbk_';
/** How many characters of a key a list shows (`cbk_` and the first 8 after it). */
const SHOWN_CHARS = API_KEY_PREFIX.length + 8;

export function isApiKey(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

/** The stored form of a secret (API key, refresh token, reset or invite token): hex SHA-256. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, SHOWN_CHARS), hash: hashSecret(key) };
}
