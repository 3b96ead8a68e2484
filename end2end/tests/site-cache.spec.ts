import { expect, type Page } from "@playwright/test";
import { open, signIn, test } from "./helpers";

/** One of the site's code files (WASM or JS) the page asked for. */
type Fetched = { url: string; fromCache: boolean; cacheControl: string; bytes: number };

/**
 * Records the site's code files the page asks for from now on: whether each
 * came from the browser's cache without asking the server, its
 * Cache-Control, and how many bytes of it came over the network (none for
 * a cached file, none for a 304).
 */
async function watchCode(page: Page): Promise<Map<string, Fetched>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const fetched = new Map<string, Fetched>();
  const servedFromCache = new Set<string>();
  const isCode = (url: string) => /\/pkg\/.*\.(wasm|js)$/.test(new URL(url).pathname);
  cdp.on("Network.requestServedFromCache", (event) => servedFromCache.add(event.requestId));
  cdp.on("Network.responseReceived", (event) => {
    if (!isCode(event.response.url)) return;
    const headers = event.response.headers as Record<string, string>;
    fetched.set(event.requestId, {
      url: event.response.url,
      fromCache: event.response.fromDiskCache === true || servedFromCache.has(event.requestId),
      cacheControl: headers["cache-control"] ?? headers["Cache-Control"] ?? "",
      bytes: 0,
    });
  });
  cdp.on("Network.dataReceived", (event) => {
    const file = fetched.get(event.requestId);
    if (file) file.bytes += event.encodedDataLength;
  });
  return fetched;
}

const bytesOf = (files: Map<string, Fetched>) => [...files.values()].reduce((sum, file) => sum + file.bytes, 0);

test("a second visit to the POS downloads none of the site's code again", async ({ browser, baseURL }) => {
  // The register's service worker is kept out: it would fetch the files
  // itself (through the same HTTP cache), out of this page's sight.
  const context = await browser.newContext({ baseURL, serviceWorkers: "block" });
  const page = await context.newPage();
  await signIn(page, "houston");

  const first = await watchCode(page);
  await open(page, "/pos?register=1-1");
  // The POS fetches its outbox and the customer forms once it is idle.
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  const chunks = [...first.values()].filter((file) => /\/chunk_\d+\.[\w-]{22}\.wasm$/.test(file.url));
  expect(chunks.length, "the POS page's chunks, each named after its content").toBeGreaterThan(0);
  for (const chunk of chunks) {
    expect(chunk.cacheControl, chunk.url).toBe("public, max-age=31536000, immutable");
  }
  expect(bytesOf(first), "the first visit downloads the POS page's code").toBeGreaterThan(0);

  await open(page, "/");
  const second = await watchCode(page);
  await open(page, "/pos?register=1-1");
  await expect(page.getByRole("button", { name: "Add customer" })).toBeVisible();
  const again = [...second.values()];
  expect(again.filter((file) => file.bytes > 0).map((file) => file.url), "code downloaded again").toEqual([]);
  expect(bytesOf(second), "bytes of WASM and JS downloaded on the second visit").toBe(0);
  const chunksAgain = again.filter((file) => /\/chunk_\d+\./.test(file.url));
  expect(chunksAgain.length).toBeGreaterThan(0);
  expect(chunksAgain.filter((file) => !file.fromCache).map((file) => file.url), "chunks asked for again").toEqual([]);
  await context.close();
});
