// Registers the service worker (public/sw.js) in production builds, after the page has loaded so it never slows it.
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  const register = () => {
    navigator.serviceWorker.register('/sw.js').catch(() => {
      // no worker (private mode, blocked): the app works the same, only without the offline shell
    });
  };
  if (document.readyState === 'complete') register();
  else addEventListener('load', register, { once: true });
}
