import { expect, type Browser, type Page } from "@playwright/test";
import { type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open, pageAt, runNow, serving, startServer, stopped, test } from "./helpers";

/** The features asynchronous editing needs, prerequisites first. */
const ASYNC_EDITING = [
  "Performance improvements for customer orders and customer transactions",
  "Enable enhanced asynchronous customer creation",
  "Enable asynchronous creation for customer addresses",
  "Enable editing customers in asynchronous mode",
];

/** Houston's and Seattle's stores, each served by a scale unit of its own, on one HQ. */
type TwoStores = { houston: string; seattle: string; servers: ChildProcess[]; folder: string };

/**
 * Starts both scale units, one after the other (the first migrates and
 * seeds HQ), recording each server in `stores` before waiting for it, so
 * that `stopTwoStores` stops whichever started.
 */
async function startTwoStores(stores: TwoStores): Promise<void> {
  const hq = `sqlite:${join(stores.folder, "hq.db")}`;
  for (const [name, url] of [
    ["Houston", stores.houston],
    ["Seattle", stores.seattle],
  ]) {
    const server = startServer(Number(new URL(url).port), join(stores.folder, name), {
      CUSTSYNC_HQ_DATABASE_URL: hq,
      CUSTSYNC_SCALE_UNIT: name,
      CUSTSYNC_CHANNELS: name,
      CUSTSYNC_CONFIG_CACHE_TTL_SECONDS: "0",
    });
    stores.servers.push(server);
    await serving(`${url}/`, server);
  }
}

async function stopTwoStores(stores: TwoStores): Promise<void> {
  for (const server of stores.servers) await stopped(server);
  await rm(stores.folder, { recursive: true, force: true });
}

async function enableAsyncEditing(admin: Page): Promise<void> {
  for (const feature of ASYNC_EDITING) {
    await open(admin, "/hq/feature-management");
    const row = admin.getByRole("row").filter({ has: admin.getByRole("rowheader", { name: feature, exact: true }) });
    await row.getByRole("button", { name: `Enable (${feature})`, exact: true }).click();
    await expect(row.getByRole("cell").first()).toHaveText("Enabled");
  }
}

/** Runs jobs of the distribution schedule (`/P-0001/`, `/1010/`...) at the admin's scale unit, in order. */
async function runScheduled(admin: Page, ...jobs: RegExp[]): Promise<void> {
  for (const job of jobs) {
    await open(admin, "/hq/distribution-schedule");
    await runNow(admin, job);
  }
}

/** Runs the sync at the admin's scale unit; it finishes as `finished` says (succeeded, unless told otherwise). */
async function runSync(admin: Page, finished?: RegExp): Promise<void> {
  await open(admin, "/hq/batch-jobs");
  await runNow(admin, /Synchronize customers and channel requests/, finished);
}

/** A sync run that found operations to fail. */
const WITH_FAILURES = /Run \d+ finished: Completed with errors/;

/**
 * Edits Karen (C000001) at `register` as its cashier would; the edit is
 * staged, the `onItsWay`th of the store's changes of her HQ does not have.
 */
async function editKaren(
  cashier: Page,
  register: string,
  field: "Phone" | "Email",
  value: string,
  onItsWay = 1,
): Promise<void> {
  await open(cashier, `/pos/customers/C000001?register=${register}`);
  await cashier.getByRole("button", { name: "Edit" }).click();
  await cashier.getByLabel(field).fill(value);
  await cashier.getByRole("button", { name: "Save" }).click();
  await expect(cashier.getByText(`${onItsWay} change(s) staged in asynchronous mode`)).toBeVisible();
}

/** Karen as Houston's POS shows her once job 1010 has run at Houston. */
async function karenAtHoustonAfter1010(admin: Page, cashier: Page) {
  await runScheduled(admin, /1010/);
  await open(cashier, "/pos/customers/C000001?register=1-1");
  return cashier.locator("dl.details");
}

/** The answer to the admin's Save or Synchronize on an operation's page. */
function operationAnswer(admin: Page) {
  return admin.getByRole("status").filter({ hasText: /Saved|Synchronized/ });
}

