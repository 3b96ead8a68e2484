import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Browser, type Locator, type Page } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { serverEnv } from "../server-env";

/** Every demo user's password (README). */
export const DEMO_PASSWORD = "custsync";

/** A page of its own browser, signed in as each demo user. */
type SignedInPages = {
  /** HQ admin. */
  admin: Page;
  /** Cashier of the Houston store (registers 1-1, 1-2). */
  houston: Page;
  /** Cashier of the Seattle store (register 2-1). */
  seattle: Page;
  /** Shopper of the online store. */
  shopper: Page;
};

/**
 * Playwright's test with a signed-in page per demo user, failing any journey
 * whose pages raised an uncaught error (a panic in the app's WASM).
 */
export const test = base.extend<{ failOnPageErrors: void } & SignedInPages>({
  failOnPageErrors: [
    async ({ page }, use) => {
      const errors = collectPageErrors(page);
      await use();
      expect(errors, "the page raised uncaught errors").toEqual([]);
    },
    { auto: true },
  ],
  admin: async ({ browser, baseURL }, use) => signedInPage(browser, baseURL, "admin", use),
  houston: async ({ browser, baseURL }, use) => signedInPage(browser, baseURL, "houston", use),
  seattle: async ({ browser, baseURL }, use) => signedInPage(browser, baseURL, "seattle", use),
  shopper: async ({ browser, baseURL }, use) => signedInPage(browser, baseURL, "shopper", use),
});

/**
 * The uncaught errors a page raises, each with the panic message the app's
 * WASM wrote to the console before it (the error alone says "unreachable"),
 * and Leptos's warnings of a resource read where hydration cannot wait for it.
 */
function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  let panic = "";
  page.on("console", (message) => {
    if (message.type() === "error" && message.text().includes("panicked at")) panic = message.text();
    // Leptos warns of a resource read outside <Suspense/>, which can break hydration.
    if (message.type() === "warning" && message.text().includes("outside a <Suspense/>")) errors.push(message.text());
  });
  page.on("pageerror", (error) => {
    errors.push(panic ? `${error.message} after ${panic}` : error.message);
    panic = "";
  });
  return errors;
}

async function signedInPage(
  browser: Browser,
  baseURL: string | undefined,
  user: string,
  use: (page: Page) => Promise<void>,
): Promise<void> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await signIn(page, user);
  await use(page);
  await context.close();
  expect(errors, `${user}'s page raised uncaught errors`).toEqual([]);
}

/** A page of a browser with JavaScript off, signed in as `user`, at `next`. */
export async function signedInWithoutJavaScript(browser: Browser, user: string, next: string): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`${next.replace(/[?]/g, "\\?")}$`));
  return page;
}

/** Signs in on the Sign in page, as a user would. */
export async function signIn(page: Page, user: string, path = "/sign-in"): Promise<void> {
  await open(page, path);
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/**
 * Opens a page and waits until it is hydrated, so that clicks are handled.
 * The first time a role opens a page in this run, axe-core checks it.
 */
export async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  const user = (await page.locator("header .session span").textContent({ timeout: 1_000 }).catch(() => null)) ?? "nobody";
  const checked = `${user} ${pageKind(new URL(page.url()).pathname)}`;
  if (!checkedPages.has(checked)) {
    checkedPages.add(checked);
    await expectAccessible(page, checked);
  }
}

/** The pages each role has had checked by axe-core in this run. */
const checkedPages = new Set<string>();

/** A page's path with the customer or operation it shows left out. */
function pageKind(path: string): string {
  return path.replace(/^(\/pos\/customers|\/hq\/customer-synchronization-status)\/[^/]+$/, "$1/:key");
}

