// Languages and error words: English by default here, Vietnamese on request, every error code in words.
import { ERROR_CODES } from '@chatbot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { humanError } from './errors';
import { setLocale, t } from './i18n';

afterEach(() => setLocale('en'));

describe('i18n', () => {
  it('switches between English and Vietnamese and remembers the choice', async () => {
    expect(t('chat.newChat')).toBe('New chat');
    await setLocale('vi');
    expect(t('chat.newChat')).toBe('Cuộc trò chuyện mới');
    expect(localStorage.getItem('chatbot.locale')).toBe('vi');
    expect(document.documentElement.lang).toBe('vi');
  });

  it('fills placeholders', () => {
    expect(t('chat.confirmDelete', { title: 'Trip' })).toBe('Delete "Trip"? This cannot be undone.');
  });
});

describe('humanError', () => {
  it('has words for every error code the API sends', () => {
    for (const code of ERROR_CODES) {
      const text = humanError({ code, message: '{"raw":"json"}' });
      expect(text, code).not.toMatch(/[{}]|^err\./);
      expect(text.length, code).toBeGreaterThan(5);
    }
  });

  it('says the AI service is unavailable for AI_API_ERROR, in the chosen language', async () => {
    expect(humanError({ code: 'AI_API_ERROR', status: 502 })).toBe('The AI service is unavailable, please try again.');
    await setLocale('vi');
    expect(humanError({ code: 'AI_API_ERROR' })).toBe('Dịch vụ AI hiện không khả dụng, vui lòng thử lại.');
  });

  it('keeps the server wording of a validation error and hides anything else raw', () => {
    expect(humanError({ code: 'VALIDATION_ERROR', message: 'password must contain a digit' })).toBe(
      'password must contain a digit',
    );
    expect(humanError(new Error('at Object.<anonymous> (stack.js:1:1)'))).toBe(
      'Something went wrong, please try again.',
    );
  });
});
