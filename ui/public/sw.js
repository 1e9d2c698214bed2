// The service worker: keeps the app shell (index.html and the hashed build assets) so the app opens instantly and
// offline. It never caches /api: answers, sessions and tokens always come from the server (or fail plainly).
const SHELL = 'chatbot-shell-v1';
const PRECACHE_LIST = '/precache.json';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      // The build writes the list of its files (hashed names change with every build, so they cannot be written here).
      let files = [];
      try {
        const res = await fetch(PRECACHE_LIST, { cache: 'no-cache' });
        if (res.ok) files = await res.json();
      } catch {
        // offline at install: the shell is cached as it is fetched instead
      }
      await cache.addAll(['/', ...files.filter((f) => typeof f === 'string' && !f.startsWith('/api/'))]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== SHELL) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  // Other origins and the API are none of the worker's business: the browser fetches them as usual.
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;

  if (req.mode === 'navigate') {
    // Pages: the network first (a deploy is seen at once), the cached shell when the server cannot be reached.
    event.respondWith(
      (async () => {
        try {
          const res = await fetch(req);
          if (res.ok && res.headers.get('content-type')?.includes('text/html')) {
            const cache = await caches.open(SHELL);
            await cache.put('/', res.clone());
          }
          return res;
        } catch {
          const cached = await caches.match('/');
          return cached ?? new Response('The server cannot be reached.', { status: 503 });
        }
      })(),
    );
    return;
  }

  if (url.pathname.startsWith('/assets/')) {
    // Hashed assets never change under one name: the cache first, the network once.
    event.respondWith(
      (async () => {
        const cached = await caches.match(req);
        if (cached) return cached;
        const res = await fetch(req);
        if (res.ok) {
          const cache = await caches.open(SHELL);
          await cache.put(req, res.clone());
        }
        return res;
      })(),
    );
    return;
  }

  // The shell's other files (theme script, manifest, icons) keep their names: the network first, the cache offline.
  event.respondWith(
    (async () => {
      try {
        return await fetch(req);
      } catch {
        return (await caches.match(req)) ?? Response.error();
      }
    })(),
  );
});
