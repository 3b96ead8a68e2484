import { expect, type Page } from "@playwright/test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  dropFirstAnswer,
  expectHeaderToFollowTheStoreServer,
  gate,
  holdBackPageCode,
  loseAnswerOfFormPost,
  open,
  pageAt,
  signIn,
  serving,
  startServer,
  stopped,
  syncToHqAndBack,
  test,
  uniqueName,
} from "./helpers";

const STATUS_PAGE = "/hq/customer-synchronization-status";

/** The list of operations the register keeps in the browser or has sent since. */
function keptList(page: Page) {
  return page.getByRole("table", { name: "Kept in this browser" });
}

/** Adds a person at the open register, as a cashier would. */
async function addPerson(page: Page, first: string, last: string): Promise<void> {
  await page.getByRole("button", { name: "Add customer" }).click();
  await savePerson(page, first, last);
}

/** Fills the open Add customer form with a person, and saves. */
async function savePerson(page: Page, first: string, last: string): Promise<void> {
  await page.getByLabel("First name").fill(first);
  await page.getByLabel("Last name").fill(last);
  await page.getByRole("button", { name: "Save" }).click();
}

/** What `changeKeptAwayFromThePos` changes in each kept operation. */
type KeptChange = { register?: string; customerGroup?: string };

/**
 * Changes what the register keeps (as if the world had changed while it
 * waited) with no POS page open: an open one sends the kept operations on
 * its own beat, and one whose request left with what it read before the
 * change would deliver that. The page leaves the POS while still offline,
 * comes online on the home page, changes the list there and opens the
 * register again, which sends the changed list.
 */
async function changeKeptAwayFromThePos(page: Page, change: KeptChange): Promise<void> {
  await page.goto("about:blank");
  await page.context().setOffline(false);
  await open(page, "/");
  await page.evaluate((change) => {
    // The register keeps each operation under a key of its own.
    const keys = Object.keys(localStorage).filter((key) => key.startsWith("custsync.register-outbox/"));
    for (const key of keys) {
      const waiting = JSON.parse(localStorage.getItem(key) ?? "{}");
      if (change.register) waiting.register = change.register;
      if (change.customerGroup) waiting.operation.Create.draft.customer_group = change.customerGroup;
      localStorage.setItem(key, JSON.stringify(waiting));
    }
  }, change);
  await open(page, "/pos?register=2-1");
}

/**
 * Waits until the register's service worker controls the page. The outbox's
 * code registers it once that code has arrived, after the page's own, which
 * for a debug build on a busy machine can take more than the usual 10 s.
 */
async function registerWorkerControls(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 30_000 })
    .toBe(true);
}

/**
 * Opens the POS at `register` once its service worker controls it, so that
 * the load keeps copies of the page and of the code its forms need.
 */
async function openPosWithCopies(page: Page, register: string): Promise<void> {
  await open(page, `/pos?register=${register}`);
  await registerWorkerControls(page);
  await open(page, `/pos?register=${register}`);
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
}

/**
 * Adds a person at Seattle's register, syncs it to HQ and back, and opens
 * its page from a search, ready for its forms; its family name.
 */
async function openSyncedCustomer(page: Page, admin: Page, first: string, family: string): Promise<string> {
  const lastName = uniqueName(family);
  await open(page, "/pos?register=2-1");
  await addPerson(page, first, lastName);
  await expect(page.getByRole("status").filter({ hasText: "was created at Seattle" })).toBeVisible();
  await syncToHqAndBack(admin);
  await open(page, `/pos?register=2-1&q=${lastName}`);
  await page.getByRole("link", { name: `${first} ${lastName}` }).click();
  await expect(page.getByRole("heading", { name: `${first} ${lastName}` })).toBeVisible();
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  return lastName;
}

/** The status page's rows for a family name, as an admin finds them. */
async function operationsOf(admin: Page, lastName: string) {
  await open(admin, `${STATUS_PAGE}?q=${lastName.toLowerCase()}`);
  return admin.getByRole("row").filter({ hasText: lastName });
}

