// Service worker: the calculator works offline after one visit. build.py puts
// VERSION (a hash of every cached file) and PRECACHE (the file list) above.
const CACHE = `calc-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("calc-") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET" || new URL(req.url).origin !== self.location.origin) return;
  if (req.mode === "navigate") {
    // pages: the network first (so a new version shows), the cache offline
    event.respondWith(fetch(req).catch(() =>
      caches.match(req, { ignoreSearch: true }).then((r) => r || caches.match("./"))));
    return;
  }
  // hashed assets and the pinned Pyodide never change under one name: cache first
  event.respondWith(caches.match(req).then((r) => r || fetch(req)));
});
