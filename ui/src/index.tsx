// The browser entry: styles, theme and language, then the router.
import { render } from 'solid-js/web';
import './styles.css';
import { locale } from './lib/i18n';
import { prefetchFromUrl } from './lib/prefetch';
import { registerServiceWorker } from './lib/pwa';
import { initTheme } from './lib/theme';
import { AppRoutes } from './routes';

initTheme();
prefetchFromUrl(location.pathname);
document.documentElement.lang = locale();

const root = document.getElementById('root');
if (root) render(() => <AppRoutes />, root);
registerServiceWorker();
