// Unit tests of password hashing: cost 12, the SHA-256 pre-hash, and every character counting.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BCRYPT_COST, hashPassword, prehashPassword, verifyAgainstDummy, verifyPassword } from './passwords.js';

describe('passwords', () => {
  it('hashes with bcrypt cost 12 and verifies the same password', async () => {
    const stored = await hashPassword('Str0ngPassword');
    expect(BCRYPT_COST).toBe(12);
    expect(stored).toMatch(/^\$2[aby]\$12\$[./A-Za-z0-9]{53}$/);
    expect(await verifyPassword('Str0ngPassword', stored)).toBe(true);
    expect(await verifyPassword('Str0ngPassworD', stored)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPassword('Str0ngPassword'), hashPassword('Str0ngPassword')]);
    expect(a).not.toBe(b);
  });

  it('pre-hashes to base64 SHA-256 of the UTF-8 text: 44 ASCII characters, no NUL', () => {
    const password = 'Mật khẩu 2024';
    const expected = createHash('sha256')
      .update(Buffer.from(password.normalize('NFC'), 'utf8'))
      .digest('base64');
    expect(prehashPassword(password)).toBe(expected);
    expect(prehashPassword(password)).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(prehashPassword(`${'ư'.repeat(1000)}A1`)).toHaveLength(44);
  });

  it('counts characters past byte 72: passwords equal in their first 72 bytes do not match', async () => {
    // 40 × "ậ" is 120 bytes: a plain bcrypt would compare only the first 24 letters.
    const base = `A1${'ậ'.repeat(40)}`;
    expect(Buffer.byteLength(base, 'utf8')).toBeGreaterThan(72);
    const stored = await hashPassword(`${base}x`);
    expect(await verifyPassword(`${base}x`, stored)).toBe(true);
    expect(await verifyPassword(`${base}y`, stored)).toBe(false);
  });

  it('treats composed and decomposed Vietnamese input as the same password', async () => {
    const composed = 'Mật khẩu 2024'.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const stored = await hashPassword(composed);
    expect(await verifyPassword(decomposed, stored)).toBe(true);
  });

  it('answers false, not an exception, for a malformed stored hash', async () => {
    expect(await verifyPassword('Str0ngPassword', 'not-a-bcrypt-hash')).toBe(false);
  });

  it('spends about one bcrypt verification when the user does not exist', async () => {
    const stored = await hashPassword('Str0ngPassword');
    let started = performance.now();
    await verifyPassword('Wr0ngPassword', stored);
    const real = performance.now() - started;
    started = performance.now();
    expect(await verifyAgainstDummy('Wr0ngPassword')).toBe(false);
    const dummy = performance.now() - started;
    expect(dummy).toBeGreaterThan(real * 0.4);
  });
});
