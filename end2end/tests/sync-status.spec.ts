import { expect, type Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import {
  answerNextDialog,
  detail,
  expectAccessible,
  holdBackPageCode,
  open,
  test,
  operationRow,
  runNow,
  signIn,
  signedInWithoutJavaScript,
  uniqueName,
} from "./helpers";

const STATUS_PAGE = "/hq/customer-synchronization-status";

/** Adds a customer at Seattle's register 2-1 and returns its temporary id. */
async function addCustomer(page: Page, lastName: string, email: string, phone = ""): Promise<string> {
  await open(page, "/pos?register=2-1");
  await page.getByRole("button", { name: "Add customer" }).click();
  await page.getByLabel("First name").fill("Eve");
  await page.getByLabel("Last name").fill(lastName);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Phone").fill(phone);
  await page.getByRole("button", { name: "Save" }).click();
  const confirmation = page.getByRole("status").filter({ hasText: "Temporary asynchronous customer id" });
  await expect(confirmation).toContainText(lastName);
  return (await confirmation.locator("code").textContent()) ?? "";
}

/** A create by the Seattle cashier whose sync fails, as HQ already has its email; returns its temporary id. */
async function failedCreate(seattle: Page, page: Page, lastName: string): Promise<string> {
  const id = await addCustomer(seattle, lastName, "karen.berg@contoso.com");
  await open(page, "/hq/distribution-schedule");
  await runNow(page, /P-0001/);
  await open(page, "/hq/batch-jobs");
  const batch = page.getByRole("region", { name: /Synchronize customers and channel requests/ });
  await batch.getByRole("button", { name: "Run now" }).click();
  await expect(batch.getByRole("status")).toContainText("Completed with errors");
  return id;
}

async function searchFor(page: Page, term: string): Promise<void> {
  await open(page, STATUS_PAGE);
  await page.getByLabel("Search").fill(term);
  await page.getByRole("button", { name: "Apply filters" }).click();
  // Only what narrows the list is in the address: no empty filter, no empty name.
  await expect(page).toHaveURL(new RegExp(`\\?q=${term}$`));
}

test("Back and Forward show the search and filters of the list they open, not what was typed last", async ({ admin: page }) => {
  await searchFor(page, "karen");
  const search = page.getByLabel("Search");
  const status = page.getByLabel("Status", { exact: true });
  await search.fill("jodi");
  await status.selectOption({ label: "Failed" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/\?q=jodi&status=failed$/);

  await page.goBack();
  await expect(page).toHaveURL(/\?q=karen$/);
  await expect(search).toHaveValue("karen");
  await expect(status).toHaveValue("");
  await page.goForward();
  await expect(page).toHaveURL(/\?q=jodi&status=failed$/);
  await expect(search).toHaveValue("jodi");
  await expect(status).toHaveValue("failed");
});

test("Synchronize is offered on lists that can hold operations it takes, not on synced ones", async ({ admin: page }) => {
  const synchronize = page.getByRole("button", { name: "Synchronize", exact: true });
  await open(page, `${STATUS_PAGE}?status=synced`);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(page.getByRole("link", { name: "Export to CSV" })).toBeVisible();
  await expect(synchronize).toHaveCount(0);
  await expect(page.getByText(/\d+ selected/)).toHaveCount(0);
  await page.getByLabel("Status", { exact: true }).selectOption({ label: "Failed" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/\?status=failed$/);
  await expect(synchronize).toBeVisible();
  await expect(page.getByText("0 selected")).toBeVisible();
});

test("three operations chosen in the list are synchronized together", async ({ seattle, admin: page }) => {
  const family = uniqueName("Trio");
  const ids: string[] = [];
  for (const n of [1, 2, 3]) {
    ids.push(await addCustomer(seattle, `${family}${n}`, `trio${n}.${family.toLowerCase()}@example.com`));
  }
  await open(page, "/hq/distribution-schedule");
  await runNow(page, /P-0001/);

  await searchFor(page, family.toLowerCase());
  for (const id of ids) {
    await expect(operationRow(page, id)).toContainText("Pending sync");
    await operationRow(page, id).getByRole("checkbox").check();
  }
  await expect(page.getByText("3 selected")).toBeVisible();
  await page.getByRole("button", { name: "Synchronize", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Synchronized" })).toHaveText(
    "Synchronized 3 operations: 3 synced, 0 failed.",
  );
  for (const id of ids) {
    const row = operationRow(page, id);
    await expect(row).toContainText("Synced");
    await expect(row.getByRole("cell").nth(6)).toHaveText(/^C\d{6}$/);
  }
  // Synced, they can no longer be chosen, and the next Synchronize does not send them again.
  await expect(page.getByText("0 selected")).toBeVisible();
});

test("Select all on this page ticks every operation Synchronize can take, and only those", async ({ seattle, admin: page }) => {
  const family = uniqueName("Whole");
  const ids: string[] = [];
  for (const n of [1, 2]) {
    ids.push(await addCustomer(seattle, `${family}${n}`, `whole${n}.${family.toLowerCase()}@example.com`));
  }
  await open(page, "/hq/distribution-schedule");
  await runNow(page, /P-0001/);
  // Still in the store: it cannot be synchronized yet, so it is not ticked.
  const waiting = await addCustomer(seattle, `${family}3`, `whole3.${family.toLowerCase()}@example.com`);

  await searchFor(page, family.toLowerCase());
  await expect(operationRow(page, waiting)).toContainText("Pending upload");
  const all = page.getByRole("checkbox", { name: "Select all on this page" });
  await all.check();
  await expect(page.getByText("2 selected")).toBeVisible();
  for (const id of ids) {
    await expect(operationRow(page, id).getByRole("checkbox")).toBeChecked();
  }
  await operationRow(page, ids[0]).getByRole("checkbox").uncheck();
  await expect(all).not.toBeChecked();
  // Some ticked: the box says so, neither ticked nor empty.
  await expect(all).toHaveJSProperty("indeterminate", true);
  await expect(page.getByText("1 selected")).toBeVisible();
  await all.check();
  await expect(page.getByText("2 selected")).toBeVisible();
  await all.uncheck();
  await expect(page.getByText("0 selected")).toBeVisible();
  await expect(all).toHaveJSProperty("indeterminate", false);

  await all.check();
  await page.getByRole("button", { name: "Synchronize", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Synchronized" })).toHaveText(
    "Synchronized 2 operations: 2 synced, 0 failed.",
  );
  // Nothing left on the page that Synchronize takes.
  await expect(all).toHaveCount(0);
  await expect(operationRow(page, waiting)).toContainText("Pending upload");
});

test("Next page and Previous page keep the keyboard's place in the pager", async ({ seattle, admin: page }) => {
  const family = uniqueName("Many");
  await open(seattle, "/pos?register=2-1");
  const confirmation = seattle.getByRole("status").filter({ hasText: "Temporary asynchronous customer id" });
  for (let n = 1; n <= 51; n++) {
    await seattle.getByRole("button", { name: "Add customer" }).click();
    await seattle.getByLabel("First name").fill("Eve");
    await seattle.getByLabel("Last name").fill(`${family}x${n}`);
    await seattle.getByRole("button", { name: "Save" }).click();
    await expect(confirmation).toContainText(`${family}x${n} was created`);
  }

  await searchFor(page, family.toLowerCase());
  const rows = page.getByRole("table", { name: "Asynchronous customer operations" }).getByRole("row");
  await expect(rows).toHaveCount(51);
  // A search typed and not applied yet stays typed while the admin pages.
  await page.getByLabel("Search").fill("typed, not applied");
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(rows).toHaveCount(2);
  await expect(page.getByLabel("Search")).toHaveValue("typed, not applied");
  // The last page has no Next page: its Previous page takes the focus, not the page's body.
  await expect(page.getByRole("link", { name: "Previous page" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(rows).toHaveCount(51);
  await expect(page.getByRole("link", { name: "Next page" })).toBeFocused();
});

test("operations ticked before the page's code arrived stay chosen once it arrives", async ({ seattle, admin: page }) => {
  const family = uniqueName("Early");
  const ids: string[] = [];
  for (const n of [1, 2]) {
    ids.push(await addCustomer(seattle, `${family}${n}`, `early${n}.${family.toLowerCase()}@example.com`));
  }
  await open(page, "/hq/distribution-schedule");
  await runNow(page, /P-0001/);

  // The admin ticks both rows while the page's code is still on its way.
  const letCodeThrough = await holdBackPageCode(page);
  await page.goto(`${STATUS_PAGE}?q=${family.toLowerCase()}`, { waitUntil: "domcontentloaded" });
  for (const id of ids) {
    await operationRow(page, id).getByRole("checkbox").check();
  }
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(0);

  letCodeThrough();
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(page.getByText("2 selected")).toBeVisible();
  await page.getByRole("button", { name: "Synchronize", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Synchronized" })).toHaveText(
    "Synchronized 2 operations: 2 synced, 0 failed.",
  );
});

test("the Failed count leads to a failure, and Synchronize all failed asks first", async ({ seattle, admin: page }) => {
  const lastName = uniqueName("Twice");
  const id = await failedCreate(seattle, page, lastName);

  // Troubleshoot's count of failed operations leads to the same list.
  await open(page, "/hq/troubleshoot");
  const whichFailed = page.getByRole("region", { name: "Which asynchronous operation failed, and how do I fix it?" });
  await whichFailed.getByRole("link", { name: /^\d+ operations?$/ }).click();
  await expect(page).toHaveURL(/\/hq\/customer-synchronization-status\?status=failed$/);
  await expect(operationRow(page, id)).toContainText("Failed");

  await searchFor(page, lastName.toLowerCase());
  const counts = page.getByRole("navigation", { name: "Operations by status" });
  // A list of synced operations shows no failed one to synchronize.
  await counts.getByRole("link", { name: /^Synced/ }).click();
  await expect(page).toHaveURL(/status=synced/);
  await expect(page.getByRole("button", { name: "Synchronize all failed" })).toHaveCount(0);
  await counts.getByRole("link", { name: /^Failed/ }).click();
  await expect(page).toHaveURL(/status=failed/);
  await expect(counts.getByRole("link", { name: /^Failed/ })).toHaveAttribute("aria-current", "page");
  const failed = operationRow(page, id);
  await expect(failed).toContainText("Customer C000001 already has the email karen.berg@contoso.com");
  await expect(failed.getByRole("cell").nth(10)).toHaveText("1");

  await page.getByRole("button", { name: "Synchronize all failed" }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText("Synchronize all 1 failed operation in this view?");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  // Escape closes it too: it takes the focus as it opens, and gives it back.
  await page.getByRole("button", { name: "Synchronize all failed" }).click();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Synchronize all failed" })).toBeFocused();

  // Synchronize with nothing ticked says so, once, and does nothing.
  await page.getByRole("button", { name: "Synchronize", exact: true }).click();
  await expect(page.getByText("Nothing was synchronized: tick the operations to synchronize in the list first.")).toHaveCount(1);
  await expect(failed.getByRole("cell").nth(10)).toHaveText("1");

  // Ticked and synchronized, it fails again, and is no longer ticked: a
  // second press would fail it the same way.
  await failed.getByRole("checkbox").check();
  await expect(page.getByText("1 selected")).toBeVisible();
  await page.getByRole("button", { name: "Synchronize", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Synchronized" })).toHaveText(
    "Synchronized 1 operation: 0 synced, 1 failed.",
  );
  await expect(failed.getByRole("cell").nth(10)).toHaveText("2");
  await expect(failed.getByRole("checkbox")).not.toBeChecked();
  await expect(page.getByText("0 selected")).toBeVisible();

  await page.getByRole("button", { name: "Synchronize all failed" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Synchronize 1 failed" }).click();
  await expect(failed.getByRole("cell").nth(10)).toHaveText("3");
  await expect(page.getByRole("status").filter({ hasText: "Synchronized" })).toHaveText(
    "Synchronized 1 operation: 0 synced, 1 failed.",
  );
  // The confirmation gone, its button has the focus again.
  await expect(page.getByRole("button", { name: "Synchronize all failed" })).toBeFocused();
  // The answer is about the view it was given in: another view does not show it.
  await counts.getByRole("link", { name: /^All/ }).click();
  await expect(page).not.toHaveURL(/status=failed/);
  await expect(page.getByRole("status").filter({ hasText: "Synchronized" })).toHaveCount(0);

  // A view with no failed operation has nothing to synchronize.
  await open(page, `${STATUS_PAGE}?q=nobody-by-this-name`);
  await page.getByRole("button", { name: "Synchronize all failed" }).click();
  await expect(page.getByRole("alertdialog")).toContainText(
    "No operation in this view has failed: there is nothing to synchronize.",
  );
  await expect(page.getByRole("alertdialog").getByRole("button", { name: /Synchronize/ })).toHaveCount(0);
});

test("without JavaScript, an admin synchronizes the chosen failed operation, then all failed after confirming, then corrects one and synchronizes it", async ({ seattle, admin, browser }) => {
  const lastName = uniqueName("Plain");
  const id = await failedCreate(seattle, admin, lastName);

  const list = `${STATUS_PAGE}?status=failed&q=${lastName.toLowerCase()}`;
  const page = await signedInWithoutJavaScript(browser, "admin", list);
  const failed = operationRow(page, id);
  await expect(failed.getByRole("cell").nth(10)).toHaveText("1");

  // Nothing ticked: said once, nothing done.
  await page.getByRole("button", { name: "Synchronize", exact: true }).click();
  await expect(page.getByText("Nothing was synchronized: tick the operations to synchronize in the list first.")).toHaveCount(1);
  await expect(failed.getByRole("cell").nth(10)).toHaveText("1");

  // Named by what it is and whose: a customer's create and its changes share its temporary id.
  await expect(failed.getByRole("checkbox")).toHaveAccessibleName(new RegExp(`^Select Create customer of \\S+ ${lastName} \\([0-9a-f-]{36}\\)$`));
  await failed.getByRole("checkbox").check();
  await page.getByRole("button", { name: "Synchronize", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`status=failed&q=${lastName.toLowerCase()}$`));
  await expect(failed.getByRole("cell").nth(10)).toHaveText("2");

  await page.getByRole("button", { name: "Synchronize all failed" }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText("Synchronize all 1 failed operation in this view?");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  await expect(failed.getByRole("cell").nth(10)).toHaveText("2");

  await page.getByRole("button", { name: "Synchronize all failed" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Synchronize 1 failed" }).click();
  await expect(page).toHaveURL(new RegExp(`status=failed&q=${lastName.toLowerCase()}$`));
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  await expect(failed.getByRole("cell").nth(10)).toHaveText("3");

  await failed.getByRole("link", { name: "Create customer" }).click();
  const email = `eve.${lastName.toLowerCase()}@example.com`;
  await page.getByRole("button", { name: "Edit" }).click();
  await expect(page).toHaveURL(/change=edit/);
  await expect(page.getByLabel("Email")).toHaveValue("karen.berg@contoso.com");
  await page.getByLabel("Email").fill(email);
  const firstName = await page.getByLabel("First name").inputValue();
  // Refused for a field: the correction comes back as typed, its message beside the field.
  await page.getByLabel("First name").fill("");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByLabel("First name")).toHaveAccessibleDescription("First name is required.");
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await page.getByLabel("First name").fill(firstName);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(new RegExp(`/hq/customer-synchronization-status/${id}\\??$`));
  const timeline = page.getByRole("region", { name: "Timeline" });
  await expect(timeline).toContainText(`Edited by Alicia Thomber: Email: karen.berg@contoso.com → ${email}`);
  await page.getByRole("button", { name: "Synchronize" }).click();
  await expect(page.locator(".operation-status")).toContainText(/Synced Customer account C\d{6}/);
  await page.context().close();
});

test("an admin fixes a failed create: open it from the Failed count, Edit, Save, Synchronize", async ({ seattle, admin: page }) => {
  const lastName = uniqueName("Fixed");
  const id = await failedCreate(seattle, page, lastName);

  await searchFor(page, lastName.toLowerCase());
  await page.getByRole("navigation", { name: "Operations by status" }).getByRole("link", { name: /^Failed/ }).click();
  await operationRow(page, id).getByRole("link", { name: "Create customer" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Create customer: Eve ${lastName}`);
  await expectAccessible(page, "a failed operation's page");
  const staged = page.getByRole("region", { name: "Customer", exact: true });
  await expect(detail(staged, "Phone")).toHaveText("None");
  await expect(detail(staged, "Language")).toHaveText("English (United States)");
  await expect(detail(staged, "Customer group")).toHaveText("30 Retail customers");
  await expect(page.getByRole("region", { name: "Error" })).toContainText(
    "Customer C000001 already has the email karen.berg@contoso.com",
  );
  const timeline = page.getByRole("region", { name: "Timeline" });
  await expect(timeline).toContainText("Created in Seattle, register 1.");
  await expect(timeline).toContainText(/Uploaded to HQ by P-job run \d+ of scale unit Main\./);
  await expect(timeline).toContainText(/Sync failed \(Batch run \d+\): Customer C000001 already has the email/);

  const email = `eve.${lastName.toLowerCase()}@example.com`;
  // Escape leaves Edit's form, and the focus goes back to Edit.
  await page.getByRole("button", { name: "Edit" }).click();
  await expect(page.getByLabel("First name")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("button", { name: "Edit" })).toBeFocused();
  await page.getByRole("button", { name: "Edit" }).click();
  // While the editor is open, Synchronize would drop what is typed: it waits for Save or Cancel.
  await expect(page.getByRole("button", { name: "Synchronize" })).toHaveCount(0);
  // Saved unchanged, the email that made it fail is named beside its field.
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#email-message")).toHaveText(
    "Customer C000001 already has this email, and HQ requires unique emails.",
  );
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#email-message")).toHaveText("Enter an email address like name@example.com.");
  await expectAccessible(page, "a failed operation's Edit, with a mistake shown");
  // An email another customer has would fail again: Save says whose it is, and saves nothing.
  await page.getByLabel("Email").fill("Grace.Okafor@Contoso.com");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#email-message")).toHaveText(
    "Customer C000011 already has this email, and HQ requires unique emails.",
  );
  await expect(timeline).not.toContainText("Edited by");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Save" }).click();
  const answer = page.getByRole("status").filter({ hasText: /Saved|Synchronized/ });
  await expect(answer).toHaveText(`Saved (Email: karen.berg@contoso.com → ${email}). Synchronize to apply it.`);
  await expect(timeline).toContainText(`Edited by Alicia Thomber: Email: karen.berg@contoso.com → ${email}`);
  // Saved, the focus moves on to the next step.
  await expect(page.getByRole("button", { name: "Synchronize" })).toBeFocused();

  await page.keyboard.press("Enter");
  await expect(answer).toHaveText("Synchronized 1 operation: 1 synced, 0 failed.");
  // Synced, the button has gone: the focus is on the page's heading, not lost.
  await expect(page.getByRole("heading", { level: 1 })).toBeFocused();
  await expect(page.locator(".operation-status")).toContainText(/Synced Customer account C\d{6}/);
  await expect(timeline).toContainText(/Synced as account C\d{6} \(Alicia Thomber\)\./);
  await expect(page.getByRole("region", { name: "Error" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Edit" })).toHaveCount(0);
});

test("the list follows a running batch without a reload", async ({ seattle, admin: page }) => {
  const lastName = uniqueName("Live");
  const id = await addCustomer(seattle, lastName, `live.${lastName.toLowerCase()}@example.com`);
  await open(page, "/hq/distribution-schedule");
  await runNow(page, /P-0001/);
  await searchFor(page, lastName.toLowerCase());
  await expect(operationRow(page, id)).toContainText("Pending sync");

  // Another admin runs the batch; earlier journeys' failures may be retried by it too.
  const admin = await page.context().newPage();
  await open(admin, "/hq/batch-jobs");
  const batch = admin.getByRole("region", { name: /Synchronize customers and channel requests/ });
  await batch.getByRole("button", { name: "Run now" }).click();
  await expect(batch.getByRole("status")).toContainText(/Run \d+ finished/);

  await expect(operationRow(page, id)).toContainText("Synced");
  await expect(page).toHaveURL(new RegExp(`q=${lastName.toLowerCase()}`));
});

test("a shared URL opens the same view, and Export to CSV downloads it", async ({ seattle, admin: page }) => {
  const lastName = uniqueName("Export");
  const id = await addCustomer(seattle, lastName, `export.${lastName.toLowerCase()}@example.com`);
  await searchFor(page, lastName.toLowerCase());
  const url = page.url();

  await open(page, "/hq/batch-jobs");
  await page.goto(url);
  await expect(page.getByLabel("Search")).toHaveValue(lastName.toLowerCase());
  await expect(operationRow(page, id)).toContainText("Pending upload");
  await expect(page.getByRole("table").getByRole("row")).toHaveCount(2);

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export to CSV" }).click();
  const file = await (await download).path();
  const bytes = await readFile(file);
  expect([...bytes.subarray(0, 3)], "a byte order mark, for Excel to read the names as UTF-8").toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString("utf8").trim().split("\r\n");
  expect(lines[0]).toBe(
    "Operation,Channel,Scale unit,Created,Temporary ID,Customer account,Name,Status,Error,Retries,Last attempt",
  );
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(`Create customer,Seattle,Main,`);
  expect(lines[1]).toContain(`${id},,Eve ${lastName},Pending upload,,0,`);
});

test("each operation names the scale unit it came from, and the list filters by scale unit", async ({ seattle, admin: page }) => {
  const lastName = uniqueName("Unit");
  const id = await addCustomer(seattle, lastName, `unit.${lastName.toLowerCase()}@example.com`);
  await open(page, "/hq/distribution-schedule");
  const pJob = page.getByRole("region", { name: /P-0001/ });
  await expect(pJob).toContainText("Run now runs it for this scale unit, Main.");
  await runNow(page, /P-0001/);
  const latest = pJob.getByRole("table", { name: "Run history" }).getByRole("row").nth(1);
  await expect(latest.getByRole("cell").nth(1)).toHaveText("Main");

  await searchFor(page, lastName.toLowerCase());
  await expect(page.getByRole("columnheader", { name: "Scale unit" })).toBeVisible();
  await expect(operationRow(page, id).getByRole("cell").nth(3)).toHaveText("Main");
  await page.getByLabel("Scale unit").selectOption("Main");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/unit=Main/);
  await expect(operationRow(page, id)).toContainText("Pending sync");

  await page.goto(`${STATUS_PAGE}?q=${lastName.toLowerCase()}&unit=Elsewhere`);
  await expect(page.getByText("No asynchronous customer operations in this view.")).toBeVisible();
});

test("the search box finds an operation by the customer's full name", async ({ seattle, admin: page }) => {
  const lastName = uniqueName("Whole");
  const waiting = await addCustomer(seattle, lastName, `eve.${lastName.toLowerCase()}@example.com`);
  // Still in the store, then uploaded to HQ: found by "Eve <last name>" either way, and not as another first name.
  for (const uploaded of [false, true]) {
    if (uploaded) {
      await open(page, "/hq/distribution-schedule");
      await runNow(page, /P-0001/);
    }
    await open(page, STATUS_PAGE);
    await page.getByLabel("Search").fill(`Eve ${lastName}`);
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(operationRow(page, waiting)).toBeVisible();
    await page.getByLabel("Search").fill(`Ann ${lastName}`);
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/q=Ann/);
    await expect(operationRow(page, waiting)).toHaveCount(0);
  }
});

test("the search box finds a name whatever the case of its letters, in any alphabet, and their marks", async ({ seattle, admin: page }) => {
  const lastName = uniqueName("Öberg");
  const id = await addCustomer(seattle, lastName, `asa.${lastName.slice(1).toLowerCase()}@example.com`);
  // Still in the store, then uploaded to HQ: "öberg…", "ÖBERG…" and "oberg…" find "Öberg…" either way.
  for (const uploaded of [false, true]) {
    if (uploaded) {
      await open(page, "/hq/distribution-schedule");
      await runNow(page, /P-0001/);
    }
    for (const term of [lastName.toLowerCase(), lastName.toUpperCase(), `o${lastName.slice(1).toLowerCase()}`]) {
      await open(page, STATUS_PAGE);
      await page.getByLabel("Search").fill(term);
      await page.getByRole("button", { name: "Apply filters" }).click();
      await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(term)}`));
      await expect(operationRow(page, id)).toContainText(uploaded ? "Pending sync" : "Pending upload");
    }
  }
});

test("the search box finds a phone by its last digits, however either was written", async ({ seattle, admin: page }) => {
  const lastName = uniqueName("Phone");
  const digits = String(Date.now()).slice(-7);
  const phone = `+1 (713) ${digits.slice(0, 3)}-${digits.slice(3)}`;
  const id = await addCustomer(seattle, lastName, `eve.${lastName.toLowerCase()}@example.com`, phone);

  for (const uploaded of [false, true]) {
    if (uploaded) {
      await open(page, "/hq/distribution-schedule");
      await runNow(page, /P-0001/);
    }
    for (const term of [`${digits.slice(0, 3)} ${digits.slice(3)}`, `713${digits}`]) {
      await open(page, STATUS_PAGE);
      await page.getByLabel("Search").fill(term);
      await page.getByRole("button", { name: "Apply filters" }).click();
      await expect(operationRow(page, id)).toContainText(uploaded ? "Pending sync" : "Pending upload");
    }
  }
});

test("a list whose session ended in another tab stays as it was, says why once, and follows again once signed in", async ({
  seattle,
  admin: page,
}) => {
  const lastName = uniqueName("Stays");
  const id = await addCustomer(seattle, lastName, `eve.${lastName.toLowerCase()}@example.com`);
  await open(page, STATUS_PAGE);
  await expect(operationRow(page, id)).toContainText("Pending upload");
  const plots = page.getByRole("region", { name: "Backlog and throughput" });
  const other = await page.context().newPage();
  await open(other, "/");
  await other.getByRole("button", { name: "Sign out" }).click();
  await expect(other).toHaveURL(/\/sign-in/);

  // The list reads itself again on its beat, and is refused.
  const refusal = page.getByRole("main").getByText(/You are not signed in/);
  await expect(refusal).toHaveCount(1);
  await expect(operationRow(page, id)).toContainText("Pending upload");
  await expect(plots.getByText(/You are not signed in/)).toHaveCount(0);

  await signIn(other, "admin");
  await expect(refusal).toHaveCount(0);
  await expect(operationRow(page, id)).toContainText("Pending upload");
  await other.close();
});

test("days the wrong way round are said beside Created to, with no list of the view before", async ({ seattle, admin: page }) => {
  const lastName = uniqueName("Days");
  const id = await addCustomer(seattle, lastName, `eve.${lastName.toLowerCase()}@example.com`);
  await open(page, STATUS_PAGE);
  await expect(operationRow(page, id)).toBeVisible();
  await page.getByLabel("Created from").fill("2026-12-08");
  await page.getByLabel("Created to").fill("2026-12-01");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByLabel("Created to")).toHaveAccessibleDescription("Created to is before Created from (2026-12-08).");
  await expect(operationRow(page, id)).toHaveCount(0);
  // Nor does the list's next read bring it back.
  await page.waitForResponse((response) => response.url().includes("/api/load_status_page"));
  await expect(operationRow(page, id)).toHaveCount(0);
});

test("Run now refused as the session ended in another tab keeps the job's history", async ({ admin: page }) => {
  await open(page, "/hq/batch-jobs");
  const batch = page.getByRole("region", { name: /Synchronize customers and channel requests/ });
  // A history to keep, whichever journeys ran before.
  await batch.getByRole("button", { name: "Run now" }).click();
  await expect(batch.getByRole("status")).toContainText(/Run \d+ finished/);
  await expect(batch.getByRole("table", { name: "Run history" })).toBeVisible();
  const other = await page.context().newPage();
  await open(other, "/");
  await other.getByRole("button", { name: "Sign out" }).click();
  await expect(other).toHaveURL(/\/sign-in/);

  await batch.getByRole("button", { name: "Run now" }).click();
  await expect(batch.getByText(/You are not signed in/)).toHaveCount(1);
  await expect(batch.getByRole("table", { name: "Run history" })).toBeVisible();
  await signIn(other, "admin");
  await other.close();
});

test("a correction posted before the page's code arrived and refused comes back as typed, and Cancel forgets it", async ({ seattle, admin: page }) => {
  const lastName = uniqueName("Early");
  const id = await failedCreate(seattle, page, lastName);
  const email = `eve.${lastName.toLowerCase()}@example.com`;

  const letCodeThrough = await holdBackPageCode(page);
  await page.goto(`${STATUS_PAGE}/${id}?change=edit`, { waitUntil: "domcontentloaded" });
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("First name").fill("");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByLabel("First name")).toHaveAccessibleDescription("First name is required.");
  await expect(page.getByLabel("Email")).toHaveValue(email);

  letCodeThrough();
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(page.getByLabel("First name")).toHaveAccessibleDescription("First name is required.");
  await expect(page.getByLabel("Email")).toHaveValue(email);

  // Cancel drops the refused correction: it is not said on the page, and
  // Edit opens the operation as stored.
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("button", { name: "Edit" })).toBeVisible();
  await expect(page.getByText("Your correction was not saved.")).toHaveCount(0);
  await page.getByRole("button", { name: "Edit" }).click();
  await expect(page.getByLabel("Email")).toHaveValue("karen.berg@contoso.com");
  await expect(page.getByLabel("First name")).toHaveValue("Eve");
  await expect(page.getByLabel("First name")).not.toHaveAccessibleDescription("First name is required.");
  await page.getByRole("button", { name: "Cancel" }).click();

  await page.reload();
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Edit" })).toBeVisible();
  await expect(page.getByText("Your correction was not saved.")).toHaveCount(0);
  await expect(page.getByRole("region", { name: "Timeline" })).not.toContainText("Edited by");
});

test("a correction refused for a field after the operation was synced in another tab says so on its page", async ({ seattle, admin: page }) => {
  const lastName = uniqueName("Late");
  const id = await failedCreate(seattle, page, lastName);

  const letCodeThrough = await holdBackPageCode(page);
  await page.goto(`${STATUS_PAGE}/${id}?change=edit`, { waitUntil: "domcontentloaded" });
  await page.getByLabel("First name").fill("");

  // Meanwhile, the operation is corrected and synchronized in another tab.
  const other = await page.context().newPage();
  await open(other, `${STATUS_PAGE}/${id}`);
  await other.getByRole("button", { name: "Edit" }).click();
  await other.getByLabel("Email").fill(`eve.${lastName.toLowerCase()}@example.com`);
  await other.getByRole("button", { name: "Save" }).click();
  await expect(other.getByRole("status").filter({ hasText: "Saved" })).toContainText("Synchronize to apply it.");
  await other.getByRole("button", { name: "Synchronize" }).click();
  await expect(other.locator(".operation-status")).toContainText(/Synced Customer account C\d{6}/);
  await other.close();

  // The first tab's correction, posted by the browser itself, is refused
  // for its field; the operation's page no longer shows a form to say it.
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator(".operation-status")).toContainText(/Synced Customer account C\d{6}/);
  const note = page.getByRole("alert").filter({ hasText: "Your correction was not saved." });
  await expect(note).toContainText("First name is required.");
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);

  letCodeThrough();
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await expect(note).toContainText("First name is required.");
  await expect(page.getByRole("alert")).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Edit" })).toHaveCount(0);
  // The customer as synced is shown: no editor is open to hide it behind.
  await expect(page.getByRole("region", { name: "Customer", exact: true })).toContainText(`eve.${lastName.toLowerCase()}@example.com`);
});

test("a correction refused as another was saved meanwhile keeps what was typed, on top of the other, and says so once", async ({ seattle, admin: page }) => {
  const lastName = uniqueName("Stale");
  const id = await failedCreate(seattle, page, lastName);
  const email = `eve.${lastName.toLowerCase()}@example.com`;
  await open(page, `${STATUS_PAGE}/${id}`);
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Phone", { exact: true }).fill("+1 206 555 0142");

  // Meanwhile, the email is corrected in another tab.
  const other = await page.context().newPage();
  await open(other, `${STATUS_PAGE}/${id}`);
  await other.getByRole("button", { name: "Edit" }).click();
  await other.getByLabel("Email").fill(email);
  await other.getByRole("button", { name: "Save" }).click();
  await expect(other.getByRole("status").filter({ hasText: "Saved" })).toContainText("Synchronize to apply it.");
  await other.close();

  await page.getByRole("button", { name: "Save" }).click();
  const refusal = page.getByText("Another correction of this operation was saved since you opened it");
  await expect(refusal).toHaveCount(1);
  await expect(page.getByRole("region", { name: "Timeline" })).toContainText(`Email: karen.berg@contoso.com → ${email}`);
  await expect(page.getByLabel("Phone", { exact: true })).toHaveValue("+1 206 555 0142");
  await expect(page.getByLabel("Email")).toHaveValue(email);
  // What was typed, carried onto the form made anew, is not dropped by Escape without asking.
  const kept = answerNextDialog(page, false);
  await page.getByLabel("Phone", { exact: true }).press("Escape");
  expect(await kept).toBe("Discard what you typed in this form?");
  await expect(page.getByLabel("Phone", { exact: true })).toHaveValue("+1 206 555 0142");

  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toHaveText(
    "Saved (Phone: (empty) → +1 206 555 0142). Synchronize to apply it.",
  );
  await expect(refusal).toHaveCount(0);
});

test("on a 1280-pixel screen the list's column headings keep their words whole", async ({ seattle, admin: page }) => {
  await addCustomer(seattle, uniqueName("Wide"), `wide.${Date.now()}@example.com`);
  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page, STATUS_PAGE);
  const list = page.getByRole("table", { name: "Asynchronous customer operations" });
  await expect(list.getByRole("row")).not.toHaveCount(1);
  // Each heading is at least as wide as its longest word: no "Ope/ra/tion".
  const squeezed = await list.locator("thead th").evaluateAll((headings) =>
    headings.flatMap((heading) => {
      const style = getComputedStyle(heading);
      const room = heading.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const probe = document.createElement("span");
      probe.style.font = style.font;
      probe.style.whiteSpace = "nowrap";
      document.body.append(probe);
      const words = (heading.textContent ?? "").split(/\s+/).filter(Boolean);
      const narrow = words.filter((word) => {
        probe.textContent = word;
        return probe.getBoundingClientRect().width > room + 0.5;
      });
      probe.remove();
      return narrow;
    }),
  );
  expect(squeezed).toEqual([]);
});