test("a register that loses its network keeps the customers it adds, then sends each once", async ({ seattle: page, admin }) => {
  const lastName = uniqueName("Offline");
  await open(page, "/pos?register=2-1");
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await expect(page.getByText("Store server: connected")).toBeVisible();

  await page.context().setOffline(true);
  await expect(page.getByText("Store server: the browser is offline")).toBeVisible();
  for (const first of ["Ada", "Bo", "Cy"]) {
    await addPerson(page, first, lastName);
    await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toBeVisible();
    await expect(page.getByLabel("First name")).toHaveCount(0);
  }
  const waiting = keptList(page).getByRole("row").filter({ hasText: "Waiting for the store server" });
  await expect(waiting).toHaveCount(3);
  await expect(page.getByText("3 operations kept in this browser")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Channel" })).toContainText("3 waiting");

  // The network is back but the store server's functions still fail: the
  // page loads again, and the three are still kept.
  await page.route("**/api/**", (route) => route.abort());
  await page.context().setOffline(false);
  await open(page, "/pos?register=2-1");
  await expect(waiting).toHaveCount(3);
  await expect(page.getByText("Store server: not answering")).toBeVisible();

  await page.unroute("**/api/**");
  const sent = keptList(page).getByRole("row").filter({ hasText: "Pending sync" });
  await expect(sent).toHaveCount(3, { timeout: 20_000 });
  await expect(waiting).toHaveCount(0);
  await expect(page.getByText("Store server: connected")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Channel" })).not.toContainText("waiting");

  await syncToHqAndBack(admin);
  const operations = await operationsOf(admin, lastName);
  await expect(operations).toHaveCount(3);
  for (const first of ["Ada", "Bo", "Cy"]) {
    await expect(operations.filter({ hasText: `${first} ${lastName}` })).toHaveCount(1);
    await expect(operations.filter({ hasText: `${first} ${lastName}` })).toContainText("Synced");
  }
});

test("a search, or a customer opened from the list, that the store server did not answer tells the register's header, which says connected again once it answers", async ({
  seattle: page,
}) => {
  await open(page, "/pos?register=2-1");
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await expect(page.getByText("Store server: connected")).toBeVisible();

  const search = page.getByRole("searchbox", { name: "Search customers" });
  await expectHeaderToFollowTheStoreServer(page, async () => {
    await search.fill("nobody");
    await expect(page.getByRole("alert").filter({ hasText: "The server could not be reached" })).toBeVisible();
  });

  const lastName = uniqueName("Unanswered");
  await addPerson(page, "Lena", lastName);
  await expect(page.getByRole("status").filter({ hasText: "was created at Seattle" })).toBeVisible();
  await search.fill(lastName);
  const customer = page.getByRole("table", { name: "Customers found" }).getByRole("link", { name: `Lena ${lastName}` });
  await expect(customer).toBeVisible();
  await expectHeaderToFollowTheStoreServer(page, async () => {
    await customer.click();
    await expect(page).toHaveURL(/\/pos\/customers\//);
    await expect(page.getByRole("alert").filter({ hasText: "The server could not be reached" }).first()).toContainText(
      "so this could not be loaded",
    );
  });
});

test("a link followed while the store server cannot be reached loads the whole page, and back at the register nothing is lost", async ({
  seattle: page,
  admin,
}) => {
  const lastName = uniqueName("Away");
  await open(page, "/pos?register=2-1");
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await page.context().setOffline(true);
  await expect(page.getByText("Store server: the browser is offline")).toBeVisible();
  await addPerson(page, "Kit", lastName);
  await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toBeVisible();
  const kit = keptList(page).getByRole("row").filter({ hasText: `Kit ${lastName}` });
  await expect(kit).toContainText("Waiting for the store server");

  // The home page's code never came to this page, and cannot come now: the
  // browser loads the page itself (and says it is offline) instead of the
  // app stopping while it waits for that code.
  await page.getByRole("banner").getByRole("link", { name: "custsync" }).click();
  await expect(page.getByRole("button", { name: "Add customer" })).toHaveCount(0);

  await page.context().setOffline(false);
  await page.goBack();
  await expect(page.getByRole("button", { name: "Add customer" })).toBeVisible();
  // Sent by this page, or already by the one that left: Chromium's emulated
  // offline (and Playwright's routing) lets through a request the leaving
  // page makes while the link is followed, and the outbox's next try can
  // fall just then. Either way nothing waits, and HQ gets the customer once.
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await expect(page.getByRole("navigation", { name: "Channel" })).not.toContainText("waiting", { timeout: 20_000 });
  await syncToHqAndBack(admin);
  const operations = await operationsOf(admin, lastName);
  await expect(operations).toHaveCount(1);
  await expect(operations.filter({ hasText: `Kit ${lastName}` })).toContainText("Synced");
});

test("the register says connected only once the store server has answered: when the POS opens, and when the network comes back", async ({
  seattle: page,
}) => {
  // The page comes from the server, but its requests fail from then on.
  await page.route("**/api/**", (route) => route.abort());
  await open(page, "/pos?register=2-1");
  await expect(page.getByText("Store server: not answering")).toBeVisible();
  await page.unroute("**/api/**");
  await expect(page.getByText("Store server: connected")).toBeVisible({ timeout: 20_000 });

  await page.context().setOffline(true);
  await expect(page.getByText("Store server: the browser is offline")).toBeVisible();
  await page.route("**/api/**", (route) => route.abort());
  await page.context().setOffline(false);
  await expect(page.getByText("Store server: not answering")).toBeVisible();
  await page.unroute("**/api/**");
  await expect(page.getByText("Store server: connected")).toBeVisible({ timeout: 20_000 });
});

test("an answer that comes after the browser went offline leaves the register's header saying the browser is offline", async ({
  seattle: page,
}) => {
  // The register's first question to the store server is answered by the
  // server at once, and that answer reaches the page only once the browser
  // has gone offline, as on a network that drops mid-answer.
  const asked = gate();
  const wentOffline = gate();
  await page.route("**/api/current_user*", async (route) => {
    const answer = await route.fetch();
    asked.open();
    await wentOffline.opened;
    await route.fulfill({ response: answer });
  });
  await open(page, "/pos?register=2-1");
  await asked.opened;
  await page.context().setOffline(true);
  await expect(page.getByText("Store server: the browser is offline")).toBeVisible();

  const answered = page.waitForResponse("**/api/current_user*");
  wentOffline.open();
  await answered;
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 100))));
  await expect(page.getByText("Store server: the browser is offline")).toBeVisible();
  await expect(page.getByText("Store server: connected")).toHaveCount(0);
});

