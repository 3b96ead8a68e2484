import { expect, type Page } from "@playwright/test";
import { detail, open, runNow, signedInWithoutJavaScript, syncToHqAndBack, test, uniqueName } from "./helpers";

// One story, told in order: the admin turns asynchronous mode on and off and
// reads the Troubleshoot page along the way. It leaves the configuration as
// it found it, for the journeys that run after it.
test.describe.configure({ mode: "serial" });

async function setFeature(page: Page, feature: string, caption: "Enable" | "Disable") {
  await open(page, "/hq/feature-management");
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: feature, exact: true }) });
  await row.getByRole("button", { name: `${caption} (${feature})`, exact: true }).click();
  return row;
}

async function setHoustonAsync(page: Page, caption: "Turn on" | "Turn off") {
  await open(page, "/hq/functionality-profiles");
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Houston" }) });
  await row.getByRole("button", { name: caption }).click();
  await expect(row.getByRole("cell").nth(1)).toHaveText(caption === "Turn on" ? "Yes" : "No");
}

async function runOnSchedule(page: Page, code: string) {
  await open(page, "/hq/distribution-schedule");
  const job = page.getByRole("region", { name: new RegExp(code) });
  await job.getByRole("button", { name: "Run now" }).click();
  await expect(job.getByRole("status")).toContainText(/Run \d+ finished: Succeeded/);
}

async function flushCache(page: Page) {
  await open(page, "/hq/troubleshoot");
  const questions = page.getByRole("region", { name: "Why do I still see real-time service calls?" });
  await questions.getByRole("button", { name: "Flush channel cache" }).first().click();
  await expect(page.getByRole("status")).toContainText("configuration cache was flushed");
}

async function addCustomerAtHouston(page: Page, lastName: string, register = "1-1") {
  await open(page, `/pos?register=${register}`);
  await page.getByRole("button", { name: "Add customer" }).click();
  await page.getByLabel("First name").fill("Rosa");
  await page.getByLabel("Last name").fill(lastName);
  await page.getByRole("button", { name: "Save" }).click();
  const confirmation = page.getByRole("status").filter({ hasText: `Rosa ${lastName} was created at Houston` });
  await expect(confirmation).toBeVisible();
  return confirmation;
}

