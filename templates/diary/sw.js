{% autoescape off %}// Zhurnal service worker: static assets from the cache, refreshed in the background; diary pages network-first, so the
// last diary seen stays readable offline; anything else falls back to the offline page.
const VERSION = "zhurnal-v1";
const STATIC_CACHE = VERSION + "-static";
const PAGE_CACHE = VERSION + "-pages";
const OFFLINE_URL = "{{ offline_url }}";
const LOGOUT_URL = "{{ logout_url }}";
const ASSETS = [{% for asset in assets %}"{{ asset }}", {% endfor %}OFFLINE_URL];
const DIARY_PAGES = /^\/(diary|family)\//;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC_CACHE).then((cache) => cache.addAll(ASSETS)));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) =>
      Promise.all(keys.filter((key) => !key.startsWith(VERSION)).map((key) => caches.delete(key)))
    ).then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // On a shared device the saved diary must not outlive the session.
  if (url.pathname === LOGOUT_URL) {
    event.waitUntil(caches.delete(PAGE_CACHE));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.startsWith("{{ static_prefix }}")) {
    // Stale-while-revalidate: static names are not hashed, so refresh them behind the scenes.
    const refresh = fetch(request).then((response) => {
      const copy = response.clone();
      if (response.ok) caches.open(STATIC_CACHE).then((cache) => cache.put(request, copy));
      return response;
    });
    event.respondWith(caches.match(request).then((hit) => hit || refresh));
    event.waitUntil(refresh.catch(() => undefined));
    return;
  }
  if (request.mode !== "navigate") return;
  if (DIARY_PAGES.test(url.pathname)) {
    event.respondWith(
      fetch(request).then((response) => {
        const copy = response.clone();
        if (response.ok && !response.redirected) {
          caches.open(PAGE_CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      }).catch(() =>
        caches.match(request).then((hit) => hit || caches.match(OFFLINE_URL))
      )
    );
    return;
  }
  event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
});
{% endautoescape %}