/** Corrects the email of the operation whose page `admin` shows, and synchronizes it. */
async function correctEmailAndSynchronize(admin: Page, email: string, outcome: string): Promise<void> {
  await admin.getByRole("button", { name: "Edit" }).click();
  await admin.getByLabel("Email").fill(email);
  await admin.getByRole("button", { name: "Save" }).click();
  await expect(operationAnswer(admin)).toContainText("Synchronize to apply it.");
  await admin.getByRole("button", { name: "Synchronize" }).click();
  await expect(operationAnswer(admin)).toHaveText(outcome);
}

/** Each store's admin and cashier, signed in at their own scale unit. */
type StorePages = { houstonAdmin: Page; seattleAdmin: Page; houstonCashier: Page; seattleCashier: Page };

/**
 * Runs `journey` with Houston's and Seattle's scale units started on one
 * HQ, asynchronous editing on, and both stores' copies of the
 * configuration and the customers fresh; stops them afterwards.
 */
async function withTwoStores(browser: Browser, journey: (pages: StorePages) => Promise<void>): Promise<void> {
  const stores: TwoStores = {
    houston: "http://127.0.0.1:3200",
    seattle: "http://127.0.0.1:3202",
    servers: [],
    folder: await mkdtemp(join(tmpdir(), "custsync-two-stores-")),
  };
  const opened: Page[] = [];
  const signedIn = async (url: string, user: string) => {
    const page = await pageAt(browser, url, user);
    opened.push(page);
    return page;
  };
  try {
    await startTwoStores(stores);
    const pages = {
      houstonAdmin: await signedIn(stores.houston, "admin"),
      seattleAdmin: await signedIn(stores.seattle, "admin"),
      houstonCashier: await signedIn(stores.houston, "houston"),
      seattleCashier: await signedIn(stores.seattle, "seattle"),
    };
    await enableAsyncEditing(pages.houstonAdmin);
    await runScheduled(pages.houstonAdmin, /1110/, /1010/);
    await runScheduled(pages.seattleAdmin, /1110/, /1010/);
    await journey(pages);
  } finally {
    for (const page of opened) await page.context().close();
    await stopTwoStores(stores);
  }
}

test("a store's edit uploaded after another store's newer edit synced stays shown at its POS until HQ has it", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  await withTwoStores(browser, async ({ houstonAdmin, seattleAdmin, houstonCashier, seattleCashier }) => {
    // Houston edits Karen's phone first; Seattle then edits her email, and
    // Seattle's edit reaches HQ before Houston's is even uploaded.
    await editKaren(houstonCashier, "1-1", "Phone", "+1 713 555 0155");
    await editKaren(seattleCashier, "2-1", "Email", "karen.seattle@example.com");
    await runScheduled(seattleAdmin, /P-0001/);
    await runSync(seattleAdmin);
    await runScheduled(houstonAdmin, /P-0001/, /1010/);

    // Houston's POS shows Seattle's email, and its own phone still on its way.
    await open(houstonCashier, "/pos/customers/C000001?register=1-1");
    const karen = houstonCashier.locator("dl.details");
    await expect(karen).toContainText("karen.seattle@example.com");
    await expect(karen).toContainText("+1 713 555 0155");
    await expect(houstonCashier.getByText("1 change(s) staged in asynchronous mode")).toBeVisible();

    // Once HQ has applied it, nothing is on its way and both edits show.
    await runSync(houstonAdmin);
    await runScheduled(houstonAdmin, /1010/);
    await open(houstonCashier, "/pos/customers/C000001?register=1-1");
    await expect(karen).toContainText("karen.seattle@example.com");
    await expect(karen).toContainText("+1 713 555 0155");
    await expect(houstonCashier.getByText(/change\(s\) staged in asynchronous mode/)).toHaveCount(0);
  });
});