test("the register's question whether the store server answers again gives up when it hangs, and asks again", async ({
  seattle: page,
}) => {
  await open(page, "/pos?register=2-1");
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await expect(page.getByText("Store server: connected")).toBeVisible();
  await page.route("**/api/**", (route) => route.abort());
  await page.getByRole("searchbox", { name: "Search customers" }).fill("nobody");
  await expect(page.getByRole("alert").filter({ hasText: "The server could not be reached" })).toBeVisible();
  await expect(page.getByText("Store server: not answering")).toBeVisible();

  // The next question hangs, as on a network that stalls; later ones pass.
  let questions = 0;
  await page.route("**/api/current_user*", async (route) => {
    questions += 1;
    if (questions === 1) await new Promise(() => {});
    return route.continue();
  });
  await page.unroute("**/api/**");
  await expect(page.getByText("Store server: connected")).toBeVisible({ timeout: 30_000 });
  expect(questions).toBeGreaterThan(1);
});

test("a customer kept while the network is down says so until it is sent, then that it was created", async ({ seattle: page }) => {
  const lastName = uniqueName("Noted");
  await open(page, "/pos?register=2-1");
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await page.context().setOffline(true);
  await addPerson(page, "Nia", lastName);
  await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toBeVisible();

  await page.context().setOffline(false);
  const created = page.getByRole("status").filter({ hasText: `Nia ${lastName} was created at Seattle` });
  await expect(created).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toHaveCount(0);
  await page.getByRole("link", { name: "Open customer" }).click();
  await expect(page.getByRole("heading", { name: `Nia ${lastName}` })).toBeVisible();
});

test("two tabs of a register send each customer once: a save under way in one is left to it, and one kept in one is sent by the other, which both show", async ({
  seattle: page,
}) => {
  const lastName = uniqueName("Tabs");
  const finished: string[] = [];
  page.context().on("requestfinished", (request) => {
    if (request.url().includes("/api/create_customer")) finished.push(request.postData() ?? "");
  });
  const sentOf = (first: string) => finished.filter((body) => body.includes(first) && body.includes(lastName)).length;
  await open(page, "/pos?register=2-1");
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  const other = await page.context().newPage();
  await open(other, "/pos?register=2-1");
  await expect(other.locator("body[data-forms-ready=true]")).toHaveCount(1);

  // This tab's save takes a few seconds to reach the store server: the
  // other tab, which sees it kept, leaves it to this one.
  await page.route("**/api/create_customer*", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await route.continue();
  });
  await addPerson(page, "Tom", lastName);
  await expect(page.getByRole("status").filter({ hasText: `Tom ${lastName} was created at Seattle` })).toBeVisible({
    timeout: 20_000,
  });
  expect(sentOf("Tom")).toBe(1);

  // This tab cannot reach the store server's creates at all: the other tab
  // sends what it keeps, once, and this tab shows it sent too.
  await page.unroute("**/api/create_customer*");
  await page.route("**/api/create_customer*", (route) => route.abort());
  await addPerson(page, "Uli", lastName);
  await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toBeVisible();
  await expect(keptList(other).getByRole("row").filter({ hasText: `Uli ${lastName}` })).toContainText("Pending sync", {
    timeout: 20_000,
  });
  await expect(keptList(page).getByRole("row").filter({ hasText: `Uli ${lastName}` })).toContainText("Pending sync");
  await expect(page.getByRole("status").filter({ hasText: `Uli ${lastName} was created at Seattle` })).toBeVisible();
  expect(sentOf("Uli")).toBe(1);
  await other.close();
});

