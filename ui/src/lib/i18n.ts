// The UI's words in English and Vietnamese, the current language (browser default, remembered choice) and t().
// English ships with the app; another language's dictionary is its own chunk, loaded before the first render for
// those who use it (index.tsx awaits initLocale) and on switching, so nobody downloads words they never read.
import { batch, createSignal } from 'solid-js';
import { type CoreDictionary, type Dictionary, en, type MessageKey } from './i18n/en';

export type { MessageKey };

export const LOCALES = ['en', 'vi'] as const;
export type Locale = (typeof LOCALES)[number];
const loaders: Record<Locale, () => Promise<CoreDictionary>> = {
  en: async () => en,
  vi: async () => (await import('./i18n/vi')).vi,
};

/** Pages with many words of their own load them with the page (routes.tsx), in whichever language is on. */
export type WordSection = 'admin' | 'account' | 'files' | 'panels' | 'auth';
const sectionLoaders: Record<WordSection, Record<Locale, () => Promise<Dictionary>>> = {
  admin: {
    en: async () => (await import('./i18n/en.admin')).enAdmin,
    vi: async () => (await import('./i18n/vi.admin')).viAdmin,
  },
  account: {
    en: async () => (await import('./i18n/en.account')).enAccount,
    vi: async () => (await import('./i18n/vi.account')).viAccount,
  },
  files: {
    en: async () => (await import('./i18n/en.files')).enFiles,
    vi: async () => (await import('./i18n/vi.files')).viFiles,
  },
  auth: {
    en: async () => (await import('./i18n/en.auth')).enAuth,
    vi: async () => (await import('./i18n/vi.auth')).viAuth,
  },
  panels: {
    en: async () => (await import('./i18n/en.panels')).enPanels,
    vi: async () => (await import('./i18n/vi.panels')).viPanels,
  },
};
const sections = new Set<WordSection>();

/** The words of `l` with those of every section loaded so far. */
async function wordsFor(l: Locale): Promise<Dictionary> {
  const [core, ...extra] = await Promise.all([loaders[l](), ...[...sections].map((s) => sectionLoaders[s][l]())]);
  return Object.assign({}, core, ...extra);
}
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

const [locale, setLocaleSignal] = createSignal<Locale>('en');
const [dictionary, setDictionary] = createSignal<Dictionary>(en);

export { locale };

/** Switches to `next` once its words are here (remembered unless `remember` is false). */
export async function setLocale(next: Locale, remember = true): Promise<void> {
  const words = await wordsFor(next);
  batch(() => {
    setDictionary(() => words);
    setLocaleSignal(next);
  });
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // storage blocked: the choice lasts for this page only
    }
  }
  document.documentElement.lang = next;
}

/** The detected language, loaded; English if its dictionary cannot be fetched (offline with an empty cache). */
export function initLocale(): Promise<void> {
  return setLocale(detectLocale(), false).catch(() => {
    document.documentElement.lang = 'en';
  });
}

/** Loads a page's own words (in the current language, and in any chosen later) before the page shows. */
export async function loadWords(section: WordSection): Promise<void> {
  if (sections.has(section)) return;
  sections.add(section);
  const l = locale();
  const words = await sectionLoaders[section][l]();
  if (locale() === l) setDictionary((d) => ({ ...d, ...words }));
}

/** A loader for `lazy()`: the chunk together with its words, so it never shows before they are there. */
export const withWords =
  <T>(load: () => Promise<T>, section: WordSection) =>
  (): Promise<T> =>
    Promise.all([load(), loadWords(section)]).then(([m]) => m);

/** Translate `key` in the current language; `{name}` placeholders are filled from `params`. Reactive. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  // English when the language lacks the key; the key itself only if its page's words never loaded (a bug to see).
  const text = dictionary()[key] ?? (en as Dictionary)[key] ?? key;
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