test("the editing feature needs its prerequisites first", async ({ admin: page }) => {
  const editing = "Enable editing customers in asynchronous mode";
  await open(page, "/hq/troubleshoot");
  await expect(page.getByRole("region", { name: /Why can't I enable/ })).toContainText(
    "Its prerequisites must be enabled first",
  );

  const row = await setFeature(page, editing, "Enable");
  const refusal = page.getByRole("alert");
  await expect(refusal).toContainText("cannot be enabled until its prerequisites are enabled");
  await expect(refusal).toContainText("Performance improvements for customer orders and customer transactions");
  await expect(refusal).toContainText("Enable enhanced asynchronous customer creation");
  await expect(refusal).toContainText("Enable asynchronous creation for customer addresses");
  await expect(row.getByRole("cell").first()).toHaveText("Disabled");

  for (const prerequisite of [
    "Performance improvements for customer orders and customer transactions",
    "Enable enhanced asynchronous customer creation",
    "Enable asynchronous creation for customer addresses",
  ]) {
    const enabled = await setFeature(page, prerequisite, "Enable");
    await expect(enabled.getByRole("cell").first()).toHaveText("Enabled");
  }
  const enabled = await setFeature(page, editing, "Enable");
  await expect(enabled.getByRole("cell").first()).toHaveText("Enabled");
  await expect(page.getByRole("table", { name: "Change history" }).getByRole("row")).toHaveCount(5);

  await open(page, "/hq/troubleshoot");
  await expect(page.getByRole("region", { name: /Why can't I enable/ })).toContainText("It is enabled.");
});

test("an edit staged at the register changes the one field the cashier changed, and its page names that field", async ({ admin: page, houston }) => {
  // The editing feature, enabled above, reaches the store with job 1110.
  await runOnSchedule(page, "1110");
  await flushCache(page);
  const lastName = uniqueName("Fields");
  await addCustomerAtHouston(houston, lastName);
  await open(houston, `/pos?register=1-1&q=${lastName}`);
  await houston.getByRole("link", { name: `Rosa ${lastName}` }).click();
  await expect(houston.getByRole("heading", { name: `Rosa ${lastName}` })).toBeVisible();
  await houston.getByRole("button", { name: "Edit" }).click();
  await houston.getByLabel("Phone").fill("713 555 0188");
  await houston.getByRole("button", { name: "Save" }).click();
  await expect(houston.getByText("1 change(s) staged in asynchronous mode")).toBeVisible();

  await syncToHqAndBack(page);
  await open(page, `/hq/customer-synchronization-status?q=${lastName.toLowerCase()}`);
  await page.getByRole("link", { name: "Update customer" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Update customer: Rosa ${lastName}`);
  await expect(page.locator(".operation-status")).toContainText(/Synced Customer account C\d{6}/);
  const staged = page.getByRole("region", { name: "Customer" });
  await expect(detail(staged, "Fields it changes")).toHaveText("Phone");
  await expect(detail(staged, "Customer group")).toHaveText("30 Retail customers");
});

test("a change waiting behind a failed one names it, and follows once the admin has corrected it", async ({ admin: page, houston }) => {
  const lastName = uniqueName("Waits");
  await addCustomerAtHouston(houston, lastName);
  await open(houston, `/pos?register=1-1&q=${lastName}`);
  await houston.getByRole("link", { name: `Rosa ${lastName}` }).click();
  await expect(houston.getByRole("heading", { name: `Rosa ${lastName}` })).toBeVisible();
  await houston.getByRole("button", { name: "Edit" }).click();
  await houston.getByLabel("Email").fill("karen.berg@contoso.com");
  await houston.getByRole("button", { name: "Save" }).click();
  await expect(houston.getByText("1 change(s) staged in asynchronous mode")).toBeVisible();
  await houston.getByRole("button", { name: "Edit" }).click();
  await houston.getByLabel("Phone").fill("713 555 0199");
  await houston.getByRole("button", { name: "Save" }).click();
  await expect(houston.getByText("2 change(s) staged in asynchronous mode")).toBeVisible();

  await open(page, "/hq/distribution-schedule");
  await runNow(page, /P-0001/);
  await open(page, "/hq/batch-jobs");
  const batch = page.getByRole("region", { name: /Synchronize customers and channel requests/ });
  await batch.getByRole("button", { name: "Run now" }).click();
  await expect(batch.getByRole("status")).toContainText(/Run \d+ finished: Completed with errors/);
  // The run's history says what its rows neither synced nor failed did.
  const runId = ((await batch.getByRole("status").textContent()) ?? "").match(/Run (\d+) finished/)?.[1] ?? "";
  const history = batch.getByRole("table", { name: "Run history" });
  const run = history.getByRole("row").filter({ has: page.getByRole("cell", { name: runId, exact: true }) });
  await expect(run).toContainText(/waits? for (an )?earlier operations? of (its|their) customers? that failed/);
  const statusPage = `/hq/customer-synchronization-status?q=${lastName.toLowerCase()}`;
  await open(page, statusPage);
  const updates = page.getByRole("row").filter({ hasText: "Update customer" });
  const failed = updates.filter({ hasText: "already has the email karen.berg@contoso.com" });
  const failedLink = failed.getByRole("link", { name: "Update customer" });
  const failedId = ((await failedLink.getAttribute("href")) ?? "").match(/[0-9a-f-]{36}/)?.[0];
  expect(failedId).toBeTruthy();
  await expect(updates.filter({ hasText: `Waits for operation ${failedId}, which failed` })).toHaveCount(1);
  // The waiting one's page says why it waits, not as an error.
  await updates.filter({ hasText: "Waits for operation" }).getByRole("link", { name: "Update customer" }).click();
  await expect(page.locator(".operation-status")).toContainText("Pending sync");
  await expect(page.getByRole("region", { name: "Why it waits" })).toContainText(`Waits for operation ${failedId}, which failed`);
  await expect(page.getByRole("region", { name: "Error" })).toHaveCount(0);
  await open(page, statusPage);

  await failedLink.click();
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Email").fill(`rosa.${lastName.toLowerCase()}@example.com`);
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("button", { name: "Synchronize" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Synchronized" })).toHaveText(
    "Synchronized 1 operation: 1 synced, 0 failed.",
  );
  await syncToHqAndBack(page);
  await open(page, statusPage);
  await expect(updates.filter({ hasText: "Waits for operation" })).toHaveCount(0);

  await open(houston, `/pos?register=1-1&q=${lastName}`);
  await houston.getByRole("link", { name: `Rosa ${lastName}` }).click();
  const details = houston.locator("dl.details");
  await expect(details).toContainText(`rosa.${lastName.toLowerCase()}@example.com`);
  await expect(details).toContainText("713 555 0199");
  await expect(houston.getByText(/change\(s\) staged/)).toHaveCount(0);
});

test("a channel leaves real-time mode only once 1070 has run and its cache has expired", async ({ admin: page, houston }) => {
  await setHoustonAsync(page, "Turn off");
  await runOnSchedule(page, "1070");
  await flushCache(page);
  await setHoustonAsync(page, "Turn on");

  const first = await addCustomerAtHouston(houston, uniqueName("Realtime"));
  await expect(first).toContainText(/Account: C\d{6}/);
  await expect(first).toContainText("Created in HQ by a real-time service call");

  await open(page, "/hq/real-time-service-calls");
  const call = page.getByRole("table", { name: "Calls, newest first" }).getByRole("row").nth(1);
  await expect(call).toContainText("Create customer");
  await expect(call).toContainText("Succeeded");
  await expect(call).toContainText(/off for Houston in the channel copy \(job 1070 last ran .*, before the change at /);

  await open(page, "/hq/troubleshoot");
  const realtime = page.getByRole("region", { name: "Why do I still see real-time service calls?" });
  const houstonCause = realtime.getByRole("listitem").filter({ hasText: "for Houston" });
  await expect(houstonCause).toContainText("in the channel copy (job 1070 last ran");
  await houstonCause.getByRole("button", { name: "Run 1070 now" }).click();
  await expect(page.getByRole("status")).toContainText(/Run \d+ of 1070 finished: Succeeded/);
  await expect(houstonCause).toContainText("configuration cache");
  await houstonCause.getByRole("button", { name: "Flush channel cache" }).click();
  await expect(houstonCause).toContainText("Create customer in async mode is on for Houston everywhere.");

  const second = await addCustomerAtHouston(houston, uniqueName("Async"));
  await expect(houston.locator(".register-mode")).toContainText("Creates: asynchronous");
  await expect(second).toContainText("Pending sync");
  await expect(second).toContainText("Temporary asynchronous customer id");
});

test("an offline register stages its creates although its channel is in real-time mode", async ({ admin: page, houston }) => {
  await setHoustonAsync(page, "Turn off");
  await runOnSchedule(page, "1070");
  await flushCache(page);

  await open(houston, "/pos?register=1-2");
  await expect(houston.getByText("Register open: Houston, register 2")).toBeVisible();
  await houston.getByRole("button", { name: "Go offline" }).click();
  await expect(houston.getByRole("button", { name: "Go online" })).toBeVisible();
  await expect(houston.locator(".register-mode")).toContainText("Offline");

  const created = await addCustomerAtHouston(houston, uniqueName("Offline"), "1-2");
  await expect(created).toContainText("Pending sync");
  await expect(created).toContainText("Real-time call not possible: the register is offline, staged asynchronously.");
  await expect(houston.locator(".register-mode")).toContainText("Creates: real-time");
  await expect(houston.locator(".register-mode")).toContainText("Offline");

  await houston.getByRole("button", { name: "Go online" }).click();
  await expect(houston.getByRole("button", { name: "Go offline" })).toBeVisible();
  await open(houston, "/pos?register=1-2");
  await expect(houston.getByRole("button", { name: "Go offline" })).toBeVisible();
  await expect(houston.locator(".register-mode")).not.toContainText("Offline");

  // Leave Houston in asynchronous mode, as the other journeys expect it.
  await setHoustonAsync(page, "Turn on");
  await runOnSchedule(page, "1070");
  await flushCache(page);
});

test("an admin schedules a job, is told when the recurrence is out of range, and unschedules it", async ({ admin: page }) => {
  await open(page, "/hq/distribution-schedule");
  const job = page.getByRole("region", { name: /1110/ });
  const recurrence = job.getByLabel("Recurrence (minutes, 0 = not scheduled)");
  await expect(job).toContainText("Not scheduled: runs only on Run now.");

  await recurrence.fill("20000");
  await job.getByRole("button", { name: "Save schedule" }).click();
  await expect(job).toContainText("Enter a whole number of minutes from 0 (not scheduled) to 10080.");
  await expect(job).toContainText("Not scheduled: runs only on Run now.");

  await recurrence.fill("15");
  await job.getByRole("button", { name: "Save schedule" }).click();
  await expect(job).toContainText("Runs every 15 minutes.");
  await expect(job).not.toContainText("Enter a whole number");
  await open(page, "/hq/distribution-schedule");
  await expect(recurrence).toHaveValue("15");
  await expect(job).toContainText("Runs every 15 minutes.");

  await recurrence.fill("0");
  await job.getByRole("button", { name: "Save schedule" }).click();
  await expect(job).toContainText("Not scheduled: runs only on Run now.");
});

test("without JavaScript, an admin is told why a schedule is refused, saves one, and runs a job", async ({ browser }) => {
  const page = await signedInWithoutJavaScript(browser, "admin", "/hq/distribution-schedule");

  const job = page.getByRole("region", { name: /1110/ });
  await job.getByLabel("Recurrence (minutes, 0 = not scheduled)").fill("20000");
  await job.getByRole("button", { name: "Save schedule" }).click();
  await expect(page).toHaveURL(/\/hq\/distribution-schedule\?/);
  await expect(page.getByRole("alert")).toHaveText("Enter a whole number of minutes from 0 (not scheduled) to 10080.");

  await job.getByLabel("Recurrence (minutes, 0 = not scheduled)").fill("30");
  await job.getByRole("button", { name: "Save schedule" }).click();
  await expect(job).toContainText("Runs every 30 minutes.");
  await expect(page.getByRole("alert")).toHaveCount(0);
  await job.getByLabel("Recurrence (minutes, 0 = not scheduled)").fill("0");
  await job.getByRole("button", { name: "Save schedule" }).click();
  await expect(job).toContainText("Not scheduled: runs only on Run now.");

  const runs = job.getByRole("table", { name: "Run history" }).getByRole("row");
  const before = await runs.count();
  await job.getByRole("button", { name: "Run now" }).click();
  await expect(page).toHaveURL(/\/hq\/distribution-schedule\??$/);
  await page.reload();
  await expect(runs).toHaveCount(Math.max(before, 1) + 1);
  await page.context().close();
});

test("a customer added offline at a real-time register is created in HQ once the network is back, and the edit kept behind it follows it there", async ({
  admin: page,
  houston,
}) => {
  await setHoustonAsync(page, "Turn off");
  await runOnSchedule(page, "1070");
  await flushCache(page);

  const lastName = uniqueName("Later");
  await open(houston, "/pos?register=1-1");
  await expect(houston.locator("body[data-forms-ready=true]")).toHaveCount(1);
  await expect(houston.locator(".register-mode")).toContainText("Creates: real-time");
  await houston.context().setOffline(true);
  await houston.getByRole("button", { name: "Add customer" }).click();
  await houston.getByLabel("First name").fill("Rosa");
  await houston.getByLabel("Last name").fill(lastName);
  await houston.getByRole("button", { name: "Save" }).click();
  const kept = houston.getByRole("table", { name: "Kept in this browser" });
  await kept.getByRole("row").filter({ hasText: `Rosa ${lastName}` }).getByRole("button", { name: "Open" }).click();
  const customer = houston.getByRole("region", { name: `Rosa ${lastName}` });
  await customer.getByRole("button", { name: "Edit" }).click();
  await houston.getByLabel("Phone").fill("713 555 0177");
  await houston.getByRole("button", { name: "Save" }).click();
  await expect(customer.getByRole("status")).toContainText("the change is sent after the customer");

  await houston.context().setOffline(false);
  await expect(houston.getByText(/\d+ waiting/)).toHaveCount(0, { timeout: 20_000 });
  await open(houston, `/pos?register=1-1&q=${lastName}`);
  await houston.getByRole("link", { name: `Rosa ${lastName}` }).click();
  const details = houston.locator("dl.details");
  await expect(details).toContainText(/C\d{6}/);
  await expect(details).toContainText("713 555 0177");

  // Leave the configuration as the other journeys expect it.
  await setHoustonAsync(page, "Turn on");
  await runOnSchedule(page, "1070");
  await flushCache(page);
});

test("with HQ unreachable a synchronous channel still creates customers, staged and logged", async ({ admin: page, houston }) => {
  await setHoustonAsync(page, "Turn off");
  await runOnSchedule(page, "1070");
  await flushCache(page);
  await open(page, "/hq/real-time-service-calls");
  await page.getByRole("button", { name: "Mark HQ unreachable" }).click();
  await expect(page.getByRole("region", { name: "Real-time service" })).toContainText("HQ is marked unreachable");

  const lastName = uniqueName("Fallback");
  const created = await addCustomerAtHouston(houston, lastName);
  await expect(houston.locator(".register-mode")).toContainText("Creates: real-time");
  await expect(created).toContainText("Pending sync");
  await expect(created).toContainText("HQ unreachable, staged asynchronously");

  await page.getByLabel("Outcome").selectOption("Staged asynchronously");
  await page.getByRole("button", { name: "Filter" }).click();
  // Only the filter that narrows the list is in the address to share.
  await expect(page).toHaveURL(/\/hq\/real-time-service-calls\?outcome=Staged(\+|%20)asynchronously$/);
  await expect(page.getByRole("table", { name: "Calls, newest first" })).toContainText("Staged asynchronously: HQ unreachable");
  // Back shows every call again, and the filter says so.
  await page.goBack();
  await expect(page.getByLabel("Outcome")).toHaveValue("");
  await open(page, "/hq/troubleshoot");
  await expect(page.getByRole("region", { name: "Why do I still see real-time service calls?" })).toContainText(
    /[1-9]\d* customer create\(s\) fell back/,
  );

  // Leave the configuration as the other journeys expect it.
  await open(page, "/hq/real-time-service-calls");
  await page.getByRole("button", { name: "Mark HQ reachable" }).click();
  await expect(page.getByRole("region", { name: "Real-time service" })).toContainText("HQ is reachable.");
  await setHoustonAsync(page, "Turn on");
  const refused = await setFeature(page, "Enable asynchronous creation for customer addresses", "Disable");
  await expect(page.getByRole("alert")).toContainText("cannot be disabled while these enabled features need it");
  await expect(refused.getByRole("cell").first()).toHaveText("Enabled");
  for (const feature of [
    "Enable editing customers in asynchronous mode",
    "Enable asynchronous creation for customer addresses",
    "Enable enhanced asynchronous customer creation",
    "Performance improvements for customer orders and customer transactions",
  ]) {
    const row = await setFeature(page, feature, "Disable");
    await expect(row.getByRole("cell").first()).toHaveText("Disabled");
  }
  await runOnSchedule(page, "1070");
  await runOnSchedule(page, "1110");
  await flushCache(page);
});
