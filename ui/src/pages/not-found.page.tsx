// The 404 page for any unknown path.
import { A } from '@solidjs/router';
import { t } from '../lib/i18n';

export default function NotFoundPage() {
  return (
    <main class="flex min-h-full flex-col items-center justify-center gap-4 p-6 text-center">
      <p class="text-6xl font-bold text-zinc-300 dark:text-zinc-700">404</p>
      <h1 class="text-xl font-semibold">{t('notFound.title')}</h1>
      <A href="/" class="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500">
        {t('notFound.back')}
      </A>
    </main>
  );
}