test("a customer kept in the browser opens from the list, and its edit is kept behind it", async ({ seattle: page }) => {
  const lastName = uniqueName("Kept");
  await open(page, "/pos?register=2-1");
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await page.context().setOffline(true);
  await addPerson(page, "Ida", lastName);
  const created = keptList(page).getByRole("row").filter({ hasText: `Ida ${lastName}` });
  await created.getByRole("button", { name: "Open" }).click();

  const customer = page.getByRole("region", { name: `Ida ${lastName}` });
  await expect(customer).toContainText("not yet staged");
  await customer.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Phone").fill("206 555 0123");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(customer.getByRole("status")).toContainText("the change is sent after the customer");
  await expect(customer.locator("dl.details")).toContainText("206 555 0123");
  const rows = keptList(page).getByRole("row").filter({ hasText: `Ida ${lastName}` });
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("Create customer");
  await expect(rows.nth(1)).toContainText("Update customer");

  // Online again: the create goes first; the edit, which this channel makes
  // in real time, is refused while the customer is pending sync, and stays
  // with the reason until the cashier sends it again or discards it.
  await customer.getByRole("button", { name: "Edit" }).focus();
  await page.context().setOffline(false);
  await expect(rows.filter({ hasText: "Create customer" })).toContainText("Pending sync", { timeout: 20_000 });
  const edit = rows.filter({ hasText: "Update customer" });
  await expect(edit).toContainText("still pending sync", { timeout: 20_000 });
  await expect(customer).toContainText("Sent to the store server");
  // Edit went with the kept customer: the focus goes to the link to the
  // customer the store now holds, not to the top of the page.
  const openCustomer = customer.getByRole("link", { name: "Open customer" });
  await expect(openCustomer).toBeFocused();
  await edit.getByRole("button", { name: "Discard" }).click();
  await expect(edit).toHaveCount(0);
  await openCustomer.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Ida ${lastName}`);
});

test("an Edit open on a kept customer stays open, with what was typed, when the customer is sent meanwhile", async ({
  seattle: page,
}) => {
  const lastName = uniqueName("Typing");
  await open(page, "/pos?register=2-1");
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await page.context().setOffline(true);
  await addPerson(page, "Ola", lastName);
  await keptList(page).getByRole("row").filter({ hasText: `Ola ${lastName}` }).getByRole("button", { name: "Open" }).click();
  const customer = page.getByRole("region", { name: `Ola ${lastName}` });
  await customer.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Phone").fill("206 555 0188");

  await page.context().setOffline(false);
  await expect(customer).toContainText("Sent to the store server", { timeout: 20_000 });
  await expect(page.getByLabel("Phone")).toHaveValue("206 555 0188");
  // Sent to the customer the store now holds: at Seattle, edits of a
  // customer pending sync wait for its sync, and the form says so.
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert")).toContainText("still pending sync");
  await expect(page.getByLabel("Phone")).toHaveValue("206 555 0188");
});

test("a synced customer's edits kept in the browser show on its page, and a second edit starts from the first", async ({
  seattle: page,
  admin,
}) => {
  const lastName = await openSyncedCustomer(page, admin, "Uma", "Twice");
  const details = page.locator("dl.details");

  await page.context().setOffline(true);
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Phone").fill("206 555 0144");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toBeVisible();
  await expect(details).toContainText("206 555 0144");

  await page.getByRole("button", { name: "Edit" }).click();
  await expect(page.getByLabel("Phone")).toHaveValue("206 555 0144");
  await page.getByLabel("Email").fill(`uma.${lastName.toLowerCase()}@example.com`);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toBeVisible();
  await expect(details).toContainText("206 555 0144");
  await expect(details).toContainText(`uma.${lastName.toLowerCase()}@example.com`);

  await page.context().setOffline(false);
  await expect(page.getByText(/\d+ waiting/)).toHaveCount(0, { timeout: 20_000 });
  // Sent: the page reads the customer again, and says what became of the
  // last edit instead of that it is kept.
  await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "HQ updated customer" })).toBeVisible();
  await expect(details).toContainText(`uma.${lastName.toLowerCase()}@example.com`);
  await page.reload();
  await expect(details).toContainText("206 555 0144");
  await expect(details).toContainText(`uma.${lastName.toLowerCase()}@example.com`);
});

test("an edit kept while its customer was pending shows on the customer's page once it has an account, until it is sent", async ({
  seattle: page,
  admin,
}) => {
  const lastName = uniqueName("Renamed");
  await open(page, "/pos?register=2-1");
  await addPerson(page, "Vera", lastName);
  await expect(page.getByRole("status").filter({ hasText: "was created at Seattle" })).toBeVisible();
  await page.getByRole("link", { name: "Open customer" }).click();
  await expect(page.getByRole("heading", { name: `Vera ${lastName}` })).toBeVisible();
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);

  // The store server does not take edits for a while: the edit is kept
  // under the temporary id the page was opened by.
  await page.route("**/api/edit_customer*", (route) => route.abort());
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Phone").fill("206 555 0166");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toBeVisible();

  // Synced meanwhile, Vera now opens by her account, with the kept edit.
  await syncToHqAndBack(admin);
  await open(page, `/pos?register=2-1&q=${lastName}`);
  await page.getByRole("link", { name: `Vera ${lastName}` }).click();
  await expect(page.getByRole("heading", { name: `Vera ${lastName}` })).toBeVisible();
  await expect(page).toHaveURL(/\/pos\/customers\/C\d+/);
  const details = page.locator("dl.details");
  await expect(details).toContainText("206 555 0166");

  await page.unroute("**/api/edit_customer*");
  await expect(page.getByText(/\d+ waiting/)).toHaveCount(0, { timeout: 20_000 });
  await expect(details).toContainText("206 555 0166");
  await page.reload();
  await expect(details).toContainText("206 555 0166");
});

test("an edit the store refused holds the customer's later edits until it is sent again, so HQ ends with the newest", async ({
  seattle: page,
  admin,
}) => {
  const lastName = await openSyncedCustomer(page, admin, "Ines", "Held");
  const customerPage = new URL(page.url()).pathname + new URL(page.url()).search;
  const rows = keptList(page).getByRole("row").filter({ hasText: `Ines ${lastName}` });

  // Kept while offline, the first edit reaches the store server after the
  // cashier's session has ended: refused.
  await page.context().setOffline(true);
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Phone").fill("206 555 0101");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toBeVisible();
  await page.context().clearCookies();
  await page.context().setOffline(false);
  await expect(rows.filter({ hasText: "Refused" })).toContainText("your session has ended", { timeout: 20_000 });

  // Signed in again in another tab, as the refusal asks, the cashier edits
  // the phone once more: that edit waits behind the refused one rather than
  // overtake it.
  const tab = await page.context().newPage();
  await signIn(tab, "seattle");
  await tab.close();
  // The customer's page, opened again, shows the refused edit as typed and
  // says it is not saved.
  await open(page, customerPage);
  await expect(page.locator("dl.details")).toContainText("206 555 0101");
  const notSaved = page.getByText("Not saved: the details above show a change kept in this browser that the store refused.");
  await expect(notSaved).toContainText("your session has ended");
  await page.getByRole("button", { name: "Edit" }).click();
  await expect(page.getByLabel("Phone")).toHaveValue("206 555 0101");
  await page.getByLabel("Phone").fill("206 555 0102");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Kept in this browser/ })).toContainText(
    "behind a change of this customer the store refused",
  );
  await expect(rows.filter({ hasText: "Waiting for the refused operation of this customer above" })).toHaveCount(1);
  const sent = rows.filter({ hasText: /Applied in HQ|Pending sync/ });

  // Sent again, the refused edit goes first and the newer one after it.
  await rows.filter({ hasText: "Refused" }).getByRole("button", { name: "Send again" }).click();
  await expect(sent).toHaveCount(2, { timeout: 20_000 });
  await expect(notSaved).toHaveCount(0);
  await syncToHqAndBack(admin);
  await open(page, customerPage);
  await expect(page.locator("dl.details")).toContainText("206 555 0102");
});

test("a change the store cannot pass to HQ now is kept and sent once HQ can be reached, and a new customer does not wait behind it", async ({ seattle: page, admin }) => {
  const lastName = uniqueName("Later");
  await open(page, "/pos?register=2-1");
  await addPerson(page, "Pia", lastName);
  await expect(page.getByRole("status").filter({ hasText: "was created at Seattle" })).toBeVisible();
  await syncToHqAndBack(admin);

  // Seattle adds addresses through real-time calls to HQ, which this
  // register cannot make while it is switched offline.
  await open(page, `/pos?register=2-1&q=${lastName}`);
  await page.getByRole("button", { name: "Go offline" }).click();
  await expect(page.getByRole("button", { name: "Go online" })).toBeVisible();
  await page.getByRole("link", { name: `Pia ${lastName}` }).click();
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await page.getByRole("button", { name: "Add address" }).click();
  await page.getByLabel("Street").fill("5 Later Lane");
  await page.getByLabel("City").fill("Seattle");
  await page.getByLabel("ZIP/postal code").fill("98101");
  await page.getByRole("button", { name: "Save address" }).click();
  // The store server answered: the note says why it is kept, not that the
  // store server is awaited.
  await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toContainText("HQ cannot be reached");
  await expect(page.getByRole("status").filter({ hasText: "waiting for the store server" })).toHaveCount(0);
  const row = keptList(page).getByRole("row").filter({ hasText: `Pia ${lastName}` });
  await expect(row).toContainText("HQ cannot be reached");
  await expect(row).not.toContainText("Refused");

  // A new customer does not wait behind it: the store stages it at once.
  await page.locator(".breadcrumb").getByRole("link", { name: "POS" }).click();
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await addPerson(page, "Rui", lastName);
  await expect(page.getByRole("status").filter({ hasText: "was created at Seattle" })).toBeVisible();
  await expect(row).toContainText("HQ cannot be reached");

  await page.getByRole("button", { name: "Go online" }).click();
  await expect(page.getByText(/\d+ waiting/)).toHaveCount(0, { timeout: 20_000 });
  await open(page, `/pos?register=2-1&q=${lastName}`);
  await page.getByRole("link", { name: `Pia ${lastName}` }).click();
  await expect(page.getByRole("table", { name: "Addresses" })).toContainText("5 Later Lane");
});

test("a create whose answer is lost is sent again and staged once", async ({ seattle: page, admin }) => {
  const lastName = uniqueName("Lost");
  await open(page, "/pos?register=2-1");
  // Sent again at once, the create would be kept for a second only,
  // between two looks of the test: the tries after the first wait for it.
  const tries = gate();
  const answersDropped = await dropFirstAnswer(page, "**/api/create_customer*", tries.opened);

  await addPerson(page, "Lia", lastName);
  await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toBeVisible();
  tries.open();
  const row = keptList(page).getByRole("row").filter({ hasText: `Lia ${lastName}` });
  await expect(row).toContainText("Pending sync", { timeout: 20_000 });
  expect(answersDropped()).toBe(1);

  await syncToHqAndBack(admin);
  const operations = await operationsOf(admin, lastName);
  await expect(operations).toHaveCount(1);
  await expect(operations).toContainText("Synced");
  await open(admin, "/hq/customers");
  await expect(admin.getByRole("row").filter({ hasText: `Lia ${lastName}` })).toHaveCount(1);
});

test("an Add customer posted before the POS's code arrived, whose answer was lost, and saved again once the code is in, makes one customer", async ({
  seattle: page,
  admin,
}) => {
  const lastName = uniqueName("Early");
  const letCodeThrough = await holdBackPageCode(page);
  await page.goto("/pos?register=2-1&add=customer", { waitUntil: "domcontentloaded" });
  await page.getByLabel("First name").fill("Ida");
  await page.getByLabel("Last name").fill(lastName);

  // The form posts itself and the store stages the customer, but the answer
  // is lost: the page stays as it was.
  const staged = await loseAnswerOfFormPost(page, /\/api\/post_new_customer/);
  await page.getByRole("button", { name: "Save" }).click();
  await staged();

  // The page's code arrives, and the cashier presses Save again.
  letCodeThrough();
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await expect(page.getByLabel("Last name")).toHaveValue(lastName);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "was created at Seattle" })).toBeVisible();

  const operations = await operationsOf(admin, lastName);
  await expect(operations).toHaveCount(1);
});

test("a create whose answer never comes is kept after a while, then sent again and staged once", async ({
  seattle: page,
  admin,
}) => {
  const lastName = uniqueName("Hung");
  await open(page, "/pos?register=2-1");
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  // The first create reaches the server, which carries it out, but its
  // answer hangs on the way back, as on a network that stalls. The tries
  // after it wait until the test has read the form's note: sent again at
  // once, the create would be kept for a second only, between two looks.
  let answersHeld = 0;
  const tries = gate();
  await page.route("**/api/create_customer*", async (route) => {
    if (answersHeld > 0) {
      await tries.opened;
      // A try the register gave up on meanwhile is no longer there to continue.
      return route.continue().catch(() => {});
    }
    answersHeld += 1;
    await route.fetch();
    await new Promise(() => {});
  });

  await addPerson(page, "Hana", lastName);
  await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toBeVisible({ timeout: 20_000 });
  tries.open();
  const row = keptList(page).getByRole("row").filter({ hasText: `Hana ${lastName}` });
  await expect(row).toContainText("Pending sync", { timeout: 20_000 });
  expect(answersHeld).toBe(1);

  await syncToHqAndBack(admin);
  const operations = await operationsOf(admin, lastName);
  await expect(operations).toHaveCount(1);
  await expect(operations).toContainText("Synced");
});

test("a create the store server fails on is kept with the reason, as the server answered, until it passes or is discarded", async ({
  seattle: page,
}) => {
  const lastName = uniqueName("Failed");
  await open(page, "/pos?register=2-1");
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  // The server answers every create with its failure (a database full, a fault).
  await page.route("**/api/create_customer*", (route) =>
    route.fulfill({ status: 500, contentType: "application/json", body: '"Internal"' }),
  );
  await addPerson(page, "Max", lastName);
  await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toBeVisible();
  const max = keptList(page).getByRole("row").filter({ hasText: `Max ${lastName}` });
  await expect(max).toContainText("The store server failed on it");
  // It answered: the header says so, and does not count the server as gone.
  await expect(page.getByText("Store server: connected")).toBeVisible();
  await addPerson(page, "Nell", lastName);
  const nell = keptList(page).getByRole("row").filter({ hasText: `Nell ${lastName}` });
  await expect(nell).toContainText("Waiting");

  await max.getByRole("button", { name: "Open" }).click();
  const opened = page.getByRole("region", { name: `Max ${lastName}` });
  await expect(opened).toContainText("not yet staged");
  await max.getByRole("button", { name: "Discard" }).click();
  await expect(max).toHaveCount(0);
  // Discarded, not sent: nothing to open.
  await expect(opened).toContainText("No longer kept in this browser.");
  await expect(opened.getByRole("link", { name: "Open customer" })).toHaveCount(0);
  await page.unroute("**/api/create_customer*");
  await expect(keptList(page).getByRole("row").filter({ hasText: `Nell ${lastName}` }).filter({ hasText: "Pending sync" })).toHaveCount(1, {
    timeout: 20_000,
  });
});

test("a form whose code the network kept from arriving says so, and opens once it arrives", async ({ browser, baseURL }) => {
  // The register's service worker would fetch the site's files itself, out
  // of the page's routes.
  const context = await browser.newContext({ baseURL, serviceWorkers: "block" });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const lastName = uniqueName("Late");
  let editorReaches = false;
  // Only the file of the customer editor's own code: the page and its
  // outbox arrive, the editor does not.
  await page.route(/\/pkg\/[^/]*customer_editor[^/]*\.wasm$/, (route) =>
    editorReaches ? route.fallback() : route.abort("internetdisconnected"),
  );
  await signIn(page, "seattle");
  await open(page, "/pos?register=2-1");
  await expect(page.getByText("Store server: connected")).toBeVisible();

  await page.getByRole("button", { name: "Add customer" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "could not be downloaded" })).toBeVisible();
  await expect(page.getByLabel("First name")).toHaveCount(0);
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(0);
  // The page still works: Cancel closes the note, and the form can be asked for again.
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "could not be downloaded" })).toHaveCount(0);
  await page.getByRole("button", { name: "Add customer" }).click();
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "could not be downloaded" })).toBeVisible();

  editorReaches = true;
  await page.getByRole("button", { name: "Try again" }).click();
  await page.getByLabel("First name").fill("Lou");
  await page.getByLabel("Last name").fill(lastName);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Lou ${lastName} was created at Seattle` })).toBeVisible();
  // The register downloads what it lacked once it can: the forms open offline again.
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1, { timeout: 20_000 });
  await context.close();
  // The split loader cargo-leptos writes leaves a failed download's promise
  // unhandled for a moment ("Failed to fetch"); nothing of the page's own
  // code may fail (a panic reads "unreachable").
  expect(errors.filter((error) => error !== "Failed to fetch")).toEqual([]);
});

