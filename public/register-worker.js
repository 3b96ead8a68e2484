// The register's service worker: a POS page that was opened once opens
// again with no network, from the copies kept here. Online it always asks
// the store server first and keeps the fresh answer, so a deploy never
// mixes old and new files; a copy is served only when the server cannot be
// reached. Signing out drops every copy.
const COPIES = "custsync-register";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function kept(url) {
  return url.pathname === "/pos" || url.pathname.startsWith("/pos/") || url.pathname.startsWith("/pkg/");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname.startsWith("/api/sign_out")) {
    event.waitUntil(caches.delete(COPIES));
    return;
  }
  if (request.method !== "GET" || !kept(url)) return;
  event.respondWith(
    fetch(request)
      .then((answer) => {
        if (answer.ok) {
          const copy = answer.clone();
          event.waitUntil(caches.open(COPIES).then((copies) => copies.put(request, copy)));
        }
        return answer;
      })
      .catch(async (error) => {
        const copies = await caches.open(COPIES);
        const copy = (await copies.match(request)) ?? (await copies.match(request, { ignoreSearch: true }));
        if (copy) return copy;
        throw error;
      }),
  );
});