/**
 * The page as it is now passes axe-core's WCAG 2.0 and 2.1 A and AA rules.
 * No rule is switched off.
 */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const violations = results.violations.map(
    (violation) =>
      `${violation.id}: ${violation.help} at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
  );
  expect(violations, `axe-core on ${what}`).toEqual([]);
}

/** A name no other journey uses, so journeys sharing a database stay apart. */
export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/** The value a list of details (`<dl>`) gives beside `term`. */
export function detail(scope: Page | Locator, term: string): Locator {
  return scope.locator(`dt:text-is("${term}") + dd`);
}

/** The status page's row for one temporary id. */
export function operationRow(page: Page, temporaryId: string) {
  return page.getByRole("row").filter({ hasText: temporaryId });
}

/**
 * Runs a job from its section on a page and waits for the run to finish,
 * as `finished` says (succeeded, unless told otherwise).
 */
export async function runNow(
  page: Page,
  jobHeading: RegExp,
  finished: RegExp = /Run \d+ finished: Succeeded/,
): Promise<void> {
  const job = page.getByRole("region", { name: jobHeading });
  const button = job.getByRole("button", { name: "Run now" });
  await button.click();
  await expect(job.getByRole("status")).toContainText(finished);
  // The button keeps the focus while the run starts and after.
  await expect(button).toBeFocused();
}

/** Runs the P-job, the sync batch job and job 1010, as an admin would after a create. */
export async function syncToHqAndBack(page: Page): Promise<void> {
  await open(page, "/hq/distribution-schedule");
  await runNow(page, /P-0001/);
  await open(page, "/hq/batch-jobs");
  await runNow(page, /Synchronize customers and channel requests/);
  await open(page, "/hq/distribution-schedule");
  await runNow(page, /1010/);
}

/**
 * A slow network: the page's code (the shell's WASM) is held back until the
 * function this returns is called, so the test can act before hydration.
 * Open the page with `waitUntil: "domcontentloaded"`, as the code is preloaded.
 */
export async function holdBackPageCode(page: Page): Promise<() => void> {
  // The register's service worker would answer for the code from its
  // copies, past this route: it goes (the page's code registers it again).
  if (page.url().startsWith("http")) {
    await page.evaluate(async () => {
      for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
    });
  }
  let letCodeThrough = () => {};
  const codeHeldBack = new Promise<void>((resolve) => (letCodeThrough = resolve));
  await page.route(/\/pkg\/custsync\.[^/]*wasm$/, async (route) => {
    await codeHeldBack;
    await route.continue();
  });
  return letCodeThrough;
}

/**
 * Holds back the page's own chunks of code, not the shell every page
 * loads: the shell starts hydrating the page and waits for them.
 * `shellRunning` resolves once the shell runs; `letThrough` lets the
 * chunks come.
 */
export async function holdBackPageChunks(page: Page): Promise<{ shellRunning: () => Promise<void>; letThrough: () => void }> {
  await page.addInitScript(() => {
    const original = WebAssembly.instantiateStreaming;
    WebAssembly.instantiateStreaming = async (...args) => {
      const instantiated = await original.apply(WebAssembly, args);
      (window as unknown as { shellRunning?: boolean }).shellRunning = true;
      return instantiated;
    };
  });
  let letThrough = () => {};
  const chunksHeldBack = new Promise<void>((resolve) => (letThrough = resolve));
  await page.route(/\/pkg\/chunk_[^/]*wasm$/, async (route) => {
    await chunksHeldBack;
    await route.continue();
  });
  const shellRunning = async () => {
    await page.waitForFunction(() => (window as unknown as { shellRunning?: boolean }).shellRunning === true);
  };
  return { shellRunning, letThrough };
}

/**
 * The browser's own post of a form to `url` reaches the server, which
 * carries it out, but its answer is lost: the page stays as it was. What
 * it gives waits until the server has answered.
 */
export async function loseAnswerOfFormPost(page: Page, url: RegExp): Promise<() => Promise<void>> {
  let serverDone = () => {};
  const carriedOut = new Promise<void>((resolve) => (serverDone = resolve));
  await page.route(url, async (route) => {
    await route.fetch({ maxRedirects: 0 });
    serverDone();
    await route.fulfill({ status: 204 });
  });
  return () => carriedOut;
}

/**
 * Answers the next dialog `page` opens, agreeing to it or not; gives what
 * it asked.
 */
export function answerNextDialog(page: Page, agree: boolean): Promise<string> {
  return new Promise((asked) =>
    page.once("dialog", async (dialog) => {
      const question = dialog.message();
      await (agree ? dialog.accept() : dialog.dismiss());
      asked(question);
    }),
  );
}

/** A promise the test resolves when it chooses, with `open`. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * A network that fails on the way back: the first request to `url` reaches
 * the server, which carries it out, but its answer is dropped; later ones
 * pass once `later` has resolved (at once by default: a test that reads
 * what the page says in between holds them, as the register sends again
 * within a second). Returns how many answers have been dropped so far.
 */
export async function dropFirstAnswer(
  page: Page,
  url: string,
  later: Promise<void> = Promise.resolve(),
): Promise<() => number> {
  let answersDropped = 0;
  await page.route(url, async (route) => {
    if (answersDropped > 0) {
      await later;
      // A try the page gave up on meanwhile is no longer there to continue.
      return route.continue().catch(() => {});
    }
    answersDropped += 1;
    await route.fetch();
    await route.abort();
  });
  return () => answersDropped;
}

/**
 * Adds a person at `register` through Add customer and opens the new
 * customer's page once it has hydrated; returns the temporary id.
 */
export async function openNewCustomer(
  page: Page,
  firstName: string,
  lastName: string,
  register = "1-1",
): Promise<string> {
  await open(page, `/pos?register=${register}`);
  await page.getByRole("button", { name: "Add customer" }).click();
  await page.getByLabel("First name").fill(firstName);
  await page.getByLabel("Last name").fill(lastName);
  await page.getByRole("button", { name: "Save" }).click();
  const created = page.getByRole("status").filter({ hasText: "Temporary asynchronous customer id" });
  await expect(created).toContainText("Pending sync");
  const temporaryId = (await created.locator("code").textContent()) ?? "";
  await page.getByRole("link", { name: "Open customer" }).click();
  await expect(page.getByRole("heading", { name: `${firstName} ${lastName}` })).toBeVisible();
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  return temporaryId;
}

/**
 * With every server function of `page` failing, does `failedRequest` (a POS
 * request meant to fail), then checks that the register's header says the
 * store server is not answering, and, once requests go through again, that
 * it says connected without anything else done.
 */
export async function expectHeaderToFollowTheStoreServer(page: Page, failedRequest: () => Promise<void>) {
  await page.route("**/api/**", (route) => route.abort());
  await failedRequest();
  await expect(page.getByText("Store server: not answering")).toBeVisible();
  await page.unroute("**/api/**");
  await expect(page.getByText("Store server: connected")).toBeVisible({ timeout: 20_000 });
}

/**
 * A server of the journey's own on `port`, over `dataDir`, started as the
 * journeys' own is; `settings` adds to or overrides its environment.
 */
export function startServer(port: number, dataDir: string, settings: Record<string, string> = {}): ChildProcess {
  return spawn(process.env.E2E_SERVER ?? "../target/debug/custsync", [], {
    env: { ...process.env, ...serverEnv(port, dataDir), ...settings },
    stdio: "ignore",
  });
}

/**
 * Waits until the server at `url` answers, for up to a minute; when it is
 * the journey's own `server`, fails at once if that one has exited (another
 * process may hold the port).
 */
export async function serving(url: string, server?: ChildProcess): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (server && (server.exitCode !== null || server.signalCode !== null)) {
      throw new Error(`the server for ${url} exited (${server.exitCode ?? server.signalCode})`);
    }
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within 60 s`);
}

/** Kills a journey's own server, as a power cut would, and waits until it has gone. */
export async function stopped(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGKILL");
  await exited;
}

/** A page of a browser of its own at `baseURL`, signed in as `user`. */
export async function pageAt(browser: Browser, baseURL: string, user: string): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, user);
  return page;
}