test("a refused operation stays kept with its reason until the cashier discards it", async ({ seattle: page }) => {
  const lastName = uniqueName("Refused");
  await open(page, "/pos?register=2-1");
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await page.context().setOffline(true);
  await addPerson(page, "Rex", lastName);
  await expect(keptList(page).getByRole("row").filter({ hasText: `Rex ${lastName}` })).toContainText(
    "Waiting for the store server",
  );

  // While the register waited, it was given a register HQ does not know.
  await changeKeptAwayFromThePos(page, { register: "2-9" });
  const row = keptList(page).getByRole("row").filter({ hasText: `Rex ${lastName}` });
  await expect(row).toContainText("Refused", { timeout: 20_000 });
  await expect(row).toContainText("Register 9 of store 2 is not known");
  // Refused, it no longer waits: the header does not count it.
  await expect(page.getByText(/\d+ waiting/)).toHaveCount(0);
  await row.getByRole("button", { name: "Discard" }).click();
  await expect(row).toHaveCount(0);
});

test("a kept customer the store refuses for its fields says which field and why", async ({ seattle: page }) => {
  const lastName = uniqueName("Fields");
  await open(page, "/pos?register=2-1");
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await page.context().setOffline(true);
  await addPerson(page, "Ivo", lastName);

  // While the register waited, HQ took its customer group away.
  await changeKeptAwayFromThePos(page, { customerGroup: "99" });
  const row = keptList(page).getByRole("row").filter({ hasText: `Ivo ${lastName}` });
  await expect(row).toContainText("Refused", { timeout: 20_000 });
  await expect(row).toContainText("Customer group: Choose a customer group from the list.");
  await row.getByRole("button", { name: "Discard" }).click();
  await expect(row).toHaveCount(0);
});

