// Light/dark theme: follows the system until the user picks one, then remembers the choice (public/theme-init.js applies it before paint).
import { createSignal } from 'solid-js';

export type Theme = 'light' | 'dark';
const STORAGE_KEY = 'chatbot.theme';

function systemTheme(): Theme {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function savedTheme(): Theme | undefined {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'dark' || v === 'light' ? v : undefined;
  } catch {
    return undefined;
  }
}

const [theme, setThemeSignal] = createSignal<Theme>(savedTheme() ?? systemTheme());

export { theme };

function apply(next: Theme): void {
  document.documentElement.classList.toggle('dark', next === 'dark');
}

/** Starts following the system theme while the user has not chosen one. */
export function initTheme(): void {
  apply(theme());
  if (typeof matchMedia !== 'function') return;
  matchMedia('(prefers-color-scheme: dark)').addEventListener?.('change', () => {
    if (savedTheme()) return;
    setThemeSignal(systemTheme());
    apply(theme());
  });
}

function setTheme(next: Theme): void {
  setThemeSignal(next);
  apply(next);
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // storage blocked: the choice lasts for this page only
  }
}

export function toggleTheme(): void {
  setTheme(theme() === 'dark' ? 'light' : 'dark');
}
