// humanError for the operations codes: a quota refusal says when it resets, in the current language.
import { afterEach, describe, expect, it } from 'vitest';
import { humanError } from './errors';
import { setLocale } from './i18n';

afterEach(() => setLocale('en'));

describe('humanError', () => {
  it('says a quota was reached and when it resets (REST ApiError and WebSocket frame alike)', async () => {
    const resetAt = '2026-03-02T00:00:00.000Z';
    const text = humanError({ code: 'QUOTA_EXCEEDED', resetAt, message: 'You have reached your daily message limit.' });
    expect(text).toMatch(/^Limit reached\. It resets at .+\.$/);
    expect(text).toContain('2026');
    await setLocale('vi');
    expect(humanError({ code: 'QUOTA_EXCEEDED', resetAt })).toMatch(
      /^Đã đạt giới hạn\. Hạn mức được đặt lại lúc .+\.$/,
    );
  });

  it('falls back to the plain words without a reset time, and knows the other new codes', () => {
    expect(humanError({ code: 'QUOTA_EXCEEDED' })).toBe('You have reached your usage limit.');
    expect(humanError({ code: 'ACCOUNT_DISABLED' })).toBe('This account is disabled. Ask an administrator.');
    expect(humanError({ code: 'INVITE_INVALID' })).toMatch(/invite/);
    expect(humanError({ code: 'REGISTRATION_CLOSED' })).toMatch(/closed/);
  });
});
