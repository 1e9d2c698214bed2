// Keeps one broken component from blanking the app: a readable message and a way to try again.
import { ErrorBoundary, type JSX } from 'solid-js';
import { t } from '../lib/i18n';

export function SafeBoundary(props: { children: JSX.Element }) {
  return (
    <ErrorBoundary
      fallback={(_err, reset) => (
        <div
          class="m-4 rounded-xl border border-red-200 bg-red-50 p-4 text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
          role="alert"
        >
          <p>{t('error.boundary')}</p>
          <button type="button" class="mt-2 rounded-md border border-current px-3 py-1 text-sm" onClick={reset}>
            {t('error.reload')}
          </button>
        </div>
      )}
    >
      {props.children}
    </ErrorBoundary>
  );
}
