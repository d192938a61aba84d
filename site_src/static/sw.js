// Service worker: the calculator works offline after one visit. build.py puts
// VERSION (a hash of every cached file and of this code) and PRECACHE (the file
// list) above.
//
// One build = one cache, "calc-<VERSION>". A page and everything it loads come
// from the cache of the worker that controls it, so an old page never mixes with
// a new build's files. When a new build is deployed, the browser finds the new
// sw.js (it checks on every navigation; app.js also asks on load and when the
// network comes back), the new worker fills its own cache and then *waits*; the
// page sees it waiting and shows "a new version is available". Its Reload button
// posts "skip-waiting": the new worker activates, deletes every older calc-*
// cache, takes over the page, and app.js reloads it from the new cache.
const CACHE = `calc-${VERSION}`;
// Names that change whenever their content does (content-hashed assets, the pinned
// Pyodide folder): the HTTP cache may answer for them. Everything else (the pages)
// is revalidated with the server, so a new cache never stores an old page.
const IMMUTABLE = /^(assets\/|pyodide-[^/]+\/)/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(PRECACHE.map((path) =>
    fetch(new Request(path, { cache: IMMUTABLE.test(path) ? "default" : "no-cache" })).then((res) => {
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
      return cache.put(path, res);
    }))))
    .catch((err) => caches.delete(CACHE).then(() => { throw err; })));
  // No skipWaiting() here: a page keeps its build until the reader chooses to reload.
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "skip-waiting") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("calc-") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET" || new URL(req.url).origin !== self.location.origin) return;
  // Pages are matched without their query (index.html?model=... is index.html);
  // files this build does not cache (the lookup tables, data downloads) go to the network.
  const options = req.mode === "navigate" ? { ignoreSearch: true } : {};
  event.respondWith(caches.open(CACHE)
    .then((cache) => cache.match(req, options))
    .then((hit) => hit || fetch(req)));
});