test("a store's edit refused for good, corrected by an admin into one that fails again, is on its way at its POS again and holds the store's next edit", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  await withTwoStores(browser, async ({ houstonAdmin, seattleAdmin, houstonCashier, seattleCashier }) => {
    // Both stores edit Karen's phone, Houston first; Seattle's newer edit
    // reaches HQ first, so HQ refuses Houston's for good.
    await editKaren(houstonCashier, "1-1", "Phone", "+1 713 555 0155");
    await editKaren(seattleCashier, "2-1", "Phone", "+1 206 555 0166");
    await runScheduled(seattleAdmin, /P-0001/);
    await runSync(seattleAdmin);
    await runScheduled(houstonAdmin, /P-0001/);
    await runSync(houstonAdmin, WITH_FAILURES);
    let karen = await karenAtHoustonAfter1010(houstonAdmin, houstonCashier);
    await expect(karen).toContainText("+1 206 555 0166");
    await expect(houstonCashier.getByText(/change\(s\) staged in asynchronous mode/)).toHaveCount(0);

    // The admin opens the refused edit and corrects its email. An email
    // another customer has is refused at Save; a free one is saved, but a
    // new customer at Seattle takes it before Synchronize: the edit fails
    // again, for a reason to correct.
    await open(houstonAdmin, "/hq/customer-synchronization-status");
    await houstonAdmin.getByRole("navigation", { name: "Operations by status" }).getByRole("link", { name: /^Failed/ }).click();
    await houstonAdmin.getByRole("link", { name: "Update customer" }).click();
    const error = houstonAdmin.getByRole("region", { name: "Error" });
    await expect(error).toContainText("Customer C000001 was changed by an update made at");
    const refused = new URL(houstonAdmin.url()).pathname.split("/").pop() ?? "";
    await houstonAdmin.getByRole("button", { name: "Edit" }).click();
    await houstonAdmin.getByLabel("Email").fill("jodi.christiansen@contoso.com");
    await houstonAdmin.getByRole("button", { name: "Save" }).click();
    await expect(houstonAdmin.locator("#email-message")).toContainText("already has this email");
    const taken = `taken.${Date.now()}@example.com`;
    await houstonAdmin.getByLabel("Email").fill(taken);
    await houstonAdmin.getByRole("button", { name: "Save" }).click();
    await expect(operationAnswer(houstonAdmin)).toContainText("Synchronize to apply it.");
    await open(seattleCashier, "/pos?register=2-1");
    await seattleCashier.getByRole("button", { name: "Add customer" }).click();
    await seattleCashier.getByLabel("First name").fill("Tess");
    await seattleCashier.getByLabel("Last name").fill("Taken");
    await seattleCashier.getByLabel("Email").fill(taken);
    await seattleCashier.getByRole("button", { name: "Save" }).click();
    await expect(seattleCashier.getByRole("status").filter({ hasText: "Temporary asynchronous customer id" })).toContainText(
      "Tess Taken was created",
    );
    await runScheduled(seattleAdmin, /P-0001/);
    await runSync(seattleAdmin, /Run \d+ finished: (Succeeded|Completed with errors)/);
    await houstonAdmin.getByRole("button", { name: "Synchronize" }).click();
    await expect(operationAnswer(houstonAdmin)).toHaveText("Synchronized 1 operation: 0 synced, 1 failed.");
    await expect(error).toContainText(`already has the email ${taken}`);

    // Open again, the edit is on its way at Houston's POS once more, and
    // Houston's next edit of Karen waits for it in HQ.
    await karenAtHoustonAfter1010(houstonAdmin, houstonCashier);
    await expect(houstonCashier.getByText("1 change(s) staged in asynchronous mode")).toBeVisible();
    await editKaren(houstonCashier, "1-1", "Phone", "+1 713 555 0177", 2);
    await runScheduled(houstonAdmin, /P-0001/);
    // The refused edit has had its three tries (two batch runs and the
    // admin's Synchronize), so the batch leaves it to the admin.
    await runSync(houstonAdmin);
    await open(houstonAdmin, "/hq/customer-synchronization-status");
    await expect(houstonAdmin.getByRole("row").filter({ hasText: `Waits for operation ${refused}, which failed` })).toHaveCount(1);

    // Corrected to a free email, the edit is still older than Seattle's
    // phone: refused for good again, it no longer holds the next edit, which
    // HQ applies, and nothing of Houston's is on its way.
    await open(houstonAdmin, `/hq/customer-synchronization-status/${refused}`);
    await correctEmailAndSynchronize(
      houstonAdmin,
      "karen.houston@example.com",
      "Synchronized 1 operation: 0 synced, 1 failed.",
    );
    await expect(error).toContainText("Customer C000001 was changed by an update made at");
    await runSync(houstonAdmin);
    karen = await karenAtHoustonAfter1010(houstonAdmin, houstonCashier);
    await expect(karen).toContainText("+1 713 555 0177");
    await expect(karen).toContainText("karen.berg@contoso.com");
    await expect(houstonCashier.getByText(/change\(s\) staged in asynchronous mode/)).toHaveCount(0);
  });
});
