import { expect, type Page } from "@playwright/test";
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
    await row.getByRole("button", { name: "Enable" }).click();
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

async function runSync(admin: Page): Promise<void> {
  await open(admin, "/hq/batch-jobs");
  await runNow(admin, /Synchronize customers and channel requests/);
}

/** Edits Karen (C000001) at `register` as its cashier would; the edit is staged. */
async function editKaren(cashier: Page, register: string, field: "Phone" | "Email", value: string): Promise<void> {
  await open(cashier, `/pos/customers/C000001?register=${register}`);
  await cashier.getByRole("button", { name: "Edit" }).click();
  await cashier.getByLabel(field).fill(value);
  await cashier.getByRole("button", { name: "Save" }).click();
  await expect(cashier.getByText("1 change(s) staged in asynchronous mode")).toBeVisible();
}

test("a store's edit uploaded after another store's newer edit synced stays shown at its POS until HQ has it", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const stores: TwoStores = {
    houston: "http://127.0.0.1:3200",
    seattle: "http://127.0.0.1:3202",
    servers: [],
    folder: await mkdtemp(join(tmpdir(), "custsync-two-stores-")),
  };
  const pages: Page[] = [];
  const signedIn = async (url: string, user: string) => {
    const page = await pageAt(browser, url, user);
    pages.push(page);
    return page;
  };
  try {
    await startTwoStores(stores);
    const houstonAdmin = await signedIn(stores.houston, "admin");
    const seattleAdmin = await signedIn(stores.seattle, "admin");
    const houstonCashier = await signedIn(stores.houston, "houston");
    const seattleCashier = await signedIn(stores.seattle, "seattle");
    await enableAsyncEditing(houstonAdmin);
    await runScheduled(houstonAdmin, /1110/, /1010/);
    await runScheduled(seattleAdmin, /1110/, /1010/);

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
  } finally {
    for (const page of pages) await page.context().close();
    await stopTwoStores(stores);
  }
});