test("a kept customer the store refused for its fields is corrected and sent again, with what was typed", async ({
  seattle: page,
  admin,
}) => {
  const lastName = uniqueName("Corrected");
  await open(page, "/pos?register=2-1");
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await page.context().setOffline(true);
  await page.getByRole("button", { name: "Add customer" }).click();
  await page.getByLabel("First name").fill("Una");
  await page.getByLabel("Last name").fill(lastName);
  // Each run's own address: HQ takes an email once.
  const email = `una.${lastName.toLowerCase()}@example.com`;
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toBeVisible();

  // While the register waited, HQ took its customer group away.
  await changeKeptAwayFromThePos(page, { customerGroup: "99" });
  const row = keptList(page).getByRole("row").filter({ hasText: `Una ${lastName}` });
  await expect(row).toContainText("Refused", { timeout: 20_000 });

  await row.getByRole("button", { name: "Correct" }).click();
  const correcting = page.getByRole("region", { name: `Correct Una ${lastName}` });
  await expect(correcting.getByRole("alert")).toContainText("Customer group: Choose a customer group from the list.");
  await expect(correcting.getByLabel("Email")).toHaveValue(email);
  await correcting.getByLabel("Customer group").selectOption("30");
  await correcting.getByRole("button", { name: "Save" }).click();
  await expect(correcting).toHaveCount(0);
  await expect(row.filter({ hasText: "Pending sync" })).toHaveCount(1, { timeout: 20_000 });
  await expect(keptList(page).getByRole("row").filter({ hasText: "Refused" })).toHaveCount(0);

  await syncToHqAndBack(admin);
  const operations = await operationsOf(admin, lastName);
  await expect(operations).toHaveCount(1);
  await expect(operations).toContainText("Synced");
});

