/* global CONFIG */
// The officer app's service worker, scope /app/. CONFIG (above, written by
// the server) names this build's cache and lists the app shell: every page
// and static file.
//
// - The shell is precached on install, served from the cache first (it is
//   versioned by the build, so it is never stale for long), and a new build
//   replaces the old cache when it activates.
// - A few API reads the app shows offline (my unit and its job, the force's
//   codes, the signed-in user, my forms and notebook) are network first; a good answer is kept, and
//   when the network fails or is slow the kept copy is served, marked with
//   the headers Bluelamp-From-Cache and Bluelamp-Fetched-At so the page can
//   say "offline — last updated HH:MM".
// - Nothing else is touched: writes go to the network, and the page's
//   outbox (js/outbox.js) queues them when there is none.

const APP_CACHE_PREFIX = "bluelamp-app-";
// API_CACHE holds copies of API answers about the signed-in officer; the
// pages delete it at sign-in and sign-out (js/shell.js).
const API_CACHE = "bluelamp-api";
// NETWORK_WAIT is how long a read waits for the network before showing the
// kept copy; the network's answer still refreshes the copy when it comes.
const NETWORK_WAIT = 5000;
const SCOPE = new URL(self.registration.scope).pathname;

const offlineReads = [
  /^\/api\/v1\/me$/,
  /^\/api\/v1\/me\/unit$/,
  /^\/api\/v1\/codes$/,
  /^\/api\/v1\/force$/,
  /^\/api\/v1\/reason-codes$/,
  /^\/api\/v1\/forms\/codes$/,
  /^\/api\/v1\/forms$/, // my own recent forms: summaries that name no one
  /^\/api\/v1\/notebook$/, // my own notebook, to refresh my memory offline
  /^\/api\/v1\/referral-types$/,
  /^\/api\/v1\/partners$/,
];

self.addEventListener("install", (e) => {
  e.waitUntil((async () => {
    const cache = await caches.open(CONFIG.cache);
    // cache: "reload" skips the browser's HTTP cache, so the shell is this
    // build's, not a copy the browser kept from the last one.
    await cache.addAll(CONFIG.shell.map((u) => new Request(u, { cache: "reload", credentials: "same-origin" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (e) => {
  e.waitUntil((async () => {
    for (const k of await caches.keys()) {
      if (k.startsWith(APP_CACHE_PREFIX) && k !== CONFIG.cache) await caches.delete(k);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (e) => {
  const req = e.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate" && url.pathname.startsWith(SCOPE)) {
    e.respondWith(page(url));
  } else if (CONFIG.shell.includes(url.pathname)) {
    e.respondWith(cacheFirst(req));
  } else if (url.search === "" && offlineReads.some((re) => re.test(url.pathname))) {
    e.respondWith(networkFirst(e, req));
  }
});

// page answers a navigation with the cached shell (query strings do not
// change a shell), the network for a page not in it, and the home page's
// shell when that fails too.
async function page(url) {
  const cache = await caches.open(CONFIG.cache);
  const hit = await cache.match(url.pathname, { ignoreSearch: true });
  if (hit) return hit;
  try {
    return await fetch(url.href, { credentials: "same-origin" });
  } catch {
    return (await cache.match(CONFIG.home)) || offline();
  }
}

async function cacheFirst(req) {
  const hit = await caches.match(req, { cacheName: CONFIG.cache });
  return hit || fetch(req);
}

async function networkFirst(e, req) {
  const cache = await caches.open(API_CACHE);
  const network = fetch(req).then(async (res) => {
    if (res.ok) {
      const headers = new Headers(res.headers);
      headers.set("Bluelamp-Fetched-At", new Date().toISOString());
      await cache.put(req, new Response(await res.clone().blob(), { status: res.status, statusText: res.statusText, headers }));
    } else if (res.status < 500) {
      // Signed out, not booked on, no longer allowed: the kept copy is
      // wrong now, and may hold what this user may no longer see.
      await cache.delete(req);
    }
    return res;
  });
  e.waitUntil(network.catch(() => {}));
  try {
    const res = await Promise.race([network, new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT, null))]);
    if (res && res.status < 500) return res;
  } catch { /* no network: the kept copy, below */ }
  const kept = await cache.match(req);
  if (kept) {
    const headers = new Headers(kept.headers);
    headers.set("Bluelamp-From-Cache", "true");
    return new Response(await kept.blob(), { status: kept.status, statusText: kept.statusText, headers });
  }
  return network.catch(() => offline());
}

// offline is the answer when there is neither network nor a kept copy: a
// problem document, as the API's own errors are.
function offline() {
  return new Response(JSON.stringify({
    type: "urn:bluelamp:problem:offline", title: "Offline", status: 503, code: "offline",
    detail: "There is no connection, and no copy of this is saved on this phone.",
  }), { status: 503, headers: { "Content-Type": "application/problem+json" } });
}
