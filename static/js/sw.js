// Zhurnal's service worker (served at /sw.js by zhurnal.journal.offline.views).
//
// Static files: from the cache, refreshed in the background. The pages a teacher needs
// without a connection — the day (/teacher/), this week's lesson pages and grids — and the
// diary pages the family opened: network first, the stored copy when the network fails.
// Pages are stored in a cache of the signed-in user's own ("…-pages-<user id>"), which the
// page script names (offline.js, after /journal/offline/pages.json); another user's pages
// are dropped as soon as a new user is named, and every stored page goes at logout.
// Only GET pages that answered 200 without a redirect are stored; nothing is ever posted
// from here — the entries made offline wait in the page's IndexedDB (offline.js).
"use strict";

const VERSION = "zhurnal-v2";
const STATIC_CACHE = VERSION + "-static";
const META_CACHE = VERSION + "-meta";
const PAGES_PREFIX = VERSION + "-pages-";
const USER_KEY = "/__zhurnal_offline_user";
const OFFLINE_URL = "/diary/offline/";
const LOGOUT_URL = "/logout/";
const STATIC_PREFIX = "/static/";
const ASSETS = [
  "/static/css/zhurnal.css",
  "/static/css/diary.css",
  "/static/css/lesson.css",
  "/static/css/lesson-sheet.css",
  "/static/css/journal.css",
  "/static/css/home.css",
  "/static/js/offline.js",
  "/static/js/lesson-sheet.js",
  "/static/js/journal-grid.js",
  "/static/js/journal-grid-open.js",
  "/static/diary/register-sw.js",
  "/static/diary/icon.svg",
  "/static/img/favicon.svg",
  OFFLINE_URL,
];
// The pages kept for offline use: the teacher's day, a lesson page, a grid, the diary.
const KEPT_PAGES = /^\/(teacher\/$|lesson\/\d+\/$|journal\/\d+\/$|diary\/|family\/)/;

self.addEventListener("install", (event) => {
  // One missing file must not keep the worker from installing.
  event.waitUntil(
    caches.open(STATIC_CACHE).then((cache) =>
      Promise.all(ASSETS.map((asset) => cache.add(asset).catch(() => undefined)))
    )
  );
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) =>
      Promise.all(keys.filter((key) => !key.startsWith(VERSION)).map((key) => caches.delete(key)))
    ).then(() => self.clients.claim())
  );
});

function currentUser() {
  return caches.open(META_CACHE)
    .then((cache) => cache.match(USER_KEY))
    .then((hit) => (hit ? hit.text() : ""));
}

function pagesCache(user) {
  return PAGES_PREFIX + (user || "anon");
}

function forgetPages(keep) {
  return caches.keys().then((keys) => Promise.all(
    keys.filter((key) => key.startsWith(PAGES_PREFIX) && key !== keep)
      .map((key) => caches.delete(key))
  ));
}

function forgetEverything() {
  return Promise.all([forgetPages(null), caches.delete(META_CACHE)]);
}

function storePage(user, request, response) {
  if (!response.ok || response.redirected || response.type !== "basic") return Promise.resolve();
  return caches.open(pagesCache(user)).then((cache) => cache.put(request, response));
}

function precache(user, pages) {
  const name = pagesCache(user);
  return caches.open(META_CACHE)
    .then((meta) => meta.put(USER_KEY, new Response(String(user))))
    .then(() => forgetPages(name))
    .then(() => Promise.all(pages.map((page) =>
      fetch(page, { credentials: "same-origin", redirect: "follow" })
        .then((response) => storePage(user, page, response).then(() => response.ok ? 1 : 0))
        .catch(() => 0)
    )))
    .then((done) => done.reduce((a, b) => a + b, 0));
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const reply = (message) => {
    if (event.ports && event.ports[0]) event.ports[0].postMessage(message);
    else if (event.source) event.source.postMessage(message);
  };
  if (data.type === "precache" && data.user) {
    event.waitUntil(precache(data.user, data.pages || []).then((count) =>
      reply({ type: "precached", count: count })
    ));
  } else if (data.type === "forget") {
    event.waitUntil(forgetEverything().then(() => reply({ type: "forgotten" })));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // On a shared device nothing stored may outlive the session.
  if (url.pathname === LOGOUT_URL && request.method === "POST") {
    event.waitUntil(forgetEverything());
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.startsWith(STATIC_PREFIX)) {
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
  if (KEPT_PAGES.test(url.pathname)) {
    event.respondWith(
      currentUser().then((user) =>
        fetch(request).then((response) => {
          event.waitUntil(storePage(user, request, response.clone()));
          return response;
        }).catch(() =>
          caches.open(pagesCache(user))
            .then((cache) => cache.match(request).then((hit) => hit || cache.match(url.pathname)))
            .then((hit) => hit || caches.match(OFFLINE_URL))
        )
      )
    );
    return;
  }
  event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
});