test("the register keeps one copy of each site file: the one its current build names", async ({ seattle: page }) => {
  await openPosWithCopies(page, "2-1");
  const copiedFiles = () =>
    page.evaluate(async () => {
      const copies = await caches.open("custsync-register");
      return (await copies.keys()).map((request) => new URL(request.url).pathname);
    });
  const current = (await copiedFiles()).filter((path) => /^\/pkg\/custsync\.[A-Za-z0-9_-]{22}\.wasm$/.test(path));
  expect(current).toHaveLength(1);
  // The same file as an earlier build named it, copied before a deploy.
  const earlier = "/pkg/custsync.AAAAAAAAAAAAAAAAAAAAAA.wasm";
  await page.evaluate(async (path) => {
    const copies = await caches.open("custsync-register");
    await copies.put(path, new Response("an earlier build"));
  }, earlier);
  expect(await copiedFiles()).toContain(earlier);

  await open(page, "/pos?register=2-1");
  await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await expect.poll(copiedFiles).not.toContain(earlier);
  expect(await copiedFiles()).toContain(current[0]);
});

test("signing out on any page drops the register's copies of the POS pages", async ({ seattle: page }) => {
  await open(page, "/pos?register=2-1");
  await registerWorkerControls(page);
  await open(page, "/pos?register=2-1&q=a");
  const copied = () => page.evaluate(() => caches.has("custsync-register"));
  await expect.poll(copied).toBe(true);

  // The home page is outside the register's service worker's reach.
  await open(page, "/");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" }).first()).toBeVisible();
  await expect.poll(copied).toBe(false);
});

