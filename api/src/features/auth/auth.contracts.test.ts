// Unit tests of the shared auth contracts: the username, email and password rules the API and UI both apply.
import {
  loginRequestSchema,
  PASSWORD_MAX_LENGTH,
  passwordSchema,
  registerRequestSchema,
  usernameSchema,
} from '@chatbot/shared';
import { describe, expect, it } from 'vitest';

const firstMessage = (r: { success: boolean; error?: { issues: { message: string }[] } }) =>
  r.error?.issues[0]?.message;

describe('auth contracts', () => {
  it.each(['abc', 'A_b_9', 'x'.repeat(50), 'Nguyen_Van_A'])('accepts the username %s', (name) => {
    expect(usernameSchema.safeParse(name).success).toBe(true);
  });

  it.each([
    ['ab', /at least 3/],
    ['x'.repeat(51), /at most 50/],
    ['with-dash', /letters, digits and underscores/],
    ['Nguyễn', /letters, digits and underscores/],
    ['a@b', /letters, digits and underscores/],
  ])('refuses the username %s', (name, message) => {
    expect(firstMessage(usernameSchema.safeParse(name))).toMatch(message);
  });

  it('trims the username and keeps its case', () => {
    expect(usernameSchema.parse('  MixedCase ')).toBe('MixedCase');
  });

  it('lowercases and trims the email, and limits it to 255 characters', () => {
    const ok = registerRequestSchema.parse({ username: 'abc', email: ' Ann@Example.COM ', password: 'Str0ngPass' });
    expect(ok.email).toBe('ann@example.com');
    const long = registerRequestSchema.safeParse({
      username: 'abc',
      email: `${'a'.repeat(244)}@example.com`,
      password: 'Str0ngPass',
    });
    expect(long.success).toBe(false);
    expect(long.error?.issues[0]?.path).toEqual(['email']);
    expect(
      registerRequestSchema.safeParse({ username: 'abc', email: 'no-at-sign', password: 'Str0ngPass' }).success,
    ).toBe(false);
  });

  it.each([
    ['Short1a', /at least 8/],
    ['nouppercase1', /upper-case/],
    ['NOLOWERCASE1', /lower-case/],
    ['NoDigitsAtAll', /digit/],
  ])('refuses the password %s', (password, message) => {
    expect(firstMessage(passwordSchema.safeParse(password))).toMatch(message);
  });

  it('accepts a Vietnamese passphrase of 128+ characters, counting its accented letters as letters', () => {
    const passphrase = `Đây là mật khẩu rất dài của tôi ${'với nhiều chữ có dấu '.repeat(5)}năm 2024`;
    expect(passphrase.length).toBeGreaterThanOrEqual(128);
    expect(passwordSchema.safeParse(passphrase).success).toBe(true);
    // Upper and lower case found only in accented letters still count.
    expect(passwordSchema.safeParse('Ơơơơơơơ1').success).toBe(true);
  });

  it('accepts exactly PASSWORD_MAX_LENGTH characters and refuses one more', () => {
    const max = `Aa1${'x'.repeat(PASSWORD_MAX_LENGTH - 3)}`;
    expect(passwordSchema.safeParse(max).success).toBe(true);
    expect(firstMessage(passwordSchema.safeParse(`${max}x`))).toMatch(/at most 1024/);
    expect(loginRequestSchema.safeParse({ username: 'abc', password: `${max}x` }).success).toBe(false);
  });

  it('lets login take a username or an email, and requires both fields', () => {
    expect(loginRequestSchema.safeParse({ username: 'ann@example.com', password: 'x' }).success).toBe(true);
    expect(loginRequestSchema.safeParse({ username: '  ', password: 'x' }).success).toBe(false);
    expect(loginRequestSchema.safeParse({ username: 'abc' }).success).toBe(false);
  });
});
