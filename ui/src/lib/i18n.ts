// The UI's words in English and Vietnamese, the current language (browser default, remembered choice) and t().
import { createSignal } from 'solid-js';
import { type Dictionary, en, type MessageKey } from './i18n/en';
import { vi } from './i18n/vi';

export type { MessageKey };

export const LOCALES = ['en', 'vi'] as const;
export type Locale = (typeof LOCALES)[number];
const dictionaries: Record<Locale, Dictionary> = { en, vi };
const STORAGE_KEY = 'chatbot.locale';

/** The remembered choice, else the browser's first language we speak, else English. */
export function detectLocale(): Locale {
  const saved = safeStorageGet(STORAGE_KEY);
  if (saved === 'en' || saved === 'vi') return saved;
  const langs = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  for (const l of langs) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'vi' || base === 'en') return base;
  }
  return 'en';
}

const [locale, setLocaleSignal] = createSignal<Locale>(detectLocale());

export { locale };

export function setLocale(next: Locale): void {
  setLocaleSignal(next);
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // storage blocked: the choice lasts for this page only
  }
  document.documentElement.lang = next;
}

/** Translate `key` in the current language; `{name}` placeholders are filled from `params`. Reactive. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = dictionaries[locale()][key] ?? en[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

function safeStorageGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
