// Theme toggle and language switch, shown in the sidebar and on the sign-in pages.
import { LOCALES, type Locale, locale, setLocale, t } from '../lib/i18n';
import { theme, toggleTheme } from '../lib/theme';

export function Preferences() {
  return (
    <div class="flex items-center gap-2">
      <button
        type="button"
        class="rounded-lg p-2 text-zinc-600 hover:bg-zinc-200 dark:text-zinc-300 dark:hover:bg-zinc-800"
        aria-label={t('theme.toggle')}
        title={theme() === 'dark' ? t('theme.light') : t('theme.dark')}
        data-testid="theme-toggle"
        onClick={toggleTheme}
      >
        <span aria-hidden="true">{theme() === 'dark' ? '☀' : '☾'}</span>
      </button>
      <label class="sr-only" for="lang-select">
        {t('lang.label')}
      </label>
      <select
        id="lang-select"
        class="rounded-lg border border-zinc-300 bg-transparent px-2 py-1 text-sm dark:border-zinc-700"
        value={locale()}
        onChange={(e) => void setLocale(e.currentTarget.value as Locale)}
      >
        {LOCALES.map((l) => (
          <option value={l}>{t(l === 'en' ? 'lang.en' : 'lang.vi')}</option>
        ))}
      </select>
    </div>
  );
}
