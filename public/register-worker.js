// The register's service worker: a POS page that was opened once opens
// again with no network, from the copies kept here. Online it always asks
// the store server first and keeps the fresh answer, so a deploy never
// mixes old and new files; a copy is served only when the server cannot be
// reached or does not answer in time. A site file's copy replaces the
// copies of that file as earlier builds named it, so a register keeps one
// build, not one per deploy.
// Signing out drops every copy.
const COPIES = "custsync-register";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// A content-hashed file's name without its hash ("/pkg/chunk_12.<hash>.wasm"
// is "/pkg/chunk_12.wasm"); none for a name with no hash in it.
function unhashed(pathname) {
  const parts = /^(.*)\.[A-Za-z0-9_-]{22}(\.[^/.]+)$/.exec(pathname);
  return parts ? parts[1] + parts[2] : null;
}

// A page a refused form post came back to (server_fn's `__err`) carries
// what was typed into it: never kept.
function carriesRefusedPost(url) {
  return new URL(url).searchParams.has("__err");
}

// Counts the times the copies were dropped (a sign-out, or a page with no
// cashier signed in). An answer asked for before (a page rendered for the
// user who signed out, or a file it asked for) is not kept once they were,
// even when it arrives after.
let drops = 0;

// The message a page sends when it finds no cashier signed in (signed out
// elsewhere, the session ended): the worker drops the copies itself, after
// any copy an answer already put in them.
const COPIES_DROPPED = "copies-dropped";

function dropCopies() {
  drops += 1;
  return caches.delete(COPIES);
}

async function keep(request, answer, dropsWhenAsked) {
  const droppedSince = () => drops !== dropsWhenAsked;
  if (carriesRefusedPost(request.url) || droppedSince()) return;
  const copies = await caches.open(COPIES);
  // Checked again once the cache is open: a drop from here on deletes this
  // cache, and the copy put into it with it.
  if (droppedSince()) return;
  await copies.put(request, answer);
  const pathname = new URL(request.url).pathname;
  const name = unhashed(pathname);
  if (name === null) return;
  for (const copy of await copies.keys()) {
    const copied = new URL(copy.url).pathname;
    if (copied !== pathname && unhashed(copied) === name) await copies.delete(copy);
  }
}

// The copy to serve for a request the server did not answer: the request's
// own, or else a copy of the same page for the same register, never another
// register's page. A page the copy does not show under the address asked
// (another search, a form opened or not) is sent to the copy's own address,
// since a page's code starts from its address and must find what it shows.
async function copyFor(request) {
  const own = await ownCopy(request);
  if (own || !(await caches.has(COPIES))) return own;
  const copies = await caches.open(COPIES);
  const register = new URL(request.url).searchParams.get("register");
  // The Cache API lists the copies oldest first: the last page comes last.
  for (const copy of (await copies.keys(request, { ignoreSearch: true })).reverse()) {
    if (new URL(copy.url).searchParams.get("register") === register) {
      return request.mode === "navigate" ? Response.redirect(copy.url, 303) : copies.match(copy);
    }
  }
  return undefined;
}

// The request's own copy, marked; none when it has none.
async function ownCopy(request) {
  // Read without opening the cache, which would make it again after a drop.
  const copy = await caches.match(request, { cacheName: COPIES });
  return copy ? markedAsCopy(copy) : undefined;
}

// A page served from a copy says so (`data-register-copy` on its root), so
// that its code does not save under the operation ids the server wrote into
// it: a copy is served again and again, and its ids may be used already.
async function markedAsCopy(answer) {
  if (!(answer.headers.get("content-type") || "").startsWith("text/html")) return answer;
  const page = (await answer.text()).replace(/<html\b/, "<html data-register-copy");
  return new Response(page, { status: answer.status, statusText: answer.statusText, headers: answer.headers });
}

// How long a request waits for the store server before its copy is served:
// a server that hangs, or a network that drops packets without refusing
// them (Wi-Fi up, the line behind it down), leaves a request waiting for
// minutes rather than failing.
const WAIT_FOR_SERVER_MS = 4000;
// Once the server has let a request wait that long, copies are served at
// once for a while (the server still asked beside them), so that a page's
// files do not each wait again. Any answer from the server ends it. Only a
// request's own copy is served so: a server that is only slow is not taken
// for gone.
const SERVER_SILENT_MS = 30000;
let serverSilentUntil = 0;
const WAITED_TOO_LONG = Symbol("waited too long");

// The server's answer, kept as the request's copy when it is one; a copy
// when the server refuses, or does not answer in time and one is kept.
async function answerOrCopy(event, request) {
  let copied = () => {};
  event.waitUntil(new Promise((resolve) => (copied = resolve)));
  const dropsWhenAsked = drops;
  const asked = fetch(request).then(
    (answer) => {
      serverSilentUntil = 0;
      copied(answer.ok ? keep(request, answer.clone(), dropsWhenAsked) : undefined);
      return answer;
    },
    (error) => {
      copied();
      throw error;
    },
  );
  // While the server is silent, only the page asked for, not a redirect to
  // another of the register's: a server that is only slow may be sending
  // the register to the page a form post leads to.
  if (Date.now() < serverSilentUntil) {
    // Answered by a copy meanwhile: the server's failure is nobody's to hear.
    asked.catch(() => {});
    return (await ownCopy(request)) ?? asked;
  }
  const waited = new Promise((resolve) => setTimeout(() => resolve(WAITED_TOO_LONG), WAIT_FOR_SERVER_MS));
  let first;
  try {
    first = await Promise.race([asked, waited]);
  } catch (error) {
    const copy = await copyFor(request);
    if (copy) return copy;
    throw error;
  }
  if (first !== WAITED_TOO_LONG) return first;
  serverSilentUntil = Date.now() + SERVER_SILENT_MS;
  return (await ownCopy(request)) ?? asked;
}

function kept(url) {
  return url.pathname === "/pos" || url.pathname.startsWith("/pos/") || url.pathname.startsWith("/pkg/");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname.startsWith("/api/sign_out")) {
    event.waitUntil(dropCopies());
    return;
  }
  if (request.method !== "GET" || !kept(url)) return;
  event.respondWith(answerOrCopy(event, request));
});

self.addEventListener("message", (event) => {
  if (event.data === COPIES_DROPPED) event.waitUntil(dropCopies());
});