test("a POS reloaded while the store server is down opens from its copies, and what waits arrives once it is back", async ({ browser }) => {
  const port = 3110;
  const baseURL = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(join(tmpdir(), "custsync-restart-"));
  let server = startServer(port, dataDir);
  try {
    await serving(baseURL);
    const page = await pageAt(browser, baseURL, "seattle");
    const lastName = uniqueName("Restart");
    await openPosWithCopies(page, "2-1");
    // A copy of the POS with Add customer open, as its link opens it before the page's code arrives.
    await open(page, "/pos?register=2-1&add=customer");
    await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
    await savePerson(page, "Ann", uniqueName("Before"));
    await page.getByRole("link", { name: "Open customer" }).click();
    await expect(page.getByRole("heading", { name: /^Ann / })).toBeVisible();

    // Back to the POS from a customer's page while the server is down: the
    // POS opens from its copies, not an error in place of the register.
    await stopped(server);
    await page.locator(".breadcrumb").getByRole("link", { name: "POS" }).click();
    await expect(page.getByRole("button", { name: "Add customer" })).toBeVisible();
    await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
    for (const first of ["Kim", "Lou"]) {
      await addPerson(page, first, lastName);
      await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toBeVisible();
    }
    const waiting = keptList(page).getByRole("row").filter({ hasText: "Waiting for the store server" });
    await expect(waiting).toHaveCount(2);
    await expect(page.getByText("Store server: not answering")).toBeVisible();

    // A reload while the server is down opens the POS from those copies,
    // with what it keeps, and Add customer still works.
    await open(page, "/pos?register=2-1");
    await expect(waiting).toHaveCount(2);
    await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
    await addPerson(page, "Max", lastName);
    await expect(waiting).toHaveCount(3);
    // Each reload of the copy with Add customer open saves under an id of its own.
    for (const first of ["Ned", "Ola"]) {
      await open(page, "/pos?register=2-1&add=customer");
      await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1);
      await savePerson(page, first, lastName);
      await expect(page.getByRole("status").filter({ hasText: "Kept in this browser" })).toBeVisible();
    }
    await expect(waiting).toHaveCount(5);

    server = startServer(port, dataDir);
    await serving(baseURL);
    await expect(keptList(page).getByRole("row").filter({ hasText: "Pending sync" })).toHaveCount(5, {
      timeout: 20_000,
    });

    const admin = await pageAt(browser, baseURL, "admin");
    await syncToHqAndBack(admin);
    const operations = await operationsOf(admin, lastName);
    await expect(operations).toHaveCount(5);
    await expect(operations.filter({ hasText: "Synced" })).toHaveCount(5);
  } finally {
    await stopped(server);
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("a POS reloaded while the store server hangs opens from its copies after a few seconds, and what waits arrives once it answers", async ({
  browser,
}) => {
  const port = 3114;
  const baseURL = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(join(tmpdir(), "custsync-hangs-"));
  const server = startServer(port, dataDir);
  try {
    await serving(baseURL);
    const page = await pageAt(browser, baseURL, "seattle");
    const lastName = uniqueName("Hang");
    await openPosWithCopies(page, "2-1");

    // The server takes connections and never answers, as one that hangs,
    // or a network that drops packets without refusing them, does.
    server.kill("SIGSTOP");
    await page.goto("/pos?register=2-1", { timeout: 20_000 });
    await expect(page.getByRole("button", { name: "Add customer" })).toBeVisible();
    await expect(page.locator("body[data-forms-ready=true]")).toHaveCount(1, { timeout: 20_000 });
    await addPerson(page, "Pat", lastName);
    const waiting = keptList(page).getByRole("row").filter({ hasText: "Waiting for the store server" });
    await expect(waiting).toHaveCount(1, { timeout: 30_000 });

    // The server answers again: the customer arrives, once.
    server.kill("SIGCONT");
    await expect(waiting).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByText("Store server: connected")).toBeVisible();
    await open(page, `/pos?register=2-1&q=${lastName}`);
    await expect(page.getByRole("table", { name: "Customers found" }).getByRole("row")).toHaveCount(2);
  } finally {
    server.kill("SIGCONT");
    await stopped(server);
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("an answer the store server sends after the register's copies were dropped is not kept as a copy", async ({ browser }) => {
  const port = 3116;
  const baseURL = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(join(tmpdir(), "custsync-sign-out-"));
  const server = startServer(port, dataDir);
  type Asked = { late: Promise<number>; dropped: Promise<number> };
  try {
    await serving(baseURL);
    const page = await pageAt(browser, baseURL, "seattle");
    // Listed without opening the cache, which would make it again.
    const copied = () =>
      page.evaluate(async () =>
        (await caches.has("custsync-register"))
          ? (await (await caches.open("custsync-register")).keys()).map((request) => request.url)
          : [],
      );
    // A search asked for while the server hangs, then the copies dropped
    // by `drop`; once the server answers, the search's page (rendered for
    // the cashier) is not kept.
    const answeredAfterTheDrop = async (drop: () => Promise<void>) => {
      await openPosWithCopies(page, "2-1");
      expect(await copied()).not.toHaveLength(0);
      server.kill("SIGSTOP");
      await page.evaluate(() => {
        (window as unknown as Asked).late = fetch("/pos?register=2-1&q=late").then((answer) => answer.status);
      });
      await drop();
      await expect.poll(copied).toHaveLength(0);
      server.kill("SIGCONT");
      const answers = await page.evaluate(() => {
        const asked = window as unknown as Asked;
        return Promise.all([asked.late, asked.dropped]);
      });
      expect(answers).toEqual([200, 200]);
      // The worker keeps an answer just after handing it over.
      await page.waitForTimeout(500);
      expect(await copied()).toHaveLength(0);
    };

    // As a page that finds no cashier signed in (signed out in another
    // tab, the session ended) drops them: the page's own drop, and its
    // word to the worker (`forget_register_copies`).
    await answeredAfterTheDrop(() =>
      page.evaluate(async () => {
        await caches.delete("custsync-register");
        const registration = await navigator.serviceWorker.getRegistration("/pos");
        registration?.active?.postMessage("copies-dropped");
        (window as unknown as Asked).dropped = Promise.resolve(200);
      }),
    );
    // Sign out on the POS page.
    await answeredAfterTheDrop(() =>
      page.evaluate(() => {
        const signOut = document.querySelector<HTMLFormElement>("form[action^='/api/sign_out']");
        (window as unknown as Asked).dropped = fetch(signOut?.action ?? "", {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
          body: "",
        }).then((answer) => answer.status);
      }),
    );
    await open(page, "/pos?register=2-1");
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  } finally {
    server.kill("SIGCONT");
    await stopped(server);
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("a POS opened while the store server is down shows the register asked for from its copies, never another register", async ({
  browser,
}) => {
  const port = 3112;
  const baseURL = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(join(tmpdir(), "custsync-registers-"));
  const server = startServer(port, dataDir);
  try {
    await serving(baseURL);
    const page = await pageAt(browser, baseURL, "houston");
    await openPosWithCopies(page, "1-1");

    await stopped(server);
    // Register 1 with a search: register 1's copy.
    await page.goto("/pos?register=1-1&q=ann");
    await expect(page.getByRole("button", { name: "Add customer" })).toBeVisible();
    // Register 2 was never opened in this browser: no copy of it, and
    // register 1's page is not passed off as it.
    await expect(page.goto("/pos?register=1-2")).rejects.toThrow();
  } finally {
    await stopped(server);
    await rm(dataDir, { recursive: true, force: true });
  }
});
