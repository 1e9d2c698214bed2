// The browser entry: styles, theme and language, then the router.
import { render } from 'solid-js/web';
import './styles.css';
import { initLocale } from './lib/i18n';
import { prefetchFromUrl } from './lib/prefetch';
import { registerServiceWorker } from './lib/pwa';
import { initTheme } from './lib/theme';
import { AppRoutes } from './routes';

initTheme();
prefetchFromUrl(location.pathname);

const root = document.getElementById('root');
// The first render waits for the language's words (nothing to fetch for English).
void initLocale().then(() => {
  if (root) render(() => <AppRoutes />, root);
});
registerServiceWorker();
